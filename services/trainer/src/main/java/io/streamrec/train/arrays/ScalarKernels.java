package io.streamrec.train.arrays;

import io.streamrec.kernel.InnerProduct;
import io.streamrec.kernel.ScalarInnerProduct;
import io.streamrec.train.OptimizerKind;

/** Plain loops: four partial sums for the dot products, simple loops C2 can vectorise for the rest. */
final class ScalarKernels implements Kernels {
    private static final InnerProduct DOT = new ScalarInnerProduct();

    @Override
    public float dot(float[] a, int ao, float[] b, int bo, int n) {
        return DOT.dot(a, ao, b, bo, n);
    }

    @Override
    public float weightedDot(float[] h, float[] a, int ao, float[] b, int bo, int n) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int k = 0;
        for (; k + 3 < n; k += 4) {
            s0 += h[k] * a[ao + k] * b[bo + k];
            s1 += h[k + 1] * a[ao + k + 1] * b[bo + k + 1];
            s2 += h[k + 2] * a[ao + k + 2] * b[bo + k + 2];
            s3 += h[k + 3] * a[ao + k + 3] * b[bo + k + 3];
        }
        for (; k < n; k++) {
            s0 += h[k] * a[ao + k] * b[bo + k];
        }
        return (s0 + s1) + (s2 + s3);
    }

    @Override
    public void axpy(float alpha, float[] x, int xo, float[] y, int yo, int n) {
        for (int k = 0; k < n; k++) {
            y[yo + k] += alpha * x[xo + k];
        }
    }

    @Override
    public void weightedAxpy(float alpha, float[] h, float[] x, int xo, float[] y, int yo, int n) {
        for (int k = 0; k < n; k++) {
            y[yo + k] += alpha * h[k] * x[xo + k];
        }
    }

    @Override
    public void adagrad(float[] w, int wo, float[] g, int go, float[] acc, int ao, int n, float lr, float decay) {
        OptimizerKind.ADAGRAD.apply(w, wo, g, go, acc, ao, n, lr, decay);
    }

    @Override
    public void adagradBfloat16(float[] w, int wo, float[] g, int go, float[] acc, int ao, int n, float lr, float decay) {
        Bfloat16Pairs.adagrad(w, wo, g, go, acc, ao, n, lr, decay, 0);
    }
}
