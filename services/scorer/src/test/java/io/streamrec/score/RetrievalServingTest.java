package io.streamrec.score;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamrec.config.Settings;
import io.streamrec.contract.JsonSchemas;
import io.streamrec.contract.Rating;
import io.streamrec.contract.Recommendation;
import io.streamrec.metrics.Metrics;
import io.streamrec.score.state.ScorerMetrics;
import io.streamrec.testkit.KafkaBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Candidate retrieval in a running scorer on a real broker: lists ranked through the index reach the topic, and
 * the HTTP query for a user returns the same list as the topic's latest one for them, after a snapshot, after a
 * rating, after item rows moved too little to rescore anyone, and once the model is at rest and everyone was
 * rescored with those rows.
 */
class RetrievalServingTest {
    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.singleNode();

    private static final int USERS = 40;
    /** Long enough for the checks made before the model counts as at rest. */
    private static final long AT_REST_MS = 3000;
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void theQueryReturnsTheListTheTopicHolds(@TempDir Path state) throws Exception {
        Settings settings = kafka.settings()
                .with("scorer.application-id", "retrieval-serving-test")
                .with("scorer.state-dir", state)
                .with("scorer.http.port", 0)
                .with("scorer.retrieval.min-items", 0)
                .with("scorer.rescore-all.at-rest-ms", AT_REST_MS);
        PlantedWorld world = new PlantedWorld(16, 500, 2);
        Map<Long, float[]> users = new HashMap<>();
        for (long u = 1; u <= USERS; u++) {
            users.put(u, world.mfUser((int) (u % 4)));
        }
        try (SnapshotPublisher publisher = new SnapshotPublisher(settings);
             ListReader reader = new ListReader(settings);
             Metrics metrics = Metrics.inMemory()) {
            publisher.movies(world.movies());
            Map<Long, float[]> items = world.mfItems();
            publisher.snapshot(PlantedWorld.manifest("mf", 1, world.dim, world.items(), 0, Map.of(), false),
                    items, Map.of(), 0);
            try (ScorerApp scorer = ScorerApp.start(settings, metrics)) {
                assertThat(scorer.awaitRunning(Duration.ofSeconds(60))).isTrue();
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (scorer.indexedItems() < world.items() && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertThat(scorer.indexedItems()).as("items in the candidate index").isEqualTo(world.items());

                publisher.snapshot(PlantedWorld.manifest("mf", 2, world.dim, 0, USERS, Map.of(), false), Map.of(),
                        users, 0);
                Map<Long, Recommendation> latest = everyUsersList(reader, 2, "for every user of snapshot 2");
                assertThat(metrics.registry().find(ScorerMetrics.PREFIX + "ranked").tag("path", "index").counter()
                        .count()).as("lists ranked from retrieved candidates").isGreaterThanOrEqualTo(USERS);
                for (long u = 1; u <= USERS; u++) {
                    assertThat(queried(scorer, u)).as("user %d: the query against the topic", u)
                            .isEqualTo(movieIds(latest.get(u)));
                }

                long rater = 3;
                long rated = latest.get(rater).items().get(0).movieId();
                long[] at = publisher.rate(List.of(new Rating(rater, rated, 5, System.currentTimeMillis())));
                Recommendation afterRating = reader.await(r -> r.list().userId() == rater && r.list().triggeredAt() == at[0],
                        Duration.ofSeconds(10), "for the rating").list();
                assertThat(movieIds(afterRating)).doesNotContain(rated).hasSize(10);
                assertThat(queried(scorer, rater)).as("after the rating").isEqualTo(movieIds(afterRating));
                latest.put(rater, afterRating);

                // Item rows move a little (below scorer.rescore-all.drift) and no user row changes, as in a
                // continually trained model's snapshots: no list is recomputed, so the topic keeps the lists of
                // version 2, and so must the query, though ranking afresh now would use version 3's items.
                Map<Long, float[]> moved = new HashMap<>();
                items.forEach((m, row) -> {
                    float[] noise = world.gaussian(row.length, 0.05);
                    float[] next = row.clone();
                    for (int k = 0; k < next.length; k++) {
                        next[k] += noise[k];
                    }
                    moved.put(m, next);
                });
                publisher.snapshot(PlantedWorld.manifest("mf", 3, world.dim, world.items(), 0, Map.of(), false), moved,
                        Map.of(), 0);
                deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (health(scorer).get("completeVersion").asLong() < 3 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertThat(health(scorer).get("completeVersion").asLong()).as("version 3 complete").isEqualTo(3);
                for (long u = 1; u <= USERS; u++) {
                    JsonNode list = query(scorer, u);
                    assertThat(list.get("modelVersion").asLong()).as("user %d's queried list's version", u)
                            .isEqualTo(latest.get(u).modelVersion());
                    assertThat(movieIds(list)).as("user %d: the query against the topic", u)
                            .isEqualTo(movieIds(latest.get(u)));
                }

                // Once version 3 is at rest, every user is rescored with its items, on the topic and so in the query.
                Map<Long, Recommendation> rested = everyUsersList(reader, 3, "for every user's list of version 3, at rest");
                long changed = 0;
                for (long u = 1; u <= USERS; u++) {
                    JsonNode list = query(scorer, u);
                    assertThat(list.get("modelVersion").asLong()).isEqualTo(3);
                    assertThat(movieIds(list)).as("user %d: the query against the topic at rest", u)
                            .isEqualTo(movieIds(rested.get(u)));
                    changed += movieIds(rested.get(u)).equals(movieIds(latest.get(u))) ? 0 : 1;
                }
                assertThat(changed).as("lists the moved items reordered").isGreaterThan(USERS / 2);
            }
        }
    }

    /** Reads lists until every user has one of {@code version}; the latest of each. */
    private static Map<Long, Recommendation> everyUsersList(ListReader reader, long version, String what) {
        Map<Long, Recommendation> lists = new HashMap<>();
        reader.await(r -> {
            if (r.list().modelVersion() == version) {
                lists.put(r.list().userId(), r.list());
            }
            return lists.size() == USERS;
        }, Duration.ofSeconds(30), what);
        return lists;
    }

    private List<Long> queried(ScorerApp scorer, long user) throws Exception {
        return movieIds(query(scorer, user));
    }

    private JsonNode query(ScorerApp scorer, long user) throws Exception {
        return get(scorer, "/users/" + user + "/recommendations");
    }

    private JsonNode health(ScorerApp scorer) throws Exception {
        return get(scorer, "/health");
    }

    private JsonNode get(ScorerApp scorer, String path) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(scorer.httpUrl() + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path).isEqualTo(200);
        return JsonSchemas.MAPPER.readTree(response.body());
    }

    private static List<Long> movieIds(JsonNode list) {
        List<Long> ids = new ArrayList<>();
        list.get("items").forEach(i -> ids.add(i.get("movieId").asLong()));
        return ids;
    }

    private static List<Long> movieIds(Recommendation list) {
        return list.items().stream().map(Recommendation.Item::movieId).toList();
    }
}
