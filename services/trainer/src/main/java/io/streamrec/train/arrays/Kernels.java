package io.streamrec.train.arrays;

import io.streamrec.kernel.VectorApi;

/**
 * The java engine's inner loops over float rows. Two implementations with the same maths: {@link ScalarKernels},
 * plain loops, and {@code VectorKernels}, SIMD through the JDK's incubating Vector API (16 lanes with AVX-512),
 * used when the JVM runs with {@code --add-modules jdk.incubator.vector} (the launcher, tests and images do).
 * Float sums come out in a different order, so results agree to rounding, not bit for bit.
 */
interface Kernels {

    /** Σ a[ao+k]·b[bo+k], k < n. */
    float dot(float[] a, int ao, float[] b, int bo, int n);

    /** Σ h[k]·a[ao+k]·b[bo+k], k < n. */
    float weightedDot(float[] h, float[] a, int ao, float[] b, int bo, int n);

    /** y[yo+k] += alpha·x[xo+k]. */
    void axpy(float alpha, float[] x, int xo, float[] y, int yo, int n);

    /** y[yo+k] += alpha·h[k]·x[xo+k]. */
    void weightedAxpy(float alpha, float[] h, float[] x, int xo, float[] y, int yo, int n);

    /**
     * Adagrad on one row: acc = decay·acc + g²; w -= lr·g / (√acc + ε). The formula of {@code OptimizerKind.ADAGRAD}
     * (decay 1 is classic Adagrad).
     */
    void adagrad(float[] w, int wo, float[] g, int go, float[] acc, int ao, int n, float lr, float decay);

    /**
     * {@link #adagrad} with the accumulators rounded to bfloat16 after each step and kept as {@link Bfloat16Pairs}
     * at {@code acc[ao..)}: the formula of {@code OptimizerKind.adagradBfloat16}.
     */
    void adagradBfloat16(float[] w, int wo, float[] g, int go, float[] acc, int ao, int n, float lr, float decay);

    /** The fastest implementation this JVM can run. */
    static Kernels best() {
        return VectorApi.fastest(Kernels.class, "io.streamrec.train.arrays.VectorKernels", ScalarKernels::new);
    }
}
