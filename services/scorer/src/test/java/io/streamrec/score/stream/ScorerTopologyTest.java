package io.streamrec.score.stream;

import io.streamrec.score.PlantedWorld;
import io.streamrec.score.state.Trigger;
import io.streamrec.score.state.Source;
import io.streamrec.score.state.UserHistory;
import io.streamrec.score.state.ScorerState;
import io.streamrec.score.state.ScorerMetrics;
import io.streamrec.score.model.Clusters;
import io.streamrec.contract.Recommendation;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** Every trigger of the scorer, through its real topology in a TopologyTestDriver. */
class ScorerTopologyTest {
    private final PlantedWorld world = new PlantedWorld(8, 25, 7);

    /** Publishes snapshot v: the manifest, every item row and the given user rows (trained on `count` ratings each). */
    private void snapshot(ScorerDriver s, long version, Map<Long, float[]> items, Map<Long, float[]> users, int count) {
        s.manifest(PlantedWorld.manifest("mf", version, world.dim, items.size(), users.size(), Map.of(), false));
        s.itemRows(items, version);
        users.forEach((u, p) -> s.userRow(u, PlantedWorld.row(version, count, p)));
    }

    private static Set<Long> ids(Recommendation r) {
        return r.items().stream().map(Recommendation.Item::movieId).collect(Collectors.toSet());
    }

    @Test
    void beforeAnyModelARatingGetsTheRecentlyPopularItemsItHasNotRated() {
        try (ScorerDriver s = new ScorerDriver()) {
            s.movies(world.movies());
            for (long u = 1; u <= 30; u++) {
                s.rate(u, 77, 4);                // the most rated item
                s.rate(u, 10 + u % 3, 4);        // three items rated ten times each
            }
            s.lists();
            s.rate(500, 1, 5);
            Recommendation r = s.single();
            assertThat(r.trigger()).isEqualTo("rating");
            assertThat(r.source()).isEqualTo("popularity");
            assertThat(r.modelVersion()).isZero();
            assertThat(r.items()).extracting(Recommendation.Item::movieId).startsWith(77L).contains(10L, 11L, 12L)
                    .doesNotContain(1L);
            assertThat(r.items().get(0).title()).isEqualTo("Comedy movie 77 (2007)");
            assertThat(r.triggeredAt()).isEqualTo(s.now());
        }
    }

    @Test
    void aRatingRecomputesItsUsersListAtOnceFromTheModelAndFoldsInWhatTheRowHasNotSeen() {
        try (ScorerDriver s = new ScorerDriver()) {
            Map<Long, float[]> items = world.mfItems();
            snapshot(s, 1, items, Map.of(42L, world.mfUser(PlantedWorld.SCI_FI)), 0);
            s.tick();
            Recommendation first = s.single();
            assertThat(first.trigger()).isEqualTo("snapshot");
            assertThat(first.source()).isEqualTo("model");
            assertThat(first.modelVersion()).isEqualTo(1);
            assertThat(first.items()).hasSize(10).filteredOn(i -> world.genreOf(i.movieId()) == PlantedWorld.SCI_FI)
                    .hasSizeGreaterThanOrEqualTo(8);

            long top = first.items().get(0).movieId();
            s.rate(42, top, 5);
            // No tick: the rating's list is out before the driver returns.
            Recommendation afterRating = s.single();
            assertThat(afterRating.trigger()).isEqualTo("rating");
            assertThat(afterRating.source()).as("the row counts 0 ratings, the scorer has seen 1").isEqualTo("fold-in");
            assertThat(ids(afterRating)).doesNotContain(top);
            assertThat(state(s).metrics.foldInCount()).isEqualTo(1);

            // The trainer catches up: a row that counts the rating is the model's answer again.
            s.userRow(42, PlantedWorld.row(2, 1, world.mfUser(PlantedWorld.SCI_FI)));
            s.manifest(PlantedWorld.manifest("mf", 2, world.dim, 0, 1, Map.of(), false));
            s.tick();
            Recommendation caughtUp = s.single();
            assertThat(caughtUp.source()).isEqualTo("model");
            assertThat(caughtUp.modelVersion()).isEqualTo(2);
            assertThat(ids(caughtUp)).doesNotContain(top);
            assertThat(state(s).metrics.latency().count()).isEqualTo(1);
        }
    }

