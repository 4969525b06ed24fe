package io.streamrec.train.arrays;

import io.streamrec.kernel.InnerProduct;
import io.streamrec.kernel.VectorInnerProduct;
import io.streamrec.train.OptimizerKind;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The kernels as SIMD, through the Vector API: whole registers of floats per instruction (16 with AVX-512), fused
 * multiply-add for the dot products. Tails shorter than a register run as plain loops. Loaded only when the JVM
 * has {@code jdk.incubator.vector} (see {@link Kernels#best()}).
 */
final class VectorKernels implements Kernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final float EPSILON = OptimizerKind.EPSILON;
    private static final InnerProduct DOT = new VectorInnerProduct();

    @Override
    public float dot(float[] a, int ao, float[] b, int bo, int n) {
        return DOT.dot(a, ao, b, bo, n);
    }

    @Override
    public float weightedDot(float[] h, float[] a, int ao, float[] b, int bo, int n) {
        FloatVector acc = FloatVector.zero(S);
        int k = 0;
        for (int bound = S.loopBound(n); k < bound; k += S.length()) {
            acc = FloatVector.fromArray(S, h, k).mul(FloatVector.fromArray(S, a, ao + k))
                    .fma(FloatVector.fromArray(S, b, bo + k), acc);
        }
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; k < n; k++) {
            s += h[k] * a[ao + k] * b[bo + k];
        }
        return s;
    }

    @Override
    public void axpy(float alpha, float[] x, int xo, float[] y, int yo, int n) {
        int k = 0;
        for (int bound = S.loopBound(n); k < bound; k += S.length()) {
            FloatVector.fromArray(S, x, xo + k).fma(FloatVector.broadcast(S, alpha), FloatVector.fromArray(S, y, yo + k)).intoArray(y, yo + k);
        }
        for (; k < n; k++) {
            y[yo + k] += alpha * x[xo + k];
        }
    }

    @Override
    public void weightedAxpy(float alpha, float[] h, float[] x, int xo, float[] y, int yo, int n) {
        int k = 0;
        for (int bound = S.loopBound(n); k < bound; k += S.length()) {
            FloatVector.fromArray(S, h, k).mul(alpha).fma(FloatVector.fromArray(S, x, xo + k),
                    FloatVector.fromArray(S, y, yo + k)).intoArray(y, yo + k);
        }
        for (; k < n; k++) {
            y[yo + k] += alpha * h[k] * x[xo + k];
        }
    }

    @Override
    public void adagrad(float[] w, int wo, float[] g, int go, float[] acc, int ao, int n, float lr, float decay) {
        int k = 0;
        for (int bound = S.loopBound(n); k < bound; k += S.length()) {
            FloatVector gv = FloatVector.fromArray(S, g, go + k);
            FloatVector past = FloatVector.fromArray(S, acc, ao + k);
            FloatVector sum = gv.fma(gv, decay == 1f ? past : past.mul(decay));
            sum.intoArray(acc, ao + k);
            FloatVector.fromArray(S, w, wo + k)
                    .sub(gv.mul(lr).div(sum.sqrt().add(EPSILON)))
                    .intoArray(w, wo + k);
        }
        OptimizerKind.ADAGRAD.apply(w, wo + k, g, go + k, acc, ao + k, n - k, lr, decay);
    }

    /**
     * A register of packed accumulators at a time: its low halves belong to the parameters at {@code k}, its high
     * halves to those at {@code half + k}; the pairs a register does not fill run as plain loops.
     */
    @Override
    public void adagradBfloat16(float[] w, int wo, float[] g, int go, float[] acc, int ao, int n, float lr, float decay) {
        int half = Bfloat16Pairs.floats(n);
        int k = 0;
        for (int bound = S.loopBound(n - half); k < bound; k += S.length()) {
            IntVector packed = (IntVector) FloatVector.fromArray(S, acc, ao + k).reinterpretAsInts();
            IntVector low = step(w, wo + k, g, go + k, packed.lanewise(VectorOperators.LSHL, 16), lr, decay);
            IntVector high = step(w, wo + half + k, g, go + half + k, packed.and(0xFFFF0000), lr, decay);
            high.and(0xFFFF0000).or(low.lanewise(VectorOperators.LSHR, 16)).reinterpretAsFloats().intoArray(acc, ao + k);
        }
        Bfloat16Pairs.adagrad(w, wo, g, go, acc, ao, n, lr, decay, k);
    }

    /** One register of parameters' steps from their accumulators' float bits; returns the new ones, rounded. */
    private static IntVector step(float[] w, int wo, float[] g, int go, IntVector pastBits, float lr, float decay) {
        FloatVector gv = FloatVector.fromArray(S, g, go);
        FloatVector past = pastBits.reinterpretAsFloats();
        FloatVector sum = gv.mul(gv).add(decay == 1f ? past : past.mul(decay));
        FloatVector split = sum.mul(OptimizerKind.BFLOAT16_SPLITTER);
        FloatVector rounded = split.sub(split.sub(sum)); // OptimizerKind.bfloat16, lane by lane
        FloatVector.fromArray(S, w, wo).sub(gv.mul(lr).div(rounded.sqrt().add(EPSILON))).intoArray(w, wo);
        return (IntVector) rounded.reinterpretAsInts();
    }
}
