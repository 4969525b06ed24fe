package io.streamrec.train.arrays;

import io.streamrec.kernel.InnerProduct;
import io.streamrec.kernel.VectorInnerProduct;
import io.streamrec.train.OptimizerKind;
import jdk.incubator.vector.FloatVector;
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
}
