package io.streamrec.demo;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamrec.config.Settings;
import io.streamrec.contract.JsonSchemas;
import io.streamrec.dataset.RatingLog;
import io.streamrec.dataset.movielens.BadRows;
import io.streamrec.dataset.source.RatingSource;
import io.streamrec.dataset.synthetic.SyntheticConfig;
import io.streamrec.dataset.synthetic.SyntheticRatings;
import io.streamrec.metrics.Metrics;
import io.streamrec.replay.Pacing;
import io.streamrec.replay.Replayer;
import io.streamrec.score.ScorerApp;
import io.streamrec.stream.StreamingTrainer;
import io.streamrec.testkit.KafkaBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Serving snapshots carry only what is news, so a scorer that starts from empty state must still find everything it
 * needs on the compacted serving topics: after a stream is trained and served, a second scorer (another application
 * id, an empty state directory) rebuilds from the topics alone and gives every user the same list as the scorer that
 * ran throughout.
 */
class ScorerRebuildTest {
    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.singleNode();

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void aScorerStartedFromEmptyStateRebuildsTheSameLists(@TempDir Path stateA, @TempDir Path stateB) throws Exception {
        // Replay off: once the stream ends the model stops changing, so both scorers end on the same version; the
        // first rescores everyone once that version is at rest, so none of its lists is ranked by older item rows.
        Settings s = kafka.settings().with("metrics.port", -1).with("scorer.http.port", 0)
                .with("trainer.replay.positives-per-second", 0).with("trainer.snapshot-every-ms", 300)
                .with("trainer.checkpoint-every-ms", 1000).with("trainer.dim", 16)
                .with("scorer.rescore-all.at-rest-ms", 500);
        RatingLog log = new SyntheticRatings(SyntheticConfig.of(300, 300, 12_000, 23)).log();
        // Every tenth user's list is compared: enough users of every kind, at a query each.
        TreeSet<Long> users = new TreeSet<>();
        for (int i = 0; i < log.size(); i++) {
            if (log.userId(i) % 10 == 3) {
                users.add(log.userId(i));
            }
        }
        try (Metrics metricsA = Metrics.inMemory(); Metrics metricsB = Metrics.inMemory();
             ScorerApp throughout = ScorerApp.start(s.with("scorer.state-dir", stateA), metricsA)) {
            assertThat(throughout.awaitRunning(Duration.ofSeconds(60))).isTrue();
            StreamingTrainer trainer = StreamingTrainer.start(s, metricsA.registry());
            long served;
            try {
                new Replayer(s, new PrintStream(PrintStream.nullOutputStream())).replay(
                        new RatingSource("rebuild", "rebuild", List.of(), log.cursor(), BadRows.none()), Pacing.max(), false);
                await(() -> trainer.eventsTrained() == log.size(), "the trainer to train every rating");
            } finally {
                trainer.close(); // serves and checkpoints what it trained
            }
            served = trainer.snapshotVersion();
            await(() -> throughout.modelVersion() == served, "the first scorer to serve v" + served);
            // The manifest (global thread) can be served before the stream thread has taken the last user rows:
            // the first scorer's lists count once two reads a second apart agree.
            Map<Long, List<Long>> expected = new TreeMap<>();
            await(() -> {
                Map<Long, List<Long>> previous = new TreeMap<>(expected);
                sleep(1000);
                expected.clear();
                expected.putAll(lists(throughout, users, 0));
                return expected.size() == users.size() && expected.equals(previous);
            }, "lists for every user from the first scorer, settled");

            // The rebuilt scorer reads the first one's lists back from the topic for its queries until it sends its
            // own: only lists it generated count.
            long rebuiltFrom = System.currentTimeMillis();
            try (ScorerApp rebuilt = ScorerApp.start(s.with("scorer.state-dir", stateB)
                    .with("scorer.application-id", "streamrec-scorer-rebuilt"), metricsB)) {
                assertThat(rebuilt.awaitRunning(Duration.ofSeconds(60))).isTrue();
                await(() -> rebuilt.modelVersion() == served, "the rebuilt scorer to serve v" + served);
                Map<Long, List<Long>> actual = new TreeMap<>();
                try {
                    await(() -> {
                        actual.clear();
                        actual.putAll(lists(rebuilt, users, rebuiltFrom));
                        return actual.equals(expected);
                    }, "the rebuilt scorer's lists to equal the first scorer's");
                } catch (AssertionError e) {
                    assertThat(actual).as(e.getMessage()).isEqualTo(expected); // says which users differ
                    throw e;
                }
                assertThat(expected.values().stream().filter(list -> list.size() == 10).count())
                        .as("full lists (heavy raters may have fewer items left)").isGreaterThan(users.size() * 9L / 10);
            }
        }
    }

    /**
     * Every user's list as the scorer answers it (GET /users/{id}/recommendations: the list on the topic), movieIds in
     * order; lists generated before {@code since} (epoch ms) count as not answered yet.
     */
    private Map<Long, List<Long>> lists(ScorerApp scorer, Iterable<Long> users, long since) {
        Map<Long, List<Long>> out = new TreeMap<>();
        for (long user : users) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(scorer.httpUrl() + "/users/" + user
                        + "/recommendations")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) {
                    continue;
                }
                JsonNode list = JsonSchemas.MAPPER.readTree(r.body());
                if (list.get("generatedAt").asLong() < since) {
                    continue;
                }
                List<Long> items = new ArrayList<>();
                list.get("items").forEach(item -> items.add(item.get("movieId").asLong()));
                out.put(user, items);
            } catch (Exception e) {
                // not answered yet: the caller tries again
            }
        }
        return out;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void await(java.util.function.BooleanSupplier done, String what) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + Duration.ofSeconds(90).toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(200);
        }
        System.out.printf("%s: %.1f s%n", what, (System.nanoTime() - start) / 1e9);
    }
}
