package io.streamrec.train.arrays;

import org.junit.jupiter.api.Test;

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

    private static float[] random(Random r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }
}
