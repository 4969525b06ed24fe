package io.streamrec.train.arrays;

import org.junit.jupiter.api.Test;

import io.streamrec.train.OptimizerKind;

import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The SIMD kernels compute what the plain loops compute, to float rounding, at every length and offset. */
class KernelsTest {
    private final Kernels scalar = new ScalarKernels();
    private final Kernels best = Kernels.best();

    @Test
    void theTestJvmRunsTheVectorKernels() {
        assertThat(best).as("surefire passes --add-modules jdk.incubator.vector").isInstanceOf(VectorKernels.class);
    }

    @Test
    void agreeWithPlainLoops() {
        Random r = new Random(5);
        for (int n : new int[]{1, 7, 16, 33, 64, 65, 129}) {
            for (int offset : new int[]{0, 3, 65}) {
                float[] a = random(r, offset + n);
                float[] b = random(r, offset + n);
                float[] h = random(r, n);
                assertThat(best.dot(a, offset, b, offset, n)).isCloseTo(scalar.dot(a, offset, b, offset, n), within(1e-4f));
                assertThat(best.weightedDot(h, a, offset, b, offset, n))
                        .isCloseTo(scalar.weightedDot(h, a, offset, b, offset, n), within(1e-4f));

                float[] y1 = b.clone();
                float[] y2 = b.clone();
                best.axpy(0.37f, a, offset, y1, offset, n);
                scalar.axpy(0.37f, a, offset, y2, offset, n);
                assertThat(y1).containsExactly(y2, within(1e-5f));
                best.weightedAxpy(-1.3f, h, a, offset, y1, offset, n);
                scalar.weightedAxpy(-1.3f, h, a, offset, y2, offset, n);
                assertThat(y1).containsExactly(y2, within(1e-5f));

                for (float decay : new float[]{1f, 0.9f}) {
                    float[] w1 = a.clone();
                    float[] w2 = a.clone();
                    float[] acc1 = new float[offset + n];
                    float[] acc2 = new float[offset + n];
                    for (int step = 0; step < 3; step++) {
                        best.adagrad(w1, offset, b, offset, acc1, offset, n, 0.1f, decay);
                        scalar.adagrad(w2, offset, b, offset, acc2, offset, n, 0.1f, decay);
                    }
                    assertThat(w1).containsExactly(w2, within(1e-5f));
                    assertThat(acc1).containsExactly(acc2, within(1e-5f));
                }
            }
        }
    }

    /**
     * Adagrad with bfloat16 accumulators, packed: both kernels give exactly the floats {@link OptimizerKind}'s
     * reference gives on unpacked accumulators (the same operations in the same order), and every accumulator is a
     * bfloat16.
     */
    @Test
    void bfloat16AdagradOnPackedAccumulatorsIsTheReferenceExactly() {
        Random r = new Random(6);
        for (int n : new int[]{1, 7, 16, 33, 64, 65, 129}) {
            for (int offset : new int[]{0, 3, 65}) {
                for (float decay : new float[]{1f, 0.9f}) {
                    float[] w = random(r, offset + n);
                    float[] g = random(r, offset + n);
                    float[] reference = w.clone();
                    float[] unpacked = new float[offset + n];
                    for (Kernels k : new Kernels[]{best, scalar}) {
                        float[] mine = w.clone();
                        float[] packed = new float[offset + Bfloat16Pairs.floats(n)];
                        for (int step = 0; step < 3; step++) {
                            k.adagradBfloat16(mine, offset, g, offset, packed, offset, n, 0.1f, decay);
                        }
                        float[] accumulators = new float[n];
                        Bfloat16Pairs.unpack(packed, offset, n, accumulators, 0);
                        if (k == best) {
                            for (int step = 0; step < 3; step++) {
                                for (int p = offset; p < offset + n; p++) {
                                    unpacked[p] = OptimizerKind.adagradBfloat16(reference, p, g[p], unpacked[p], 0.1f,
                                            decay);
                                }
                            }
                        }
                        assertThat(mine).as("%s, n %d, offset %d", k, n, offset).containsExactly(reference);
                        assertThat(accumulators).containsExactly(Arrays.copyOfRange(unpacked, offset, offset + n));
                        for (float a : accumulators) {
                            assertThat(Float.floatToRawIntBits(a) & 0xFFFF).as("a bfloat16: %s", a).isZero();
                            assertThat(a).isPositive();
                        }
                    }
                }
            }
        }
    }

    /**
     * Gradients so small that their squares are subnormal: such an accumulator keeps low bits set after rounding,
     * which must not spill into the value packed beside it (bit 15 is its sign: a negative sum, a NaN step).
     */
    @Test
    void subnormalAccumulatorsStayInTheirHalf() {
        Random r = new Random(8);
        int n = 64;
        for (Kernels k : new Kernels[]{best, scalar}) {
            for (int trial = 0; trial < 200; trial++) {
                float[] w = random(r, n);
                float[] g = new float[n];
                for (int p = 0; p < n; p++) {
                    g[p] = p < n / 2 ? 1f : (float) (r.nextDouble() * 1e-22); // the high halves' squares subnormal
                }
                float[] packed = new float[Bfloat16Pairs.floats(n)];
                for (int step = 0; step < 2; step++) {
                    k.adagradBfloat16(w, 0, g, 0, packed, 0, n, 0.1f, 1f);
                }
                float[] accumulators = new float[n];
                Bfloat16Pairs.unpack(packed, 0, n, accumulators, 0);
                for (int p = 0; p < n; p++) {
                    assertThat(w[p]).as("%s parameter %d", k, p).isFinite();
                    if (p < n / 2) {
                        assertThat(accumulators[p]).as("%s: two steps of g = 1", k).isEqualTo(2f);
                    } else {
                        assertThat(accumulators[p]).isBetween(0f, Float.MIN_NORMAL);
                    }
                }
            }
        }
    }

    @Test
    void packingRoundsToBfloat16AndUnpacksWhatItKept() {
        Random r = new Random(7);
        for (int n : new int[]{1, 2, 63, 64, 65}) {
            float[] values = random(r, n);
            float[] packed = new float[Bfloat16Pairs.floats(n) + 1];
            packed[packed.length - 1] = 42f;
            Bfloat16Pairs.pack(values, 0, n, packed, 0);
            float[] back = new float[n];
            Bfloat16Pairs.unpack(packed, 0, n, back, 0);
            for (int k = 0; k < n; k++) {
                assertThat(back[k]).isEqualTo(OptimizerKind.bfloat16(values[k]));
                assertThat(back[k]).isCloseTo(values[k], within(Math.abs(values[k]) / 256));
            }
            assertThat(packed[packed.length - 1]).as("nothing written past ceil(n/2) floats").isEqualTo(42f);
        }
    }

    private static float[] random(Random r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }
}