    @Test
    void aSnapshotRescoresItsUsersInBatchesOnceItsItemRowsAndManifestAreIn() {
        try (ScorerDriver s = new ScorerDriver()) {
            Map<Long, float[]> items = world.mfItems();
            Map<Long, float[]> users = new HashMap<>();
            for (long u = 1; u <= 100; u++) {
                users.put(u, world.mfUser((int) (u % 4)));
            }
            // Version 1's user rows arrive before its manifest and item rows: nothing may be ranked yet.
            users.forEach((u, p) -> s.userRow(u, PlantedWorld.row(1, 0, p)));
            s.tick();
            assertThat(s.lists()).isEmpty();
            s.manifest(PlantedWorld.manifest("mf", 1, world.dim, items.size(), users.size(), Map.of(), false));
            s.itemRows(new java.util.TreeMap<>(items).headMap(50L), 1);
            s.tick();
            assertThat(s.lists()).as("half the item rows are in").isEmpty();
            s.itemRows(new java.util.TreeMap<>(items).tailMap(50L), 1);
            s.tick();
            s.tick();
            List<Recommendation> lists = s.lists();
            assertThat(lists).hasSize(100).allMatch(r -> r.trigger().equals("snapshot") && r.source().equals("model"));
            assertThat(lists.stream().map(Recommendation::userId).collect(Collectors.toSet())).hasSize(100);
            for (Recommendation r : lists) {
                int genre = (int) (r.userId() % 4);
                assertThat(r.items()).as("user %d leans %s", r.userId(), PlantedWorld.GENRES[genre])
                        .filteredOn(i -> world.genreOf(i.movieId()) == genre).hasSizeGreaterThanOrEqualTo(8);
            }
            assertThat(state(s).metrics.rescoredCount(Trigger.SNAPSHOT)).isEqualTo(100);
        }
    }

    @Test
    void aSnapshotRowWaitsForTheRatingsItCountsButNotForever() {
        try (ScorerDriver s = new ScorerDriver(Map.of("scorer.rescore.grace-ms", 1000))) {
            snapshot(s, 1, world.mfItems(), Map.of(), 0);
            // The trainer is ahead of the scorer: its row counts 1 rating the scorer has not seen.
            s.userRow(7, PlantedWorld.row(1, 1, world.mfUser(0)));
            s.tick();
            assertThat(s.lists()).isEmpty();
            s.rate(7, 3, 4);
            Recommendation r = s.single();
            assertThat(r.trigger()).isEqualTo("rating");
            assertThat(r.source()).isEqualTo("model");
            assertThat(ids(r)).doesNotContain(3L);
            s.tick();
            assertThat(s.lists()).as("the rating's list replaced the queued rescore").isEmpty();

            s.userRow(8, PlantedWorld.row(1, 5, world.mfUser(0)));
            s.tick();
            assertThat(s.lists()).isEmpty();
            s.advance(Duration.ofMillis(1000));
            assertThat(s.single().userId()).as("after the grace period").isEqualTo(8);
        }
    }

    @Test
    void aNewUserWhoRatesThreeSciFiMoviesGetsSciFiNotPopularItems() {
        try (ScorerDriver s = new ScorerDriver()) {
            Map<Long, float[]> items = world.mfItems();
            Map<Long, float[]> users = new HashMap<>();
            for (long u = 1; u <= 40; u++) {
                users.put(u, world.mfUser((int) (u % 4)));
            }
            snapshot(s, 1, items, users, 0);
            for (long u = 1; u <= 40; u++) {
                for (int i = 0; i < 5; i++) {
                    s.rate(u, world.movie(PlantedWorld.COMEDY, i), 4); // Comedy is what everyone watches
                }
            }
            s.tick();
            s.lists();
            long newcomer = 1000;
            s.rate(newcomer, world.movie(PlantedWorld.SCI_FI, 0), 5);
            s.rate(newcomer, world.movie(PlantedWorld.SCI_FI, 1), 4.5f);
            s.rate(newcomer, world.movie(PlantedWorld.SCI_FI, 2), 5);
            List<Recommendation> lists = s.lists();
            assertThat(lists).hasSize(3).allMatch(r -> r.source().equals("fold-in"));
            Recommendation last = lists.get(2);
            assertThat(last.items()).filteredOn(i -> world.genreOf(i.movieId()) == PlantedWorld.SCI_FI)
                    .as("sci-fi in %s", last.items()).hasSizeGreaterThanOrEqualTo(8);
            assertThat(ids(last)).doesNotContain(world.movie(0, 0), world.movie(0, 1), world.movie(0, 2))
                    .doesNotContain(world.movie(PlantedWorld.COMEDY, 0));
        }
    }

