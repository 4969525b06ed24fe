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
}
