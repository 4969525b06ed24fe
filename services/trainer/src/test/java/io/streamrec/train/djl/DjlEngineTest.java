package io.streamrec.train.djl;

import ai.djl.Device;
import io.streamrec.dataset.RatingLog;
import io.streamrec.dataset.synthetic.SyntheticConfig;
import io.streamrec.dataset.synthetic.SyntheticRatings;
import io.streamrec.train.DenseTensor;
import io.streamrec.train.Engine;
import io.streamrec.train.Engines;
import io.streamrec.train.ModelLayout;
import io.streamrec.train.OnlineTrainer;
import io.streamrec.train.OptimizerKind;
import io.streamrec.dataset.RatingBatch;
import io.streamrec.train.Samples;
import io.streamrec.train.Table;
import io.streamrec.train.TestSamples;
import io.streamrec.train.TrainerConfig;
import io.streamrec.train.arrays.JavaEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static io.streamrec.train.TestConfigs.config;
import static io.streamrec.train.TestSamples.params;
import static io.streamrec.train.TestSamples.samples;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class DjlEngineTest {
    /**
     * How far the engines may drift apart, relative to a value (with 1e-4 as the smallest scale). Both engines
     * apply identical elementwise formulas in the same operation order; they differ only in the order of float32
     * sums (the gradient over a row's samples, dot products, the mean loss). A sum of K terms is off by at most
     * about K·2⁻²⁴ of its terms' magnitude: with the ≤ 300 samples here that is ≈ 2e-5, doubled at most by the
     * adaptive optimizers (g/√acc carries the errors of both) and carried over three steps. Measured: ≤ 4e-6 for
     * SGD, ≤ 5e-5 for Adagrad/Adam. 1e-3 leaves a 20x margin, while any real difference in the maths (a missing L2
     * term is ≈ 1e-2 of these gradients, a wrong formula far more) is well above it.
     */
    static final double TOLERANCE = 1e-3;

    static DjlEngine djl(TrainerConfig c) {
        return new DjlEngine(new ModelLayout(c), Device.cpu());
    }

    static Stream<Arguments> dotModels() {
        return Stream.of("mf", "gmf").flatMap(m -> Stream.of("implicit", "explicit").flatMap(o ->
                Stream.of("sgd", "adagrad", "rowwise-adagrad", "adam").map(opt -> Arguments.of(m, o, opt))));
    }

    /** With float32 accumulators: the maths to float rounding (a bfloat16 one is checked apart, below). */
    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("dotModels")
    void enginesAgreeOnLossRowsStateAndDenseTensors(String model, String objective, String optimizer) {
        assertEnginesAgree(TOLERANCE, e -> { }, "trainer.model", model, "trainer.objective", objective,
                "trainer.optimizer", optimizer, "trainer.adagrad-state", "float32");
    }

    /**
     * Adagrad's accumulators kept to bfloat16 (the default): both engines round with the same float operations, but
     * a sum ordered differently may land an accumulator one bfloat16 step (2⁻⁸ of it) away, and its parameter's step
     * 2⁻⁹ of itself away, so the values agree within 1e-2. That every factor's accumulator of both engines is a
     * bfloat16 (its float's low 16 bits zero), and mf's bias's not, shows that both round what they should.
     */
    @ParameterizedTest(name = "{0} {1} d={2}")
    @CsvSource({"mf,implicit,8", "mf,explicit,8", "gmf,implicit,8", "gmf,explicit,8", "mf,implicit,7", "gmf,implicit,7"})
    void enginesAgreeWithBfloat16Accumulators(String model, String objective, int dim) {
        assertEnginesAgree(1e-2, e -> {
            int width = e.layout().width();
            int params = 20 * width;
            float[] users = TestSamples.rowsAndState(e, Table.USERS, 20);
            int roundedBits = 0;
            for (int k = params; k < users.length; k++) {
                boolean factor = (k - params) % width < dim; // mf's bias after the factors
                boolean isBfloat16 = (Float.floatToRawIntBits(users[k]) & 0xFFFF) == 0;
                if (factor) {
                    assertThat(isBfloat16).as("%s: user accumulator %d, %s", e.description(), k - params, users[k])
                            .isTrue();
                } else if (isBfloat16) {
                    roundedBits++;
                }
            }
            assertThat(roundedBits).as("%s: mf's bias accumulators stay float32", e.description()).isLessThan(3);
            assertThat(users[params]).as("trained: the accumulators have grown").isPositive();
        }, "trainer.model", model, "trainer.objective", objective, "trainer.optimizer", "adagrad",
                "trainer.adagrad-state", "bfloat16", "trainer.dim", dim);
    }

    /**
     * A checkpoint's float32 accumulators, restored into either engine under bfloat16: the factors' are kept rounded
     * (what the engine's own steps would have left), mf's bias's as they were, the parameters untouched.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"mf", "gmf"})
    void float32AccumulatorsImportedUnderBfloat16AreKeptRounded(String model) {
        TrainerConfig c = config("trainer.model", model, "trainer.dim", 7, "trainer.adagrad-state", "bfloat16");
        int width = c.rowWidth();
        int n = 5;
        int[] rows = IntStream.range(0, n).map(r -> 2 * r + 1).toArray();
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        float[] params = new float[n * width];
        float[] state = new float[n * width];
        for (int k = 0; k < params.length; k++) {
            params[k] = (float) random.nextGaussian();
            state[k] = (float) random.nextDouble(1e-6, 50);
        }
        try (JavaEngine java = new JavaEngine(new ModelLayout(c)); DjlEngine djl = djl(c)) {
            for (Engine e : new Engine[]{java, djl}) {
                e.importRows(Table.ITEMS, rows, n, params, state);
                float[] outParams = new float[n * width];
                float[] outState = new float[n * width];
                e.exportRows(Table.ITEMS, rows, n, outParams, outState);
                assertThat(outParams).as(e.description()).containsExactly(params);
                float[] paramsAlone = new float[n * width];
                e.exportRows(Table.ITEMS, rows, n, paramsAlone, null);
                assertThat(paramsAlone).as("%s, parameters alone", e.description()).containsExactly(params);
                for (int k = 0; k < state.length; k++) {
                    boolean factor = k % width < 7;
                    assertThat(outState[k]).as("%s state %d", e.description(), k)
                            .isEqualTo(factor ? OptimizerKind.bfloat16(state[k]) : state[k]);
                }
            }
        }
    }

    /** Steps a java and a djl engine three times on the same samples; then checks each with {@code alsoEach}. */
    private static void assertEnginesAgree(double tolerance, java.util.function.Consumer<Engine> alsoEach,
                                           Object... settings) {
        Object[] all = new Object[8 + settings.length]; // the case's own settings last, so that they win
        System.arraycopy(new Object[]{"trainer.dim", 8, "trainer.l2", 0.01, "trainer.init-std", 0.3, "trainer.threads", 1},
                0, all, 0, 8);
        System.arraycopy(settings, 0, all, 8, settings.length);
        TrainerConfig c = config(all);
        Samples s = samples(300, 20, 30, c.objective() == io.streamrec.train.Objective.EXPLICIT, 7);
        try (JavaEngine java = new JavaEngine(new ModelLayout(c)); DjlEngine djl = djl(c)) {
            java.ensureRows(20, 30);
            djl.ensureRows(20, 30);
            assertSameRows(java, djl, 0);
            for (int step = 0; step < 3; step++) {
                float expected = java.step(s, 0.05f);
                assertClose(djl.step(s, 0.05f), expected, "loss of step " + step);
            }
            assertClose(djl.loss(s), java.loss(s), "loss after the steps");
            assertSameRows(java, djl, tolerance);
            assertSameDense(java.exportDense(), djl.exportDense(), tolerance);
            alsoEach.accept(java);
            alsoEach.accept(djl);
        }
    }

    /** Every row's parameters and optimizer state agree; Adam's step counts (int bits) exactly. */
    static void assertSameRows(Engine expected, Engine actual, double tolerance) {
        int width = expected.layout().width();
        int stateWidth = expected.layout().stateWidth();
        boolean adam = expected.layout().config().optimizer() == OptimizerKind.ADAM;
        for (Table t : Table.values()) {
            int n = t == Table.USERS ? 20 : 30;
            float[] a = TestSamples.rowsAndState(expected, t, n);
            float[] b = TestSamples.rowsAndState(actual, t, n);
            for (int k = 0; k < a.length; k++) {
                boolean stepCount = adam && k >= n * width && (k - n * width) % stateWidth == stateWidth - 1;
                if (stepCount) {
                    assertThat(Float.floatToRawIntBits(b[k])).as("%s Adam step count at %d", t, k)
                            .isEqualTo(Float.floatToRawIntBits(a[k]));
                } else {
                    assertThat((double) b[k]).as("%s float %d of %d", t, k, a.length)
                            .isCloseTo(a[k], within(tolerance * (1e-4 + Math.abs(a[k]))));
                }
            }
        }
    }

    static void assertSameDense(Map<String, DenseTensor> expected, Map<String, DenseTensor> actual, double tolerance) {
        assertThat(actual.keySet()).containsExactlyElementsOf(expected.keySet());
        for (String name : expected.keySet()) {
            DenseTensor a = expected.get(name);
            DenseTensor b = actual.get(name);
            assertThat(b.shape()).as(name).containsExactly(a.shape());
            assertThat(b.state().length).as(name + " state").isEqualTo(a.state().length);
            float[] av = concat(a.values(), a.state());
            float[] bv = concat(b.values(), b.state());
            for (int k = 0; k < av.length; k++) {
                assertThat((double) bv[k]).as("%s float %d", name, k)
                        .isCloseTo(av[k], within(tolerance * (1e-4 + Math.abs(av[k]))));
            }
        }
    }

    static void assertClose(float actual, float expected, String what) {
        assertThat((double) actual).as(what).isCloseTo(expected, within(TOLERANCE * (1e-4 + Math.abs(expected))));
    }

    private static float[] concat(float[] a, float[] b) {
        float[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /**
     * One SGD step gives the analytic gradient, g = (w − w')/lr, of every row parameter and dense weight; it must
     * match a central difference of the full objective (mean loss + the L2 term). ReLU makes the objective
     * piecewise smooth: where a unit's input crosses zero within ±eps of a parameter, no finite difference
     * measures the gradient. Such a parameter shows itself by one-sided differences that disagree, and is
     * skipped; at most a tenth of the parameters may be.
     */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"ncf-mlp,implicit", "ncf-mlp,explicit", "neumf,implicit", "neumf,explicit"})
    void gradientsMatchFiniteDifferences(String model, String objective) {
        TrainerConfig c = config("trainer.model", model, "trainer.objective", objective, "trainer.dim", 3,
                "trainer.mlp-dim", 2, "trainer.layers", "6,3", "trainer.dropout", 0, "trainer.optimizer", "sgd",
                "trainer.l2", 0.01, "trainer.init-std", 0.5, "trainer.rating-min", 0.5, "trainer.rating-max", 5.5);
        Samples s = samples(40, 4, 5, objective.equals("explicit"), 11);
        float lr = 1e-3f;
        int checked = 0;
        int kinks = 0;
        try (DjlEngine stepped = djl(c); DjlEngine probe = djl(c)) {
            stepped.ensureRows(4, 5);
            probe.ensureRows(4, 5);
            Map<String, DenseTensor> before = stepped.exportDense();
            float[][] rowsBefore = {TestSamples.rowsAndState(stepped, Table.USERS, 4),
                    TestSamples.rowsAndState(stepped, Table.ITEMS, 5)};
            stepped.step(s, lr);
            Map<String, DenseTensor> after = stepped.exportDense();
            float[][] rowsAfter = {TestSamples.rowsAndState(stepped, Table.USERS, 4),
                    TestSamples.rowsAndState(stepped, Table.ITEMS, 5)};
            int width = c.rowWidth();
            for (Table t : Table.values()) {
                for (int k = 0; k < rowsBefore[t.ordinal()].length; k++) {
                    int row = k / width;
                    int col = k % width;
                    Difference numeric = new Difference(delta -> rowObjective(probe, c, s, t, row, col, delta));
                    checked++;
                    if (numeric.kink()) {
                        kinks++;
                        continue;
                    }
                    double analytic = (rowsBefore[t.ordinal()][k] - rowsAfter[t.ordinal()][k]) / lr;
                    assertThat(analytic).as("%s %s %s row %d param %d", model, objective, t, row, col)
                            .isCloseTo(numeric.central(), within(2e-3 + 0.02 * Math.abs(numeric.central())));
                }
            }
            for (String name : before.keySet()) {
                float[] w = before.get(name).values();
                for (int k = 0; k < w.length; k++) {
                    int index = k;
                    Difference numeric = new Difference(delta -> denseLoss(probe, s, before, name, index, delta));
                    checked++;
                    if (numeric.kink()) {
                        kinks++;
                        continue;
                    }
                    double analytic = (w[k] - after.get(name).values()[k]) / lr;
                    assertThat(analytic).as("%s %s %s[%d]", model, objective, name, k)
                            .isCloseTo(numeric.central(), within(2e-3 + 0.02 * Math.abs(numeric.central())));
                }
            }
        }
        assertThat(kinks).as("parameters at a ReLU kink, of %d", checked).isLessThanOrEqualTo(checked / 10);
    }

    /** Finite differences of f at 0 with step 1e-3 (the objective is float32: smaller steps drown in rounding). */
    private static final class Difference {
        private static final double EPS = 1e-3;
        private final double forward;
        private final double backward;

        Difference(DoubleUnaryOperator f) {
            double at = f.applyAsDouble(0);
            forward = (f.applyAsDouble(EPS) - at) / EPS;
            backward = (at - f.applyAsDouble(-EPS)) / EPS;
        }

        double central() {
            return (forward + backward) / 2;
        }

        /** The slope jumps within ±eps: a smooth objective's one-sided slopes differ by about f''·eps only. */
        boolean kink() {
            return Math.abs(forward - backward) > 2e-3 + 0.02 * Math.abs(central());
        }
    }

    /** Mean loss + mean over samples of l2·(|u|² + |v|²), with one row parameter moved by delta. */
    private static double rowObjective(Engine e, TrainerConfig c, Samples s, Table table, int row, int col,
                                       double delta) {
        float[] original = params(e, table, row);
        float[] p = original.clone();
        p[col] += (float) delta;
        e.importRows(table, new int[]{row}, 1, p, new float[0]);
        double l2 = 0;
        for (int j = 0; j < s.size(); j++) {
            l2 += squaredNorm(params(e, Table.USERS, s.users()[j])) + squaredNorm(params(e, Table.ITEMS, s.items()[j]));
        }
        double objective = e.loss(s) + c.l2() * l2 / s.size();
        e.importRows(table, new int[]{row}, 1, original, new float[0]);
        return objective;
    }

    /** Mean loss with one dense weight moved by delta. */
    private static double denseLoss(Engine e, Samples s, Map<String, DenseTensor> dense, String name, int k,
                                    double delta) {
        float[] changed = dense.get(name).values().clone();
        changed[k] += (float) delta;
        Map<String, DenseTensor> copy = new LinkedHashMap<>(dense);
        copy.put(name, new DenseTensor(dense.get(name).shape(), changed, dense.get(name).state()));
        e.importDense(copy);
        double loss = e.loss(s);
        e.importDense(dense);
        return loss;
    }

    private static double squaredNorm(float[] v) {
        double sum = 0;
        for (float x : v) {
            sum += x * x;
        }
        return sum;
    }

    @ParameterizedTest
    @CsvSource({"mf,adagrad", "neumf,adam", "ncf-mlp,rowwise-adagrad"})
    void growingKeepsExistingRowsAndStateIntact(String model, String optimizer) {
        TrainerConfig c = config("trainer.model", model, "trainer.optimizer", optimizer, "trainer.dim", 16);
        try (DjlEngine e = djl(c)) {
            e.ensureRows(10, 10);
            e.step(samples(200, 10, 10, false, 3), 0.05f);
            float[] users = TestSamples.rowsAndState(e, Table.USERS, 10);
            float[] items = TestSamples.rowsAndState(e, Table.ITEMS, 10);
            for (int rows : new int[]{1_500, 3_100, 100_000}) {
                e.ensureRows(rows, rows / 2);
                assertThat(TestSamples.rowsAndState(e, Table.USERS, 10)).containsExactly(users);
                assertThat(TestSamples.rowsAndState(e, Table.ITEMS, 10)).containsExactly(items);
            }
            ModelLayout layout = new ModelLayout(c);
            for (int row : new int[]{10, 1_023, 1_024, 49_999}) {
                float[] expected = new float[c.rowWidth()];
                layout.initRows(Table.ITEMS, row, row + 1, expected);
                assertThat(params(e, Table.ITEMS, row)).as("fresh item row %d", row).containsExactly(expected);
            }
            assertThatThrownBy(() -> params(e, Table.ITEMS, 50_000)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("does not exist");
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"mf,adam", "mf,rowwise-adagrad", "gmf,adagrad"})
    void rowsExportedFromOneEngineRebuildTheOther(String model, String optimizer) {
        TrainerConfig c = config("trainer.model", model, "trainer.optimizer", optimizer, "trainer.dim", 8,
                "trainer.threads", 1);
        Samples s = samples(500, 20, 30, false, 5);
        try (JavaEngine java = new JavaEngine(new ModelLayout(c)); DjlEngine djl = djl(c)) {
            java.ensureRows(20, 30);
            java.step(s, 0.05f);
            java.step(s, 0.05f);
            try (DjlEngine fromJava = djl(c.withSeed(99))) {
                copy(java, fromJava);
                assertSameRows(java, fromJava, 0);
                assertSameDense(java.exportDense(), fromJava.exportDense(), 0);
                assertClose(fromJava.step(s, 0.05f), java.step(s, 0.05f), "loss after import");
                assertSameRows(java, fromJava, TOLERANCE);
            }
            djl.ensureRows(20, 30);
            djl.step(s, 0.05f);
            djl.step(s, 0.05f);
            try (JavaEngine fromDjl = new JavaEngine(new ModelLayout(c.withSeed(99)))) {
                copy(djl, fromDjl);
                assertSameRows(djl, fromDjl, 0);
                assertSameDense(djl.exportDense(), fromDjl.exportDense(), 0);
                assertClose(fromDjl.step(s, 0.05f), djl.step(s, 0.05f), "loss after import");
                assertSameRows(djl, fromDjl, TOLERANCE);
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"ncf-mlp,adam", "neumf,adagrad"})
    void exportedStateRebuildsAnIdenticalDjlEngine(String model, String optimizer) {
        TrainerConfig c = config("trainer.model", model, "trainer.optimizer", optimizer, "trainer.dim", 8,
                "trainer.mlp-dim", 4, "trainer.layers", "16,8");
        Samples s = samples(500, 20, 30, false, 5);
        try (DjlEngine a = djl(c); DjlEngine b = djl(c.withSeed(99))) {
            a.ensureRows(20, 30);
            a.step(s, 0.05f);
            a.step(s, 0.05f);
            copy(a, b);
            assertThat(b.step(s, 0.05f)).isEqualTo(a.step(s, 0.05f));
            assertSameRows(a, b, 0);
            assertSameDense(a.exportDense(), b.exportDense(), 0);
        }
    }

    /** Every row (20 users, 30 items) and the dense tensors, through the exchange formats only. */
    private static void copy(Engine from, Engine to) {
        int w = from.layout().width();
        int sw = from.layout().stateWidth();
        for (Table t : Table.values()) {
            int n = t == Table.USERS ? 20 : 30;
            int[] rows = IntStream.range(0, n).toArray();
            float[] p = new float[n * w];
            float[] st = new float[n * sw];
            from.exportRows(t, rows, n, p, st);
            to.importRows(t, rows, n, p, st);
        }
        to.importDense(from.exportDense());
    }

    @ParameterizedTest
    @CsvSource({"mf", "gmf", "ncf-mlp", "neumf"})
    void scoreAllRanksLikePairwiseScores(String model) {
        TrainerConfig c = config("trainer.model", model, "trainer.dim", 8, "trainer.mlp-dim", 4, "trainer.layers",
                "16,8", "trainer.init-std", 0.3);
        try (DjlEngine e = djl(c)) {
            e.ensureRows(7, 50);
            e.step(samples(400, 7, 50, false, 9), 0.1f);
            int[] users = {6, 0, 3};
            float[] all = new float[users.length * 40];
            e.scoreAll(users, users.length, 40, all);
            int[] u = new int[all.length];
            int[] i = new int[all.length];
            for (int k = 0; k < all.length; k++) {
                u[k] = users[k / 40];
                i[k] = k % 40;
            }
            float[] pairs = new float[all.length];
            e.score(u, i, all.length, pairs);
            assertThat(all).containsExactly(pairs, within(1e-5f));
        }
    }

    @ParameterizedTest
    @CsvSource({"mf", "gmf"})
    void scoresMatchTheJavaEngine(String model) {
        TrainerConfig c = config("trainer.model", model, "trainer.dim", 8, "trainer.init-std", 0.3, "trainer.threads", 1);
        try (JavaEngine java = new JavaEngine(new ModelLayout(c)); DjlEngine djl = djl(c)) {
            java.ensureRows(5, 30);
            djl.ensureRows(5, 30);
            float[] a = new float[5 * 30];
            float[] b = new float[5 * 30];
            java.scoreAll(new int[]{0, 1, 2, 3, 4}, 5, 30, a);
            djl.scoreAll(new int[]{0, 1, 2, 3, 4}, 5, 30, b);
            assertThat(b).containsExactly(a, within(1e-6f));
        }
    }

    @Test
    void dropoutActsWhileTrainingOnlyAndIsRepeatable() {
        TrainerConfig c = config("trainer.model", "ncf-mlp", "trainer.dim", 8, "trainer.layers", "16,8",
                "trainer.dropout", 0.5, "trainer.init-std", 0.3);
        Samples s = samples(300, 10, 20, false, 4);
        try (DjlEngine first = djl(c)) {
            first.ensureRows(10, 20);
            float before = first.loss(s);
            assertThat(first.loss(s)).as("evaluation has no dropout").isEqualTo(before);
            float trained = first.step(s, 0.05f);
            assertThat(trained).as("the training forward pass drops units").isNotEqualTo(before);
            float[] rows = TestSamples.rowsAndState(first, Table.ITEMS, 20);
            try (DjlEngine second = djl(c)) {
                second.ensureRows(10, 20);
                assertThat(second.step(s, 0.05f)).isEqualTo(trained);
                assertThat(TestSamples.rowsAndState(second, Table.ITEMS, 20)).containsExactly(rows);
            }
        }
    }

    /** Through the whole trainer (vocabulary, negatives, growth): every model learns the planted structure. */
    @ParameterizedTest
    @CsvSource({"mf", "gmf", "ncf-mlp", "neumf"})
    void learnsFromASyntheticStream(String model) {
        TrainerConfig c = config("trainer.model", model, "trainer.engine", "djl", "trainer.device", "cpu",
                "trainer.dim", 16, "trainer.mlp-dim", 8, "trainer.layers", "32,16", "trainer.init-std", 0.1);
        RatingLog log = new SyntheticRatings(SyntheticConfig.of(500, 300, 40_000, 1)).log();
        try (OnlineTrainer trainer = new OnlineTrainer(c, Engines.create(c))) {
            float[] losses = new float[log.size() / 500];
            for (int b = 0; b < losses.length; b++) {
                losses[b] = trainer.train(RatingBatch.of(log, b * 500, (b + 1) * 500));
            }
            double last = IntStream.range(losses.length - 5, losses.length).mapToDouble(b -> losses[b]).average()
                    .orElseThrow();
            assertThat(last).as("mean loss of the last five batches, against the untrained first batch's")
                    .isLessThan(0.75 * losses[0]);
        }
    }

    @Test
    void rowsNeverEnsuredAreAClearError() {
        try (DjlEngine e = djl(config("trainer.dim", 4))) {
            e.ensureRows(3, 3);
            Samples s = new Samples();
            s.add(1, 3, 1f);
            assertThatThrownBy(() -> e.step(s, 0.1f)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("ITEMS row 3 does not exist");
            s.clear();
            s.add(1, 2, 1f);
            assertThat(e.step(s, 0.1f)).as("the engine keeps working").isFinite();
        }
    }
}