    @Test
    void usersWithFactorsGetTheirClustersFavouritesWhileTheModelCannotRankThem() {
        try (ScorerDriver s = new ScorerDriver()) {
            // Rows but no manifest yet (they arrive first): the model's scoring is unknown.
            for (long u = 1; u <= 40; u++) {
                int genre = (int) (u % 4);
                s.userRow(u, PlantedWorld.row(1, 0, world.mfUser(genre)));
                for (int j = 0; j < 4; j++) {
                    s.rate(u, world.movie(genre, (int) ((u / 4 + j) % 8)), 5);
                }
            }
            s.lists();
            Clusters clusters = UserClustering.build(s.store(UserProcessor.ROWS), s.store(UserProcessor.HISTORIES), null, 4, 20, 1);
            state(s).clusters.set(clusters);
            s.rate(2, world.movie(2, 9), 5); // user 2 leans Horror (genre 2)
            Recommendation r = s.single();
            assertThat(r.source()).isEqualTo("cluster");
            assertThat(ids(r)).doesNotContain(world.movie(2, 0), world.movie(2, 1), world.movie(2, 9))
                    .allMatch(m -> world.genreOf(m) == 2);
            assertThat(state(s).metrics.fallbackCount(Source.CLUSTER)).isEqualTo(1);

            // A user with no factors has no cluster: popularity.
            s.rate(999, world.movie(1, 0), 5);
            assertThat(s.single().source()).isEqualTo("popularity");
        }
    }

    @Test
    void whenItemFactorsMoveALotEveryUserIsRescoredAndSmallMovesRescoreNobody() {
        try (ScorerDriver s = new ScorerDriver(Map.of("scorer.rescore-all.drift", 0.25))) {
            Map<Long, float[]> users = new HashMap<>();
            for (long u = 1; u <= 30; u++) {
                users.put(u, world.mfUser((int) (u % 4)));
            }
            s.rate(31, 5, 4); // a user with ratings but no factors is rescored too
            s.lists();
            snapshot(s, 1, world.mfItems(), users, 0);
            s.tick();
            s.tick();
            assertThat(s.lists()).hasSize(31);

            Map<Long, float[]> nudged = new HashMap<>();
            world.mfItems().forEach((m, p) -> {
                if (m <= 5) {
                    nudged.put(m, p);
                }
            });
            snapshot(s, 2, nudged, Map.of(), 0);
            s.tick();
            assertThat(s.lists()).as("5 of 100 item rows changed: below the threshold").isEmpty();

            snapshot(s, 3, world.mfItems(), Map.of(), 0); // every item redrawn
            s.tick();
            s.tick();
            List<Recommendation> lists = s.lists();
            assertThat(lists).hasSize(31).allMatch(r -> r.trigger().equals("snapshot") && r.modelVersion() == 3);
        }
    }

    @Test
    void backlogRatingsAreRankedOncePerUserWithAllOfThem() {
        try (ScorerDriver s = new ScorerDriver()) {
            snapshot(s, 1, world.mfItems(), Map.of(5L, world.mfUser(1)), 0);
            s.tick();
            s.lists();
            long old = s.now() - 60_000;
            for (int i = 0; i < 20; i++) {
                s.rateRaw("5", io.streamrec.contract.RatingCodec.toJson(new io.streamrec.contract.Rating(5, 1 + i, 4, old)), old + i);
            }
            assertThat(s.lists()).as("backlog ratings wait for the queue").isEmpty();
            s.tick();
            assertThat(s.lists()).as("more of the backlog may follow").isEmpty();
            s.advance(UserProcessor.CATCH_UP_QUIET);
            Recommendation r = s.single();
            assertThat(r.trigger()).isEqualTo("rating");
            assertThat(r.triggeredAt()).isEqualTo(old + 19);
            assertThat(ids(r)).allMatch(m -> m > 20);
            assertThat(state(s).metrics.rescoredCount(Trigger.RATING)).isEqualTo(1);
        }
    }

