package io.streamrec.train.arrays;

import io.streamrec.train.DenseTensor;
import io.streamrec.train.ModelLayout;
import io.streamrec.train.Samples;
import io.streamrec.train.Table;
import io.streamrec.train.TrainerConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.streamrec.train.TestConfigs.config;
import static io.streamrec.train.TestSamples.params;
import static io.streamrec.train.TestSamples.samples;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class JavaEngineTest {

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"mf,implicit", "mf,explicit", "gmf,implicit", "gmf,explicit"})
    void gradientsMatchFiniteDifferences(String model, String objective) {
        TrainerConfig c = config("trainer.model", model, "trainer.objective", objective, "trainer.dim", 6,
                "trainer.optimizer", "sgd", "trainer.l2", 0.01, "trainer.init-std", 0.5, "trainer.threads", 1);
        Samples s = samples(12, 3, 4, objective.equals("explicit"), 1);
        float lr = 1e-3f;
        int width = c.rowWidth();
        for (Table table : Table.values()) {
            for (int row = 0; row < 3; row++) {
                // analytic gradient from one SGD step: w' = w - lr * g
                JavaEngine e = engine(c);
                float[] before = params(e, table, row);
                e.step(s, lr);
                float[] after = params(e, table, row);
                for (int k = 0; k < width; k++) {
                    double analytic = (before[k] - after[k]) / lr;
                    double numeric = numericGradient(c, s, table, row, k);
                    assertThat(analytic).as("%s %s %s row %d param %d", model, objective, table, row, k)
                            .isCloseTo(numeric, within(2e-3 + 0.02 * Math.abs(numeric)));
                }
                e.close();
            }
        }
    }

    @Test
    void denseGradientsMatchFiniteDifferences() {
        TrainerConfig c = config("trainer.model", "gmf", "trainer.dim", 5, "trainer.optimizer", "sgd",
                "trainer.init-std", 0.5, "trainer.threads", 1);
        Samples s = samples(10, 3, 3, false, 2);
        float lr = 1e-3f;
        JavaEngine e = engine(c);
        float[] before = e.exportDense().get("out.weight").values().clone();
        e.step(s, lr);
        float[] after = e.exportDense().get("out.weight").values();
        for (int k = 0; k < before.length; k++) {
            int kk = k;
            double eps = 1e-3;
            double plus = lossWithDense(c, s, w -> w[kk] += eps);
            double minus = lossWithDense(c, s, w -> w[kk] -= eps);
            assertThat((double) (before[k] - after[k]) / lr).isCloseTo((plus - minus) / (2 * eps), within(2e-3));
        }
        e.close();
    }

    private static double lossWithDense(TrainerConfig c, Samples s, java.util.function.Consumer<float[]> change) {
        JavaEngine e = engine(c);
        Map<String, DenseTensor> dense = e.exportDense();
        change.accept(dense.get("out.weight").values());
        e.importDense(dense);
        double loss = e.loss(s);
        e.close();
        return loss;
    }

    /** Central difference of the full objective: mean loss + mean over samples of l2·(|u|² + |v|²). */
    private static double numericGradient(TrainerConfig c, Samples s, Table table, int row, int k) {
        double eps = 1e-3;
        return (objective(c, s, table, row, k, eps) - objective(c, s, table, row, k, -eps)) / (2 * eps);
    }

    private static double objective(TrainerConfig c, Samples s, Table table, int row, int k, double delta) {
        JavaEngine e = engine(c);
        float[] p = params(e, table, row);
        p[k] += (float) delta;
        e.importRows(table, new int[]{row}, 1, p, new float[0]);
        double l2 = 0;
        for (int j = 0; j < s.size(); j++) {
            l2 += squaredNorm(params(e, Table.USERS, s.users()[j])) + squaredNorm(params(e, Table.ITEMS, s.items()[j]));
        }
        double total = e.loss(s) + c.l2() * l2 / s.size();
        e.close();
        return total;
    }

    private static double squaredNorm(float[] v) {
        double sum = 0;
        for (float x : v) {
            sum += x * x;
        }
        return sum;
    }

    static JavaEngine engine(TrainerConfig c) {
        JavaEngine e = new JavaEngine(new ModelLayout(c));
        e.ensureRows(8, 8);
        return e;
    }

    @Test
    void growingKeepsExistingRowsIntact() {
        TrainerConfig c = config("trainer.dim", 16);
        JavaEngine e = new JavaEngine(new ModelLayout(c));
        e.ensureRows(10, 10);
        e.step(samples(200, 10, 10, false, 3), 0.05f);
        float[][] users = new float[10][];
        float[][] items = new float[10][];
        for (int r = 0; r < 10; r++) {
            users[r] = params(e, Table.USERS, r);
            items[r] = params(e, Table.ITEMS, r);
        }
        e.ensureRows(100_000, 50_000);
        for (int r = 0; r < 10; r++) {
            assertThat(params(e, Table.USERS, r)).containsExactly(users[r]);
            assertThat(params(e, Table.ITEMS, r)).containsExactly(items[r]);
        }
        float[] fresh = params(e, Table.ITEMS, 49_999);
        float[] expected = new float[c.rowWidth()];
        new ModelLayout(c).initRows(Table.ITEMS, 49_999, 50_000, expected);
        assertThat(fresh).containsExactly(expected);
        e.close();
    }

    @ParameterizedTest
    @CsvSource({"mf,adagrad", "mf,adam", "gmf,rowwise-adagrad", "mf,sgd"})
    void twoThreadsComputeWhatOneThreadDoes(String model, String optimizer) {
        Samples s = samples(20_000, 3000, 2000, false, 4);
        assertTwoThreadsMatchOne(97, new Object[]{"trainer.model", model, "trainer.optimizer", optimizer,
                "trainer.adagrad-state", "float32"}, 1e-5f, s, s, s);
    }

    @Test
    void smallBatchesAfterLargeOnesDoNotPickUpStaleGradients() {
        Samples large = samples(20_000, 3000, 2000, false, 6);
        Samples small = samples(100, 3000, 2000, false, 7);
        assertTwoThreadsMatchOne(31, new Object[]{"trainer.adagrad-state", "float32"}, 1e-5f, large, small, large, small);
    }

    /**
     * With bfloat16 accumulators (the default) two threads sum a row's gradients in another order, and an accumulator
     * may then round one bfloat16 step the other way: its parameter's step 2⁻⁹ of itself apart, under 1e-4 here.
     */
    @Test
    void twoThreadsComputeWhatOneThreadDoesWithBfloat16Accumulators() {
        Samples s = samples(20_000, 3000, 2000, false, 4);
        assertTwoThreadsMatchOne(97, new Object[]{"trainer.adagrad-state", "bfloat16"}, 1e-3f, s, s, s);
    }

    /**
     * Steps a one-thread and a two-thread engine through the batches; losses and item rows must agree within
     * {@code tolerance}: 1e-5 with float32 accumulators (the tests above), where only the order of float sums differs.
     */
    private static void assertTwoThreadsMatchOne(int rowStride, Object[] settings, float tolerance, Samples... batches) {
        Object[] withOne = java.util.Arrays.copyOf(settings, settings.length + 2);
        Object[] withTwo = java.util.Arrays.copyOf(settings, settings.length + 2);
        withOne[settings.length] = withTwo[settings.length] = "trainer.threads";
        withOne[settings.length + 1] = 1;
        withTwo[settings.length + 1] = 2;
        JavaEngine one = new JavaEngine(new ModelLayout(config(withOne)));
        JavaEngine two = new JavaEngine(new ModelLayout(config(withTwo)));
        one.ensureRows(3000, 2000);
        two.ensureRows(3000, 2000);
        for (Samples s : batches) {
            assertThat(two.step(s, 0.05f)).isCloseTo(one.step(s, 0.05f), within(tolerance));
        }
        for (int r = 0; r < 2000; r += rowStride) {
            assertThat(params(two, Table.ITEMS, r)).containsExactly(params(one, Table.ITEMS, r), within(tolerance));
        }
        one.close();
        two.close();
    }

    @Test
    void exportedRowsAndStateRebuildAnIdenticalEngine() {
        TrainerConfig c = config("trainer.optimizer", "adam");
        JavaEngine a = new JavaEngine(new ModelLayout(c));
        a.ensureRows(50, 40);
        Samples s = samples(500, 50, 40, false, 5);
        a.step(s, 0.05f);
        a.step(s, 0.05f);
        int[] users = java.util.stream.IntStream.range(0, 50).toArray();
        int[] items = java.util.stream.IntStream.range(0, 40).toArray();
        int w = a.layout().width();
        int sw = a.layout().stateWidth();
        float[] up = new float[50 * w], us = new float[50 * sw], ip = new float[40 * w], is = new float[40 * sw];
        a.exportRows(Table.USERS, users, 50, up, us);
        a.exportRows(Table.ITEMS, items, 40, ip, is);

        JavaEngine b = new JavaEngine(new ModelLayout(c.withSeed(99)));
        b.importRows(Table.USERS, users, 50, up, us);
        b.importRows(Table.ITEMS, items, 40, ip, is);
        b.importDense(a.exportDense());
        assertThat(b.step(s, 0.05f)).isEqualTo(a.step(s, 0.05f));
        float[] after = new float[40 * w];
        float[] afterB = new float[40 * w];
        a.exportRows(Table.ITEMS, items, 40, after, new float[40 * sw]);
        b.exportRows(Table.ITEMS, items, 40, afterB, new float[40 * sw]);
        assertThat(afterB).containsExactly(after);
        a.close();
        b.close();
    }
}
