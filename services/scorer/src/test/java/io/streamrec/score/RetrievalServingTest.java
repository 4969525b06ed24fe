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
 * the HTTP query for a user returns the same list as the topic's latest one for them (the query re-ranks the pool
 * the list came from), after a snapshot and after a rating.
 */
class RetrievalServingTest {
    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.singleNode();

    private static final int USERS = 40;
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void theQueryReturnsTheListTheTopicHolds(@TempDir Path state) throws Exception {
        Settings settings = kafka.settings()
                .with("scorer.application-id", "retrieval-serving-test")
                .with("scorer.state-dir", state)
                .with("scorer.http.port", 0)
                .with("scorer.retrieval.min-items", 0);
        PlantedWorld world = new PlantedWorld(16, 500, 2);
        Map<Long, float[]> users = new HashMap<>();
        for (long u = 1; u <= USERS; u++) {
            users.put(u, world.mfUser((int) (u % 4)));
        }
        try (SnapshotPublisher publisher = new SnapshotPublisher(settings);
             ListReader reader = new ListReader(settings);
             Metrics metrics = Metrics.inMemory()) {
            publisher.movies(world.movies());
            publisher.snapshot(PlantedWorld.manifest("mf", 1, world.dim, world.items(), 0, Map.of(), false),
                    world.mfItems(), Map.of(), 0);
            try (ScorerApp scorer = ScorerApp.start(settings, metrics)) {
                assertThat(scorer.awaitRunning(Duration.ofSeconds(60))).isTrue();
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (scorer.indexedItems() < world.items() && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertThat(scorer.indexedItems()).as("items in the candidate index").isEqualTo(world.items());

                publisher.snapshot(PlantedWorld.manifest("mf", 2, world.dim, 0, USERS, Map.of(), false), Map.of(),
                        users, 0);
                Map<Long, Recommendation> latest = new HashMap<>();
                reader.await(r -> {
                    if (r.list().modelVersion() == 2) {
                        latest.put(r.list().userId(), r.list());
                    }
                    return latest.size() == USERS;
                }, Duration.ofSeconds(30), "for every user of snapshot 2");
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
            }
        }
    }

    private List<Long> queried(ScorerApp scorer, long user) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(scorer.httpUrl() + "/users/" + user
                + "/recommendations")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode tree = JsonSchemas.MAPPER.readTree(response.body());
        List<Long> ids = new ArrayList<>();
        tree.get("items").forEach(i -> ids.add(i.get("movieId").asLong()));
        return ids;
    }

    private static List<Long> movieIds(Recommendation list) {
        return list.items().stream().map(Recommendation.Item::movieId).toList();
    }
}