    /**
     * The rescoring thread is busy with a snapshot's users (here: blocked) when a backlog of ratings comes: the
     * stream thread ranks the users those ratings queued itself, and never a snapshot's user.
     */
    @Test
    void withTheRescoringThreadsFullTheStreamThreadRanksRatingQueuedUsers() throws Exception {
        try (ScorerDriver s = new ScorerDriver()) {
            snapshot(s, 1, world.mfItems(), Map.of(5L, world.mfUser(1)), 0);
            s.tick();
            s.lists();
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            state(s).rescorers.submit(() -> {
                release.await();
                return null;
            });
            try {
                for (long u = 100; u < 1_400; u++) {
                    s.userRow(u, PlantedWorld.row(1, 0, world.mfUser((int) (u % 3))));
                }
                for (int i = 0; i < 40; i++) {
                    s.advanceWithoutWaiting(UserProcessor.TICK);
                }
                assertThat(s.lists()).as("the rescoring thread is blocked").isEmpty();
                long old = s.now() - 60_000;
                s.rateRaw("5", io.streamrec.contract.RatingCodec.toJson(new io.streamrec.contract.Rating(5, 1, 4, old)), old);
                s.advanceWithoutWaiting(UserProcessor.CATCH_UP_QUIET.plus(UserProcessor.TICK));
                List<Recommendation> lists = s.lists();
                assertThat(lists).as("user 5's backlog rating, ranked on the stream thread")
                        .singleElement().satisfies(r -> {
                            assertThat(r.userId()).isEqualTo(5);
                            assertThat(r.trigger()).isEqualTo("rating");
                        });
            } finally {
                release.countDown();
            }
        }
    }

    /**
     * A user's list is being computed on the rescoring thread (a new factor row) when they rate the item it would
     * put first: the rating's list goes out at once without it, and the list being computed, which may hold it, is
     * never sent after it.
     */
    @Test
    void aListARatingMadeStaleWhileBeingComputedIsNeverSent() {
        try (ScorerDriver s = new ScorerDriver()) {
            snapshot(s, 1, world.mfItems(), Map.of(6L, world.mfUser(1)), 0);
            s.tick();
            long favourite = s.single().items().get(0).movieId();
            s.userRow(6, PlantedWorld.row(1, 0, world.mfUser(1)));
            s.handOver(UserProcessor.TICK);
            s.rate(6, favourite, 5);
            Recommendation rated = s.single();
            assertThat(rated.trigger()).isEqualTo("rating");
            assertThat(ids(rated)).doesNotContain(favourite);
            s.tick();
            s.tick();
            assertThat(s.lists()).as("the list computed before the rating").isEmpty();
        }
    }

    /**
     * Subscribers match a list to the rating that caused it by triggeredAt: when a queued user has both a rating and
     * a newer factor row waiting, the list is the rating's, stamped with the rating's time (found on a loaded CI run,
     * where the factor row's time leaked in).
     */
    @Test
    void aQueuedRatingKeepsItsTimeWhateverFactorRowJoinsItInTheQueue() {
        try (ScorerDriver s = new ScorerDriver()) {
            snapshot(s, 1, world.mfItems(), Map.of(), 0);
            long late = s.now() - 60_000;
            s.rateRaw("6", io.streamrec.contract.RatingCodec.toJson(new io.streamrec.contract.Rating(6, 1, 4, late)), late);
            s.userRow(6, PlantedWorld.row(1, 1, world.mfUser(2)));
            s.userRow(9, PlantedWorld.row(1, 1, world.mfUser(2)));
            s.rateRaw("9", io.streamrec.contract.RatingCodec.toJson(new io.streamrec.contract.Rating(9, 1, 4, late)), late);
            s.advance(Duration.ofMillis(300));
            List<Recommendation> lists = s.lists();
            assertThat(lists).hasSize(2).allSatisfy(r -> {
                assertThat(r.trigger()).isEqualTo("rating");
                assertThat(r.triggeredAt()).as("user %d's rating time", r.userId()).isEqualTo(late);
            });
        }
    }

