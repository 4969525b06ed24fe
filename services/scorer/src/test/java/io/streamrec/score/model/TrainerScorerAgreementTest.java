package io.streamrec.score.model;

import io.streamrec.config.Settings;
import io.streamrec.contract.FactorRow;
import io.streamrec.contract.ModelKind;
import io.streamrec.contract.Topics;
import io.streamrec.snapshot.ChangedRows;
import io.streamrec.snapshot.ServedRows;
import io.streamrec.snapshot.ServingSnapshot;
import io.streamrec.snapshot.SinceLastSnapshot;
import io.streamrec.snapshot.SnapshotCapture;
import io.streamrec.train.Table;
import io.streamrec.train.Engines;
import io.streamrec.train.Objective;
import io.streamrec.train.OnlineTrainer;
import io.streamrec.dataset.RatingBatch;
import io.streamrec.train.TrainerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * One home per model, checked: a snapshot the trainer publishes is scored by the trainer's engine and by the
 * scorer (its ranking kernels and the fold-in's pair score), for every model, objective and engine, and the scores
 * must be the same. A change to either side's formula for any model fails here.
 */
class TrainerScorerAgreementTest {
    private static final int USERS = 40;
    private static final int ITEMS = 60;
    private static final ServedRows.Rule RULE = new ServedRows.Rule(0.05, 1000, Integer.MAX_VALUE, FactorRow.Precision.FLOAT16);

    static Stream<Arguments> models() {
        List<Arguments> cases = new ArrayList<>();
        for (ModelKind kind : ModelKind.values()) {
            for (Objective objective : Objective.values()) {
                cases.add(Arguments.of(kind, objective, "djl"));
                if (kind.linear()) {
                    cases.add(Arguments.of(kind, objective, "java"));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1} on {2}")
    @MethodSource("models")
    void theScorerScoresAPublishedSnapshotAsTheTrainerDoes(ModelKind kind, Objective objective, String engine) {
        TrainerConfig config = TrainerConfig.from(Settings.defaults().with("trainer.model", kind.id())
                .with("trainer.objective", objective.name().toLowerCase()).with("trainer.engine", engine)
                .with("trainer.device", "cpu").with("trainer.dim", 8).with("trainer.mlp-dim", 4)
                .with("trainer.layers", "8,4").with("trainer.batch-size", 64).with("trainer.init-std", 0.3));
        try (OnlineTrainer trainer = new OnlineTrainer(config, Engines.create(config))) {
            ChangedRows changed = new ChangedRows();
            trainer.addListener(changed);
            trainSomething(trainer);
            int width = trainer.engine().layout().width();
            ServingSnapshot snapshot = SnapshotCapture.serving(trainer, changed, new ServedRows(Table.USERS, width, RULE),
                    new ServedRows(Table.ITEMS, width, RULE), 1,
                    new SinceLastSnapshot.Covered(Map.of(), Map.of(), trainer.eventsTrained(), List.of(), Double.NaN),
                    Map.of(), true, false);

            ModelSpec spec = ModelSpec.of(snapshot.manifest());
            ItemFactors items = new ItemFactors();
            items.reset(spec.width());
            Map<Long, float[]> users = new HashMap<>();
            List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
            snapshot.rows().forEach(rows -> rows.forEachRecord(records::add));
            for (ProducerRecord<byte[], byte[]> r : records) {
                long id = Long.parseLong(new String(r.key(), StandardCharsets.UTF_8));
                float[] params = FactorRow.decode(r.value()).params();
                boolean item = r.topic().equals(Topics.ITEM_FACTORS.name());
                if (item) {
                    items.put(id, params);
                } else {
                    users.put(id, params);
                }
                // The trainer's engine scores the served (float16) parameters too: this test is about the formulas.
                int row = (item ? trainer.items() : trainer.users()).find(id);
                trainer.engine().importRows(item ? Table.ITEMS : Table.USERS, new int[]{row}, 1, params,
                        new float[trainer.engine().layout().stateWidth()]);
            }
            assertThat(users).hasSize(USERS);
            ItemFactors.Table table = items.table();
            assertThat(table.liveCount()).isEqualTo(ITEMS);

            Ranker ranker = new Ranker();
            float[] engineScores = new float[ITEMS];
            int[] itemRows = new int[ITEMS];
            int[] userRows = new int[ITEMS];
            int checked = 0;
            for (Map.Entry<Long, float[]> user : users.entrySet()) {
                // The scorer: every item ranked, so every raw score comes back.
                int[][] index = {new int[ITEMS]};
                float[][] score = {new float[ITEMS]};
                int[] count = new int[1];
                ranker.rank(spec, table, new float[][]{user.getValue()}, new int[][]{new int[0]}, new int[]{0}, 1,
                        ITEMS, index, score, count);
                assertThat(count[0]).isEqualTo(ITEMS);
                // The trainer's engine, on the same pairs.
                int u = trainer.users().find(user.getKey());
                for (int r = 0; r < ITEMS; r++) {
                    userRows[r] = u;
                    itemRows[r] = trainer.items().find(table.movieIds[index[0][r]]);
                }
                trainer.engine().score(userRows, itemRows, ITEMS, engineScores);
                float[] itemRow = new float[spec.width()];
                for (int r = 0; r < ITEMS; r++) {
                    assertThat(score[0][r]).as("%s %s, user %d, item %d: the scorer's ranking score", kind, objective,
                            user.getKey(), table.movieIds[index[0][r]]).isCloseTo(engineScores[r], within(1e-4f));
                    table.row(index[0][r], itemRow);
                    double pair = spec.scoreAndGradient(user.getValue(), itemRow, 0, new float[spec.width()],
                            spec.tower == null ? null : new Tower.Scratch(spec.tower));
                    assertThat(pair).as("the fold-in's pair score").isCloseTo(engineScores[r], within(1e-4));
                    assertThat(spec.report(score[0][r])).as("what the list reports").isCloseTo(
                            objective.predict(engineScores[r], config.ratingMin(), config.ratingMax()), within(1e-4));
                    checked++;
                }
            }
            assertThat(checked).isEqualTo(USERS * ITEMS);
        }
    }

    /**
     * What serving rows in float16 or int8 cost: the same trained mf model scored with its float32 rows and with the
     * rows a scorer receives; every user's top 10 of the catalogue must survive, up to items whose scores were within
     * the rounding of each other.
     */
    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.CsvSource({"FLOAT16, 0.98", "INT8, 0.985"})
    void servingRowsKeepTheTopTen(FactorRow.Precision precision, double leastOverlap) {
        TrainerConfig config = TrainerConfig.from(Settings.defaults().with("trainer.engine", "java")
                .with("trainer.batch-size", 64));
        try (OnlineTrainer trainer = new OnlineTrainer(config, Engines.create(config))) {
            for (int pass = 0; pass < 4; pass++) {
                trainSomething(trainer);
            }
            int items = trainer.items().size();
            int width = trainer.engine().layout().width();
            int stateWidth = trainer.engine().layout().stateWidth();
            float[] exact = new float[items];
            float[] served = new float[items];
            double largest = 0;
            double overlap = 0;
            for (int u = 0; u < trainer.users().size(); u++) {
                trainer.engine().scoreAll(new int[]{u}, 1, items, exact);
                float[] params = new float[width];
                float[] state = new float[stateWidth];
                // Round this user's row and every item's row through the serving precision, score, then restore.
                float[][] keep = new float[items + 1][];
                float[][] keepState = new float[items + 1][];
                for (int r = 0; r <= items; r++) {
                    boolean user = r == items;
                    io.streamrec.train.Table table = user ? io.streamrec.train.Table.USERS : io.streamrec.train.Table.ITEMS;
                    int row = user ? u : r;
                    trainer.engine().exportRows(table, new int[]{row}, 1, params, state);
                    keep[r] = params.clone();
                    keepState[r] = state.clone();
                    float[] rounded = FactorRow.decode(precision.encode(1, 0, params, 0, width, state, 0, 0)).params();
                    trainer.engine().importRows(table, new int[]{row}, 1, rounded, state);
                }
                trainer.engine().scoreAll(new int[]{u}, 1, items, served);
                for (int r = 0; r <= items; r++) {
                    boolean user = r == items;
                    trainer.engine().importRows(user ? io.streamrec.train.Table.USERS : io.streamrec.train.Table.ITEMS,
                            new int[]{user ? u : r}, 1, keep[r], keepState[r]);
                }
                for (int i = 0; i < items; i++) {
                    largest = Math.max(largest, Math.abs(exact[i] - served[i]));
                }
                overlap += topTenOverlap(exact, served);
            }
            overlap /= trainer.users().size();
            System.out.printf("%s serving rows: largest score change %.2e, top-10 overlap %.4f%n", precision, largest,
                    overlap);
            assertThat(overlap).as("top-10 overlap between float32 and " + precision + " rows").isGreaterThan(leastOverlap);
        }
    }

    private static double topTenOverlap(float[] a, float[] b) {
        java.util.Set<Integer> top = top10(a);
        top.retainAll(top10(b));
        return top.size() / 10.0;
    }

    private static java.util.Set<Integer> top10(float[] scores) {
        return java.util.stream.IntStream.range(0, scores.length).boxed()
                .sorted((x, y) -> Float.compare(scores[y], scores[x])).limit(10)
                .collect(java.util.stream.Collectors.toCollection(java.util.HashSet::new));
    }

    /** A few passes over random ratings, so every parameter, bias and dense weight has moved from its start. */
    private static void trainSomething(OnlineTrainer trainer) {
        SplittableRandom random = new SplittableRandom(3);
        RatingBatch batch = new RatingBatch(64);
        for (int pass = 0; pass < 5; pass++) {
            for (int u = 1; u <= USERS; u++) {
                for (int k = 0; k < 3; k++) {
                    batch.add(u, 1 + random.nextInt(ITEMS), 0.5f + 0.5f * random.nextInt(10), 1_000L * u);
                }
            }
            for (int i = 1; i <= ITEMS; i++) {
                batch.add(1 + random.nextInt(USERS), i, 3f, 1_000L);
            }
            trainer.train(batch);
            batch.clear();
        }
    }
}
