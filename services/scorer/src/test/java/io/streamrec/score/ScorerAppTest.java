package io.streamrec.score;

import io.streamrec.score.state.ScorerConfig;
import io.streamrec.score.stream.UserProcessor;
import com.fasterxml.jackson.databind.JsonNode;
import io.streamrec.config.Settings;
import io.streamrec.contract.JsonSchemas;
import io.streamrec.contract.Rating;
import io.streamrec.contract.Recommendation;
import io.streamrec.contract.Topics;
import io.streamrec.kafka.KafkaClients;
import io.streamrec.metrics.Metrics;
import io.streamrec.testkit.KafkaBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** One scorer instance against a real broker: snapshot lists, fresh fold-in for a new user, queries, bad input. */
class ScorerAppTest {
    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.singleNode();

    private static final int USERS = 120;
    private final HttpClient http = HttpClient.newHttpClient();

    /**
     * One produce request of lists in flight, in batches of up to 64 KB (fewer, larger requests in a full rescore),
     * unless the settings say otherwise.
     */
    @Test
    void listsGoOneLargeProduceRequestAtATimeUnlessTheSettingsSayOtherwise() {
        Settings settings = Settings.defaults().with("kafka.bootstrap.servers", "localhost:9092");
        String inFlight = StreamsConfig.producerPrefix(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION);
        String batch = StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG);
        HostInfo self = new HostInfo("localhost", 1);
        Properties defaults = ScorerApp.streamsProperties(settings, ScorerConfig.from(settings), self);
        assertThat(defaults.get(inFlight)).isEqualTo(1);
        assertThat(defaults.get(batch)).isEqualTo(65536);
        Settings overridden = settings.with("kafka.streams." + inFlight, "5").with("kafka.streams." + batch, "16384");
        Properties chosen = ScorerApp.streamsProperties(overridden, ScorerConfig.from(overridden), self);
        assertThat(chosen.get(inFlight)).isEqualTo("5");
        assertThat(chosen.get(batch)).isEqualTo("16384");
    }

    /**
     * A record cache of 256 MB (at most a quarter of the heap) written out by a commit every second under
     * at-least-once and every 100 ms under exactly-once, unless the settings say otherwise.
     */
    @Test
    void theRecordCacheHoldsTheWorkingSetAndCommitsWriteItOutOftenUnlessTheSettingsSayOtherwise() {
        Settings settings = Settings.defaults().with("kafka.bootstrap.servers", "localhost:9092");
        String cache = StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG;
        String commit = StreamsConfig.COMMIT_INTERVAL_MS_CONFIG;
        HostInfo self = new HostInfo("localhost", 1);
        ScorerConfig config = ScorerConfig.from(settings);
        assertThat(ScorerApp.recordCacheBytes(config, 4L << 30)).isEqualTo(256L << 20);
        assertThat(ScorerApp.recordCacheBytes(config, 512L << 20)).isEqualTo(128L << 20);
        Properties defaults = ScorerApp.streamsProperties(settings, config, self);
        assertThat(defaults.get(cache)).isEqualTo(ScorerApp.recordCacheBytes(config, Runtime.getRuntime().maxMemory()));
        assertThat(defaults.get(commit)).isEqualTo(1000L);
        Settings exactlyOnce = settings.with("scorer.processing-guarantee", "exactly_once_v2");
        assertThat(ScorerApp.streamsProperties(exactlyOnce, ScorerConfig.from(exactlyOnce), self).get(commit))
                .isEqualTo(100L);
        Settings chosen = settings.with("scorer.record-cache-mb", "0").with("scorer.commit-interval-ms", "250");
        Properties chosenProperties = ScorerApp.streamsProperties(chosen, ScorerConfig.from(chosen), self);
        assertThat(chosenProperties.get(cache)).isEqualTo(0L);
        assertThat(chosenProperties.get(commit)).isEqualTo(250L);
        Settings passedThrough = settings.with("kafka.streams." + cache, "1048576");
        assertThat(ScorerApp.streamsProperties(passedThrough, ScorerConfig.from(passedThrough), self).get(cache))
                .isEqualTo("1048576");
        assertThatThrownBy(() -> ScorerConfig.from(settings.with("scorer.commit-interval-ms", "0")))
                .hasMessageContaining("scorer.commit-interval-ms");
        assertThatThrownBy(() -> ScorerConfig.from(settings.with("scorer.record-cache-mb", "-1")))
                .hasMessageContaining("scorer.record-cache-mb");
        assertThatThrownBy(() -> ScorerConfig.from(settings.with("scorer.record-cache-mb", "9000000000000")))
                .hasMessageContaining("scorer.record-cache-mb");
    }

    @Test
    void everyUserGetsAListANewUserGetsAPersonalOneFromTheirRatingAndQueriesAnswer(@TempDir Path state) throws Exception {
        Settings settings = kafka.settings()
                .with("scorer.application-id", "scorer-app-test")
                .with("scorer.state-dir", state)
                .with("scorer.http.port", 0);
        PlantedWorld world = new PlantedWorld(16, 50, 1);
        Map<Long, float[]> users = new HashMap<>();
        for (long u = 1; u <= USERS; u++) {
            users.put(u, world.mfUser((int) (u % 4)));
        }
        try (SnapshotPublisher publisher = new SnapshotPublisher(settings);
             ListReader reader = new ListReader(settings);
             Metrics metrics = Metrics.inMemory()) {
            publisher.movies(world.movies());
            publisher.snapshot(PlantedWorld.manifest("mf", 1, world.dim, world.items(), USERS, Map.of(), false),
                    world.mfItems(), users, 0);
            try (ScorerApp scorer = ScorerApp.start(settings, metrics)) {
                assertThat(scorer.awaitRunning(Duration.ofSeconds(60))).isTrue();
                assertThat(scorer.items()).isEqualTo(world.items());
                assertThat(scorer.modelVersion()).isEqualTo(1);

                Set<Long> listed = new HashSet<>();
                reader.await(r -> r.list().trigger().equals("snapshot") && listed.add(r.list().userId())
                        && listed.size() == USERS, Duration.ofSeconds(30), "for every user with factors");

                long newcomer = 1_000_000;
                List<Rating> ratings = List.of(
                        new Rating(newcomer, world.movie(PlantedWorld.SCI_FI, 0), 5, System.currentTimeMillis()),
                        new Rating(newcomer, world.movie(PlantedWorld.SCI_FI, 1), 4.5f, System.currentTimeMillis()),
                        new Rating(newcomer, world.movie(PlantedWorld.SCI_FI, 2), 5, System.currentTimeMillis()));
                long[] producedAt = publisher.rate(ratings);
                ListReader.Received fresh = reader.await(r -> r.list().userId() == newcomer
                        && r.list().triggeredAt() == producedAt[2], Duration.ofSeconds(10), "for the new user's third rating");
                System.out.printf("the new user's list arrived %d ms after their third rating%n",
                        fresh.receivedAt() - producedAt[2]);
                Recommendation list = fresh.list();
                assertThat(list.source()).isEqualTo("fold-in");
                assertThat(list.items()).filteredOn(i -> world.genreOf(i.movieId()) == PlantedWorld.SCI_FI)
                        .hasSizeGreaterThanOrEqualTo(8);
                assertThat(list.items()).noneMatch(i -> ratings.stream().anyMatch(r -> r.movieId() == i.movieId()));
                assertThat(list.items().get(0).title()).startsWith("Sci-Fi movie");

                // Clients that send half a request and wait: they once held all four query threads of the JDK server.
                List<Socket> slowClients = new java.util.ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    Socket slow = new Socket("127.0.0.1", scorer.httpPort());
                    slow.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
                    slowClients.add(slow);
                }
                queries(scorer, newcomer, world, list);
                for (Socket slow : slowClients) {
                    slow.close();
                }
                aSecondInstanceOnTheSamePortIsToldWhatToChange(settings, scorer, state);
                aRatingOnTheWrongPartitionReachesItsUser(scorer, publisher, reader, metrics, world);
                badInputIsSkipped(settings, publisher, reader, metrics, world);
                oversizedRatingsOnTheWrongPartitionStopNothing(settings, publisher, reader, metrics, world);
                aBacklogIsRankedOncePerUser(publisher, reader, metrics, world);

                String scrape = metrics.scrape();
                assertThat(scrape).contains("streamrec_scorer_rating_latency_seconds_bucket",
                        "streamrec_scorer_rating_arrival_seconds_bucket", "streamrec_scorer_rescored_total{trigger=\"rating\"}", "streamrec_scorer_store_user_ratings_entries");
            }
        }
    }

    /** A newcomer's second scorer on the default port once got only "cannot serve scorer-queries on ...". */
    private static void aSecondInstanceOnTheSamePortIsToldWhatToChange(Settings settings, ScorerApp scorer, Path state) {
        try (Metrics metrics = Metrics.inMemory()) {
            assertThatThrownBy(() -> ScorerApp.start(settings.with("scorer.http.port", scorer.httpPort())
                    .with("scorer.state-dir", state.resolve("second")), metrics))
                    .hasMessageContaining("the port is in use")
                    .hasMessageContaining("--http-port");
            // Its own port but the same state directory: Kafka Streams' lock on it once ended in a stack trace.
            assertThatThrownBy(() -> ScorerApp.start(settings.with("scorer.http.port", 0), metrics))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("is in use by another scorer")
                    .hasMessageContaining("--state-dir");
        }
    }

    /** The queries, the recommendations one answering with {@code sent}, the newcomer's latest list on the topic. */
    private void queries(ScorerApp scorer, long newcomer, PlantedWorld world, Recommendation sent) throws Exception {
        HttpResponse<String> recs = get(scorer.httpUrl() + "/users/" + newcomer + "/recommendations");
        assertThat(recs.statusCode()).isEqualTo(200);
        JsonNode tree = JsonSchemas.MAPPER.readTree(recs.body());
        assertThat(JsonSchemas.RECOMMENDATION.violations(tree)).isEmpty();
        assertThat(tree.get("trigger").asText()).isEqualTo("rating");
        assertThat(tree.get("generatedAt").asLong()).isEqualTo(sent.generatedAt());
        List<Long> queried = new java.util.ArrayList<>();
        tree.get("items").forEach(i -> queried.add(i.get("movieId").asLong()));
        assertThat(queried).isEqualTo(sent.items().stream().map(Recommendation.Item::movieId).toList());

        JsonNode rated = JsonSchemas.MAPPER.readTree(get(scorer.httpUrl() + "/users/" + newcomer + "/ratings").body());
        assertThat(rated.get("ratings")).hasSize(3);
        assertThat(rated.get("ratings").get(0).get("rating").asDouble()).isEqualTo(5.0);
        assertThat(rated.get("ratings").get(0).get("genres").get(0).asText()).isEqualTo("Sci-Fi");

        JsonNode movie = JsonSchemas.MAPPER.readTree(get(scorer.httpUrl() + "/movies/" + world.movie(1, 3)).body());
        assertThat(JsonSchemas.MOVIE.violations(movie)).isEmpty();
        assertThat(movie.get("genres").get(0).asText()).isEqualTo("Romance");

        assertThat(get(scorer.httpUrl() + "/users/424242/recommendations").statusCode()).isEqualTo(404);
        assertThat(get(scorer.httpUrl() + "/users/abc/recommendations").statusCode()).isEqualTo(400);
        assertThat(get(scorer.httpUrl() + "/movies/999999").statusCode()).isEqualTo(404);
        JsonNode health = JsonSchemas.MAPPER.readTree(get(scorer.httpUrl() + "/health").body());
        assertThat(health.get("state").asText()).isEqualTo("RUNNING");
        assertThat(health.get("activeTasks").asInt()).isEqualTo(Topics.USER_PARTITIONS);
    }

    /**
     * A producer that partitions keys another way than murmur2 (kcat, librdkafka clients by default) puts a user's
     * rating where their factors are not; the scorer moves it, so the list and the queries still know it.
     */
    private void aRatingOnTheWrongPartitionReachesItsUser(ScorerApp scorer, SnapshotPublisher publisher,
                                                          ListReader reader, Metrics metrics, PlantedWorld world)
            throws Exception {
        long user = 7;
        long movie = world.movie(3, 0);
        int home = UserProcessor.partitionOf(Long.toString(user).getBytes(StandardCharsets.UTF_8));
        long at = publisher.rateOnPartition(new Rating(user, movie, 5, System.currentTimeMillis()),
                (home + 1) % Topics.USER_PARTITIONS);
        Recommendation list = reader.await(r -> r.list().userId() == user && r.list().triggeredAt() == at,
                Duration.ofSeconds(10), "for a rating produced on the wrong partition").list();
        assertThat(list.items()).noneMatch(i -> i.movieId() == movie);
        JsonNode rated = JsonSchemas.MAPPER.readTree(get(scorer.httpUrl() + "/users/" + user + "/ratings").body());
        assertThat(rated.get("ratings")).extracting(n -> n.get("movieId").asLong()).containsExactly(movie);
        assertThat(metrics.scrape()).containsPattern("streamrec_scorer_ratings_rerouted_total(\\{[^}]*})? 1.0");
    }

    private static void badInputIsSkipped(Settings settings, SnapshotPublisher publisher, ListReader reader,
                                          Metrics metrics, PlantedWorld world) throws Exception {
        publisher.raw(Topics.RATINGS.name(), "5".getBytes(StandardCharsets.UTF_8), "{\"userId\": 5, oops".getBytes(StandardCharsets.UTF_8));
        // On user 5's partition, so it is read before the valid rating below: with no key the partitioner put it
        // anywhere, and its task could count it after user 5's list was out (a flaky count of 1 instead of 2).
        publisher.raw(Topics.RATINGS.name(), UserProcessor.partitionOf("5".getBytes(StandardCharsets.UTF_8)), null,
                "{}".getBytes(StandardCharsets.UTF_8));
        long[] at = publisher.rate(List.of(new Rating(5, world.movie(2, 7), 4, System.currentTimeMillis())));
        reader.await(r -> r.list().userId() == 5 && r.list().triggeredAt() == at[0], Duration.ofSeconds(10),
                "for a valid rating after bad ones");
        assertThat(metrics.scrape()).containsPattern("streamrec_scorer_invalid_total\\{[^}]*input=\"ratings\"[^}]*} 2.0");
        try (Admin admin = KafkaClients.newAdmin(settings, "test-admin")) {
            long dlq = admin.listOffsets(Map.of(new TopicPartition(Topics.RATINGS_DLQ.name(), 0), OffsetSpec.latest()))
                    .all().get().values().iterator().next().offset();
            assertThat(dlq).as("the scorer never writes the dead-letter queue").isZero();
        }
    }

    /**
     * kcat compresses (lz4 here) and partitions by CRC32, so a 3 MB value the broker accepts (1 MB limit, compressed
     * to a few kB) can arrive on another partition than its key's. An invalid one is skipped and counted, never sent
     * on (uncompressed it is too large to send, and a failed send used to stop the stream thread over and over); a
     * valid one (its size in an extra field) is sent on as its canonical JSON and reaches its user.
     */
    private static void oversizedRatingsOnTheWrongPartitionStopNothing(Settings settings, SnapshotPublisher publisher,
                                                                      ListReader reader, Metrics metrics,
                                                                      PlantedWorld world) throws Exception {
        long user = 8;
        byte[] key = Long.toString(user).getBytes(StandardCharsets.UTF_8);
        int elsewhere = (UserProcessor.partitionOf(key) + 1) % Topics.USER_PARTITIONS;
        String padding = "x".repeat(3 << 20);
        double invalidBefore = counter(metrics, "streamrec.scorer.invalid", "input", "ratings");
        double reroutedBefore = counter(metrics, "streamrec.scorer.ratings.rerouted", null, null);
        long movie = world.movie(2, 3);
        Properties p = KafkaClients.liveProducer(settings, "test-kcat-like");
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 << 20);
        long validAt;
        try (KafkaProducer<byte[], byte[]> kcatLike = new KafkaProducer<>(p)) {
            long now = System.currentTimeMillis();
            String invalid = "{\"userId\":8,\"movieId\":" + movie + ",\"rating\":9,\"timestamp\":" + now
                    + ",\"padding\":\"" + padding + "\"}";
            kcatLike.send(new ProducerRecord<>(Topics.RATINGS.name(), elsewhere, key,
                    invalid.getBytes(StandardCharsets.UTF_8))).get();
            String valid = "{\"userId\":8,\"movieId\":" + movie + ",\"rating\":4.5,\"timestamp\":" + now
                    + ",\"padding\":\"" + padding + "\"}";
            validAt = kcatLike.send(new ProducerRecord<>(Topics.RATINGS.name(), elsewhere, key,
                    valid.getBytes(StandardCharsets.UTF_8))).get().timestamp();
        }
        Recommendation list = reader.await(r -> r.list().userId() == user && r.list().triggeredAt() == validAt,
                Duration.ofSeconds(20), "for the valid oversized rating after the invalid one, both on the wrong partition")
                .list();
        assertThat(list.items()).noneMatch(i -> i.movieId() == movie);
        assertThat(counter(metrics, "streamrec.scorer.invalid", "input", "ratings") - invalidBefore).isEqualTo(1);
        assertThat(counter(metrics, "streamrec.scorer.ratings.rerouted", null, null) - reroutedBefore).isEqualTo(1);
    }

    private static double counter(Metrics metrics, String name, String tag, String value) {
        var search = metrics.registry().find(name);
        return (tag == null ? search : search.tag(tag, value)).counter().count();
    }

    /**
     * Ratings produced long ago (a replay of history, or a scorer catching up after downtime) are not ranked one by
     * one: each user is ranked once with all of theirs.
     */
    private static void aBacklogIsRankedOncePerUser(SnapshotPublisher publisher, ListReader reader, Metrics metrics,
                                                    PlantedWorld world) {
        double before = metrics.registry().find("streamrec.scorer.rescored").tag("trigger", "rating").counter().count();
        long hourAgo = System.currentTimeMillis() - 3_600_000;
        List<Rating> history = new java.util.ArrayList<>();
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        Map<Long, Long> last = new HashMap<>();
        for (int i = 0; i < 20_000; i++) {
            long user = 2_000 + random.nextInt(200);
            history.add(new Rating(user, 1 + random.nextInt(world.items()), 4, hourAgo + i));
            last.put(user, hourAgo + i);
        }
        publisher.backlog(history);
        Set<Long> caughtUp = new HashSet<>();
        reader.await(r -> {
            Long at = last.get(r.list().userId());
            if (at != null && at.equals(r.list().triggeredAt())) {
                caughtUp.add(r.list().userId());
            }
            return caughtUp.size() == last.size();
        }, Duration.ofSeconds(60), "reflecting each backlog user's last rating");
        double ranked = metrics.registry().find("streamrec.scorer.rescored").tag("trigger", "rating").counter().count() - before;
        assertThat(ranked).as("lists computed for 20,000 backlog ratings of %d users", last.size())
                .isLessThan(2_000);
        assertThat(metrics.registry().find("streamrec.scorer.ratings.backlog").counter().count()).isEqualTo(20_000);
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