    @Test
    void invalidRecordsAreSkippedCountedAndNeverStopTheScorer() {
        try (ScorerDriver s = new ScorerDriver()) {
            snapshot(s, 1, world.mfItems(), Map.of(), 0);
            s.rateRaw("1", "{not json".getBytes(StandardCharsets.UTF_8), s.now());
            s.rateRaw("2", "{\"userId\":3,\"movieId\":1,\"rating\":4.0,\"timestamp\":1600000000000}".getBytes(StandardCharsets.UTF_8), s.now());
            s.rateRaw(null, "{\"userId\":3,\"movieId\":1,\"rating\":4.0,\"timestamp\":1600000000000}".getBytes(StandardCharsets.UTF_8), s.now());
            s.rateRaw("3", "{\"userId\":3,\"movieId\":1,\"rating\":7.0,\"timestamp\":1600000000000}".getBytes(StandardCharsets.UTF_8), s.now());
            s.rateRaw("3", null, s.now());
            s.userRowRaw("4", new byte[]{1, 2, 3});
            s.userRowRaw("x", PlantedWorld.row(1, 0, world.mfUser(0)).encode());
            s.tick();
            assertThat(s.lists()).isEmpty();
            assertThat(state(s).metrics.invalidCount(ScorerMetrics.Input.RATINGS)).isEqualTo(5);
            assertThat(state(s).metrics.invalidCount(ScorerMetrics.Input.USER_FACTORS)).isEqualTo(2);
            s.rate(3, 1, 4);
            assertThat(s.single().source()).isEqualTo("fold-in");
        }
    }

    @Test
    void aRatingOnAnotherPartitionThanItsKeysIsReroutedToItAndCounted() {
        // The driver runs every topic as one partition (0): a user whose key hashes elsewhere arrived "wrongly".
        long home = 1;
        while (UserProcessor.partitionOf(Long.toString(home).getBytes(StandardCharsets.UTF_8)) != 0) {
            home++;
        }
        long away = home + 1;
        while (UserProcessor.partitionOf(Long.toString(away).getBytes(StandardCharsets.UTF_8)) == 0) {
            away++;
        }
        try (ScorerDriver s = new ScorerDriver()) {
            snapshot(s, 1, world.mfItems(), Map.of(), 0);
            s.rate(home, 4, 5);
            assertThat(ids(s.single())).doesNotContain(4L);
            assertThat(state(s).metrics.reroutedCount()).isZero();
            s.rate(away, 4, 5);
            s.rate(away, 5, 5);
            List<Recommendation> lists = s.lists();
            assertThat(lists).hasSize(2);
            assertThat(ids(lists.get(1))).doesNotContain(4L, 5L);
            assertThat(state(s).metrics.reroutedCount()).isEqualTo(2);
            assertThat(UserHistory.decode(s.store(UserProcessor.HISTORIES).get(Long.toString(away))).seen()).isEqualTo(2);
        }
    }

    @Test
    void aManifestTheScorerCannotUseIsSkippedAndTheLastGoodOneServes() {
        try (ScorerDriver s = new ScorerDriver()) {
            snapshot(s, 1, world.mfItems(), Map.of(9L, world.mfUser(0)), 0);
            s.tick();
            s.lists();
            s.manifest(PlantedWorld.withConfig(PlantedWorld.manifest("mf", 2, world.dim, 0, 0, Map.of(), false), "model", "transformer"));
            s.manifest(PlantedWorld.manifest("gmf", 3, world.dim, 0, 0, Map.of(), false)); // gmf without its dense weights
            assertThat(state(s).metrics.invalidCount(ScorerMetrics.Input.SNAPSHOTS)).isEqualTo(2);
            s.rate(9, 100, 3);
            Recommendation r = s.single();
            assertThat(r.modelVersion()).isEqualTo(1);
            assertThat(r.source()).isEqualTo("fold-in");
        }
    }

    private static ScorerState state(ScorerDriver s) {
        return s.state;
    }
}
