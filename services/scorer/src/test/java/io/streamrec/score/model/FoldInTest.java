package io.streamrec.score.model;

import io.streamrec.score.PlantedWorld;
import io.streamrec.score.state.Trigger;
import io.streamrec.score.state.Recommender;
import io.streamrec.score.state.UserHistory;
import io.streamrec.score.state.ItemModel;
import io.streamrec.score.state.ScorerState;
import io.streamrec.score.state.ScorerMetrics;
import io.streamrec.score.state.ScorerConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.streamrec.config.Settings;
import io.streamrec.contract.FactorRow;
import io.streamrec.contract.Recommendation;
import io.streamrec.contract.SnapshotManifest;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fold-in quality on planted structure: users with a hidden taste rate a few items, and the list folded in from
 * those ratings is compared with what they would really like (their hidden taste's top items), against the
 * popularity list. Both methods must beat popularity clearly; the figures per method go to the test output.
 */
class FoldInTest {
    private static final int DIM = 16;
    private static final int GENRES = 4;
    private static final int PER_GENRE = 150;
    private static final int USERS = 200;
    private static final int RELEVANT = 30;

    private record World(ItemModel items, float[][] tastes, int[] genre, Map<Long, float[]> rows) {
    }

    /** Items along genre axes with noise and popularity biases; users with a hidden taste along one genre. */
    private static World world(SnapshotManifest manifest) {
        SplittableRandom random = new SplittableRandom(11);
        ItemModel items = new ItemModel(0);
        items.applyManifest(manifest, ModelSpec.of(manifest));
        Map<Long, float[]> rows = new java.util.LinkedHashMap<>();
        for (int i = 0; i < GENRES * PER_GENRE; i++) {
            float[] row = new float[DIM + 1];
            for (int k = 0; k < DIM; k++) {
                row[k] = (float) (random.nextGaussian() * 0.3);
            }
            row[i / PER_GENRE] += 1;
            row[DIM] = (float) (random.nextGaussian() * 0.5 + (i / PER_GENRE == GENRES - 1 ? 1.0 : 0));
            rows.put(i + 1L, row);
            items.applyItemRow(i + 1L, PlantedWorld.row(1, 10, row));
        }
        float[][] tastes = new float[USERS][DIM + 1];
        int[] genre = new int[USERS];
        for (int u = 0; u < USERS; u++) {
            genre[u] = u % GENRES;
            for (int k = 0; k < DIM; k++) {
                tastes[u][k] = (float) (random.nextGaussian() * 0.5);
            }
            tastes[u][genre[u]] += 2.5f;
        }
        return new World(items, tastes, genre, rows);
    }

    private static double trueScore(World w, int user, long movieId) {
        float[] v = w.rows().get(movieId);
        double s = v[DIM];
        for (int k = 0; k < DIM; k++) {
            s += w.tastes()[user][k] * v[k];
        }
        return s;
    }

    /** Mean share of each user's list that is among their RELEVANT truly best unrated items. */
    private static double precision(FoldIn.Method method, int ratingsPerUser, boolean fromStaleRow) {
        SnapshotManifest manifest = PlantedWorld.manifest("mf", 1, DIM, GENRES * PER_GENRE, 0, Map.of(), false);
        World w = world(manifest);
        Settings settings = Settings.defaults().with("scorer.fold-in.method", method.name().toLowerCase());
        ScorerState state = new ScorerState(ScorerConfig.from(settings),
                new ScorerMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)));
        for (Map.Entry<Long, float[]> e : w.rows().entrySet()) {
            state.items.applyItemRow(e.getKey(), PlantedWorld.row(1, 10, e.getValue()));
        }
        state.items.applyManifest(manifest, ModelSpec.of(manifest));
        Recommender recommender = new Recommender(state);
        SplittableRandom random = new SplittableRandom(5);
        double total = 0;
        int n = GENRES * PER_GENRE;
        for (int u = 0; u < USERS; u++) {
            int user = u;
            // The user rates items of their taste: drawn from their 60 truly best.
            Long[] best = IntStream.rangeClosed(1, n).mapToObj(i -> (long) i)
                    .sorted(Comparator.comparingDouble(m -> -trueScore(w, user, m))).toArray(Long[]::new);
            UserHistory h = new UserHistory();
            Set<Long> rated = new HashSet<>();
            while (rated.size() < ratingsPerUser) {
                long m = best[random.nextInt(60)];
                if (rated.add(m)) {
                    h.apply(m, 5, rated.size(), false, 0);
                }
            }
            FactorRow row = null;
            if (fromStaleRow) {
                // A row trained before these ratings: a weak, noisy version of the taste.
                float[] stale = new float[DIM + 1];
                for (int k = 0; k < DIM; k++) {
                    stale[k] = (float) (w.tastes()[u][k] * 0.3 + random.nextGaussian() * 0.5);
                }
                row = PlantedWorld.row(1, 0, stale);
            }
            Recommendation r = recommender.recommend(new Recommender.UserState(u + 1, h, row, Trigger.RATING, 0L), 0);
            assertThat(r.source()).isEqualTo("fold-in");
            Set<Long> relevant = new HashSet<>();
            for (Long m : best) {
                if (!rated.contains(m) && relevant.size() < RELEVANT) {
                    relevant.add(m);
                }
            }
            total += r.items().stream().filter(i -> relevant.contains(i.movieId())).count() / 10.0;
            assertThat(r.items()).noneMatch(i -> rated.contains(i.movieId()));
        }
        return total / USERS;
    }

    /** The same measure for the items with the largest biases, what popularity would list. */
    private static double popularityPrecision(int ratingsPerUser) {
        SnapshotManifest manifest = PlantedWorld.manifest("mf", 1, DIM, GENRES * PER_GENRE, 0, Map.of(), false);
        World w = world(manifest);
        int n = GENRES * PER_GENRE;
        Long[] popular = IntStream.rangeClosed(1, n).mapToObj(i -> (long) i)
                .sorted(Comparator.comparingDouble(m -> -w.rows().get(m)[DIM])).limit(10).toArray(Long[]::new);
        double total = 0;
        for (int u = 0; u < USERS; u++) {
            int user = u;
            Long[] best = IntStream.rangeClosed(1, n).mapToObj(i -> (long) i)
                    .sorted(Comparator.comparingDouble(m -> -trueScore(w, user, m))).limit(RELEVANT + ratingsPerUser)
                    .toArray(Long[]::new);
            Set<Long> relevant = new HashSet<>(Arrays.asList(best).subList(0, RELEVANT));
            total += Arrays.stream(popular).filter(relevant::contains).count() / 10.0;
        }
        return total / USERS;
    }

    @Test
    void foldingInAFewRatingsFindsTheUsersTasteFarBetterThanPopularity() {
        double popularity = popularityPrecision(3);
        double gradientNew = precision(FoldIn.Method.GRADIENT, 3, false);
        double ridgeNew = precision(FoldIn.Method.RIDGE, 3, false);
        double gradientStale = precision(FoldIn.Method.GRADIENT, 3, true);
        double ridgeStale = precision(FoldIn.Method.RIDGE, 3, true);
        double gradient10 = precision(FoldIn.Method.GRADIENT, 10, false);
        double ridge10 = precision(FoldIn.Method.RIDGE, 10, false);
        System.out.printf("precision@10 of the truly best %d items, %d users:%n", RELEVANT, USERS);
        System.out.printf("  popularity                       %.3f%n", popularity);
        System.out.printf("  new user, 3 ratings:   gradient %.3f   ridge %.3f%n", gradientNew, ridgeNew);
        System.out.printf("  stale row + 3 ratings: gradient %.3f   ridge %.3f%n", gradientStale, ridgeStale);
        System.out.printf("  new user, 10 ratings:  gradient %.3f   ridge %.3f%n", gradient10, ridge10);
        for (double p : new double[]{gradientNew, ridgeNew, gradientStale, ridgeStale, gradient10, ridge10}) {
            assertThat(p).isGreaterThan(popularity + 0.2);
        }
    }

    /**
     * The linear models' fold-in runs its steps in the space of the samples (a weight per sample, through their Gram
     * matrix) when there are few samples, else on the row. Both must be the steps taken on the user row itself: gradient descent on the mean loss plus the L2
     * pull, written out here as the maths reads, over the same samples (no negatives, so both see the same ones).
     */
    @Test
    void theStepsInTheSpaceOfTheSamplesAreTheStepsOnTheRow() {
        // One fold-in for both models, as a scorer whose model changes keeps its own: its scratch must follow the width.
        int steps = 30;
        double lr = 1.0;
        double l2 = 0.01;
        FoldIn foldIn = new FoldIn(FoldIn.Method.GRADIENT, steps, lr, l2, 0, 0.9);
        for (String model : new String[]{"mf", "gmf"}) {
            float[] out = new float[DIM];
            Arrays.fill(out, 0.9f);
            Map<String, SnapshotManifest.DenseWeights> dense = model.equals("gmf") ? Map.of(
                    "out.weight", SnapshotManifest.DenseWeights.of(new int[]{1, DIM}, out, null),
                    "out.bias", SnapshotManifest.DenseWeights.of(new int[]{1}, new float[]{0.1f}, null)) : Map.of();
            int itemCount = 300;
            SnapshotManifest manifest = PlantedWorld.manifest(model, 1, DIM, itemCount, 0, dense, false);
            ModelSpec spec = ModelSpec.of(manifest);
            ItemModel itemModel = new ItemModel(0);
            itemModel.applyManifest(manifest, spec);
            SplittableRandom rows = new SplittableRandom(3);
            for (int i = 0; i < itemCount; i++) {
                float[] row = new float[spec.width()];
                for (int k = 0; k < row.length; k++) {
                    row[k] = (float) (rows.nextGaussian() * 0.4);
                }
                itemModel.applyItemRow(i + 1L, PlantedWorld.row(1, 10, row));
            }
            ItemFactors.Table table = itemModel.table();
            SplittableRandom random = new SplittableRandom(5);
            boolean[] spaces = new boolean[2];
            for (int trial = 0; trial < 20; trial++) {
                // Up to 12 samples run in the space of the samples, 80 and more on the row (FoldIn.inSamplesSpace).
                int count = trial < 16 ? 1 + trial % 12 : 64 + trial;
                int[] items = random.ints(count, 0, table.size()).toArray();
                float[] stars = new float[count];
                float[] start = new float[spec.width()];
                for (int k = 0; k < start.length; k++) {
                    start[k] = (float) (random.nextGaussian() * 0.3);
                }
                spaces[FoldIn.inSamplesSpace(count, spec.width(), steps) ? 1 : 0] = true;
                float[] folded = foldIn.fold(spec, table, start, items, stars, count, items, count, trial);

                float[][] features = new float[count][spec.width()];
                float[] offsets = new float[count];
                double squares = 0;
                for (int i = 0; i < count; i++) {
                    float[] row = new float[table.width];
                    table.row(items[i], row);
                    offsets[i] = (float) spec.scoreAndGradient(new float[spec.width()], row, 1.0, features[i], null);
                    for (float f : features[i]) {
                        squares += (double) f * f;
                    }
                }
                double stepSize = lr / (0.25 * squares / count + l2 + 1e-9);
                double[] u = new double[start.length];
                for (int k = 0; k < u.length; k++) {
                    u[k] = start[k];
                }
                for (int step = 0; step < steps; step++) {
                    double[] grad = new double[u.length];
                    for (int i = 0; i < count; i++) {
                        double s = offsets[i];
                        for (int k = 0; k < u.length; k++) {
                            s += u[k] * features[i][k];
                        }
                        double slope = 1 / (1 + Math.exp(-s)) - 1;
                        for (int k = 0; k < u.length; k++) {
                            grad[k] += slope * features[i][k] / count;
                        }
                    }
                    for (int k = 0; k < u.length; k++) {
                        u[k] -= stepSize * (grad[k] + l2 * (u[k] - start[k]));
                    }
                }
                for (int k = 0; k < u.length; k++) {
                    assertThat((double) folded[k]).as("%s, trial %d, parameter %d", model, trial, k)
                            .isCloseTo(u[k], org.assertj.core.data.Offset.offset(1e-3 + 1e-3 * Math.abs(u[k])));
                }
                assertThat(Arrays.equals(folded, start)).as("the fold-in moved the row").isFalse();
            }
            assertThat(spaces).as("%s: steps on the row and in the samples' space", model).containsOnly(true);
        }
    }
}
