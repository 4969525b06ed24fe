package io.streamrec.train.djl;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.streamrec.train.OptimizerKind;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The djl engine's update formulas against {@link OptimizerKind}'s, given the same gradient. */
class DeviceOptimizerTest {

    /**
     * Adagrad with bfloat16 accumulators: one update of a [rows, columns] block, the last column kept float32 (mf's
     * bias), leaves the accumulators bit for bit what {@link OptimizerKind#adagradBfloat16} gives the rounded columns
     * and {@link OptimizerKind#apply} the other, and the parameters within two ulps of their size.
     */
    @Test
    void roundsTheMarkedColumnsExactlyAsTheJavaReference() {
        int rows = 40;
        int columns = 9;
        SplittableRandom random = new SplittableRandom(11);
        float[] w = new float[rows * columns];
        float[] g = new float[rows * columns];
        float[] acc = new float[rows * columns];
        for (int k = 0; k < w.length; k++) {
            w[k] = (float) random.nextGaussian();
            g[k] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(-6, 2)));
            acc[k] = k % 3 == 0 ? 0f : OptimizerKind.bfloat16((float) random.nextDouble(0, 20));
        }
        float lr = 0.3f;
        float[] expectedW = w.clone();
        float[] expectedAcc = acc.clone();
        for (int k = 0; k < w.length; k++) {
            if (k % columns < columns - 1) {
                expectedAcc[k] = OptimizerKind.adagradBfloat16(expectedW, k, g[k], acc[k], lr, 1f);
            } else {
                OptimizerKind.ADAGRAD.apply(expectedW, k, g, k, expectedAcc, k, 1, lr, 1f);
            }
        }
        float[] marked = new float[columns];
        java.util.Arrays.fill(marked, 0, columns - 1, 1f);
        try (NDManager m = TorchRuntime.engine().newBaseManager(Device.cpu())) {
            DeviceOptimizer.Constants constants = new DeviceOptimizer.Constants(m.create(OptimizerKind.EPSILON),
                    m.create(OptimizerKind.BETA1), m.create(1 - OptimizerKind.BETA1), m.create(OptimizerKind.BETA2),
                    m.create(1 - OptimizerKind.BETA2), m.create(OptimizerKind.BFLOAT16_SPLITTER));
            DeviceOptimizer rule = new DeviceOptimizer(OptimizerKind.ADAGRAD, constants, null, null, m.create(marked));
            ai.djl.ndarray.types.Shape shape = new ai.djl.ndarray.types.Shape(rows, columns);
            NDArray weights = m.create(w, shape);
            NDArray sums = m.create(acc, shape);
            rule.apply(weights, m.create(g, shape), sums, null, m.create(lr), null, null);
            assertThat(sums.toFloatArray()).containsExactly(expectedAcc);
            // The steps agree to the float, not to the bit: libtorch's vectorised square root is sometimes one ulp
            // away from Java's correctly rounded one (measured: 10 of 360 parameters here, by one ulp).
            float[] got = weights.toFloatArray();
            for (int k = 0; k < got.length; k++) {
                float scale = Math.abs(w[k]) + Math.abs(expectedW[k]); // the step's size, or the parameter's
                assertThat(got[k]).as("parameter %d", k).isCloseTo(expectedW[k], within(2 * Math.ulp(scale)));
            }
        }
    }
}
