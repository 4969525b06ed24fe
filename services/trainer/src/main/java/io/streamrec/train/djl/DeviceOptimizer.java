package io.streamrec.train.djl;

import ai.djl.ndarray.NDArray;
import io.streamrec.train.OptimizerKind;

/**
 * {@link OptimizerKind#apply}'s formulas written with NDArray ops, for gathered table rows (row-wise scalars as
 * {@code [n, 1]} columns) and for dense tensors (0-dimensional scalars). Every expression keeps the reference's
 * operation order ({@code (lr·g)/(√acc + ε)}, {@code β·m + (1 − β)·g}, ...), so an update computed from the same
 * gradient is the same float as the Java engine's; what differs between the engines is only how the gradient's
 * sums are ordered.
 *
 * <p>Updates are in place: on gathered rows that are then written back, or on a dense tensor itself. The gradient
 * is used up as scratch space (fewer passes over memory: the update is memory-bound).
 */
final class DeviceOptimizer {
    private final OptimizerKind kind;
    private final Constants constants;
    private final NDArray decay;
    private final NDArray rateScale;
    private final NDArray bfloat16Columns;

    DeviceOptimizer(OptimizerKind kind, Constants constants) {
        this(kind, constants, null, null, null);
    }

    /**
     * @param decay Adagrad: per column of a row, what the accumulated squares are multiplied by before a step's are
     *              added ({@link OptimizerKind#apply(float[], int, float[], int, float[], int, int, float, float)});
     *              null for classic Adagrad
     * @param rateScale Adagrad: per column, the learning rate's multiple; null for 1 everywhere
     * @param bfloat16Columns Adagrad: per column, 1 where the accumulator is rounded to bfloat16 before the step
     *              uses it ({@link OptimizerKind#adagradBfloat16}: the factors'), 0 where it stays float32; null for
     *              none
     */
    DeviceOptimizer(OptimizerKind kind, Constants constants, NDArray decay, NDArray rateScale,
                    NDArray bfloat16Columns) {
        this.kind = kind;
        this.constants = constants;
        this.decay = decay;
        this.rateScale = rateScale;
        this.bfloat16Columns = bfloat16Columns;
    }

    /**
     * One step on {@code w} with gradient {@code g}, which it overwrites.
     *
     * @param first  Adagrad: the running sum of squares (like w, or {@code [n, 1]} row-wise); Adam: first moments
     * @param second Adam: second moments; otherwise unused
     * @param rate   the learning rate (SGD, Adagrad), or Adam's bias-corrected step size lr·√c₂/c₁
     * @param epsHat Adam only: ε·√c₂, the reference's denominator offset
     * @param width  row-wise Adagrad: floats per row, the divisor of the mean square
     */
    void apply(NDArray w, NDArray g, NDArray first, NDArray second, NDArray rate, NDArray epsHat, NDArray width) {
        switch (kind) {
            case SGD -> w.subi(g.muli(rate));
            case ADAGRAD -> {
                if (decay != null) {
                    first.muli(decay);
                }
                first.addi(g.square());
                if (bfloat16Columns != null) {
                    // OptimizerKind.bfloat16's two operations, then acc + 1·(rounded − acc) where a column rounds and
                    // acc + 0 where it does not: exact, as rounded and acc are within a factor of 2 of each other.
                    NDArray split = first.mul(constants.bfloat16Splitter);
                    NDArray rounded = split.sub(split.sub(first));
                    first.addi(rounded.subi(first).muli(bfloat16Columns));
                }
                NDArray step = g.muli(rate).divi(first.sqrt().addi(constants.epsilon));
                w.subi(rateScale == null ? step : step.muli(rateScale));
            }
            case ROWWISE_ADAGRAD -> {
                first.addi(g.square().sum(new int[]{1}, true).divi(width));
                w.subi(g.muli(rate.div(first.sqrt().addi(constants.epsilon))));
            }
            case ADAM -> {
                first.muli(constants.beta1).addi(g.mul(constants.oneMinusBeta1));
                second.muli(constants.beta2).addi(g.mul(constants.oneMinusBeta2).muli(g));
                w.subi(first.mul(rate).divi(second.sqrt().addi(epsHat)));
            }
        }
    }

    /** Adam's step size lr·√c₂/c₁ for a parameter taking its t-th step, exactly as {@link OptimizerKind#apply}. */
    static float adamStepSize(float lr, int t) {
        float c1 = 1 - (float) Math.pow(OptimizerKind.BETA1, t);
        float c2 = 1 - (float) Math.pow(OptimizerKind.BETA2, t);
        return lr * (float) Math.sqrt(c2) / c1;
    }

    /** Adam's denominator offset ε·√c₂ at step t. */
    static float adamEpsilon(int t) {
        float c2 = 1 - (float) Math.pow(OptimizerKind.BETA2, t);
        return OptimizerKind.EPSILON * (float) Math.sqrt(c2);
    }

    /** The fixed scalars of the formulas, made once on the device. */
    record Constants(NDArray epsilon, NDArray beta1, NDArray oneMinusBeta1, NDArray beta2, NDArray oneMinusBeta2,
                     NDArray bfloat16Splitter) {
    }
}
