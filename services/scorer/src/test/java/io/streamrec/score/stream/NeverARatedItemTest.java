package io.streamrec.score.stream;

import io.streamrec.score.PlantedWorld;
import io.streamrec.contract.ModelKind;
import io.streamrec.contract.Rating;
import io.streamrec.contract.RatingCodec;
import io.streamrec.contract.Recommendation;
import io.streamrec.contract.SnapshotManifest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The invariant, property-style: thousands of random events (ratings and re-ratings, backlog ratings, user and
 * item rows, tombstones, manifests, clustering, ticks) for many users, in random order; after every event, every
 * list emitted holds no item its user has rated, no duplicate, and at most K items, whichever of the four sources
 * ranked it (each must occur).
 */
class NeverARatedItemTest {
    private static final int USERS = 60;
    private static final int ITEMS = 120;
    private static final int DIM = 6;

    @ParameterizedTest
    @EnumSource(ModelKind.class)
    void noListEverHoldsAnItemItsUserRated(ModelKind kind) {
        SplittableRandom random = new SplittableRandom(kind.ordinal() + 17);
        PlantedWorld world = new PlantedWorld(DIM, ITEMS / 4, kind.ordinal());
        Map<String, SnapshotManifest.DenseWeights> dense = kind == ModelKind.MF ? Map.of()
                : world.dense(kind, DIM, DIM, new int[]{8, 4});
        try (ScorerDriver s = new ScorerDriver(Map.of("scorer.top-k", 12, "scorer.rescore.grace-ms", 50))) {
            Map<Long, Set<Long>> rated = new HashMap<>();
            Map<Long, Integer> seen = new HashMap<>();
            long version = 0;
            int width = kind == ModelKind.MF ? DIM + 1 : kind == ModelKind.NEUMF ? 2 * DIM : DIM;
            Set<String> sources = new HashSet<>();
            int lists = 0;
            for (int event = 0; event < 2500; event++) {
                int dice = random.nextInt(100);
                long user = 1 + random.nextInt(USERS);
                if (dice < 55) {
                    long movie = 1 + random.nextInt(ITEMS + 10); // some items never get factors
                    float stars = 0.5f * (1 + random.nextInt(10));
                    boolean backlog = random.nextInt(10) == 0;
                    long producedAt = backlog ? s.now() - 10_000 : s.now();
                    s.rateRaw(Long.toString(user), RatingCodec.toJson(new Rating(user, movie, stars, producedAt - 5)), producedAt);
                    rated.computeIfAbsent(user, u -> new HashSet<>()).add(movie);
                    seen.merge(user, 1, Integer::sum);
                } else if (dice < 70) {
                    int count = Math.max(0, seen.getOrDefault(user, 0) - random.nextInt(3));
                    s.userRow(user, PlantedWorld.row(version + 1, count, world.gaussian(width, 0.5)));
                } else if (dice < 80) {
                    long movie = 1 + random.nextInt(ITEMS);
                    s.itemRow(movie, random.nextInt(20) == 0 ? null : PlantedWorld.row(version + 1, 3, world.gaussian(width, 0.5)));
                } else if (dice < 84 && event > 800) { // the first 800 events run before any model
                    version++;
                    SnapshotManifest m = PlantedWorld.manifest(kind.id(), version, DIM, random.nextInt(5), 0, dense, false);
                    s.manifest(kind == ModelKind.NEUMF ? PlantedWorld.withConfig(m, "mlpDim", DIM) : m);
                } else if (dice < 85) {
                    s.state.clusters.set(UserClustering.build(s.store(UserProcessor.ROWS), s.store(UserProcessor.HISTORIES),
                            s.state.items.spec(), 3, 5, event));
                } else {
                    s.advance(Duration.ofMillis(1 + random.nextInt(30)));
                }
                for (Recommendation r : s.lists()) {
                    lists++;
                    sources.add(r.source());
                    Set<Long> mine = rated.getOrDefault(r.userId(), Set.of());
                    List<Long> ids = r.items().stream().map(Recommendation.Item::movieId).toList();
                    assertThat(ids).as("event %d, %s list of user %d", event, r.source(), r.userId())
                            .noneMatch(mine::contains).doesNotHaveDuplicates().hasSizeLessThanOrEqualTo(12);
                }
            }
            assertThat(lists).isGreaterThan(1000);
            assertThat(sources).containsExactlyInAnyOrder("model", "fold-in", "cluster", "popularity");
        }
    }
}
