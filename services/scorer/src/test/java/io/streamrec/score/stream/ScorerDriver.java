package io.streamrec.score.stream;

import io.streamrec.score.PlantedWorld;
import io.streamrec.score.ScorerApp;
import io.streamrec.score.state.ScorerState;
import io.streamrec.score.state.ScorerMetrics;
import io.streamrec.score.state.ScorerConfig;
import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.streamrec.config.Settings;
import io.streamrec.contract.FactorRow;
import io.streamrec.contract.JsonSchemas;
import io.streamrec.contract.Movie;
import io.streamrec.contract.Rating;
import io.streamrec.contract.RatingCodec;
import io.streamrec.contract.Recommendation;
import io.streamrec.contract.SnapshotManifest;
import io.streamrec.contract.Topics;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scorer's topology in a {@link TopologyTestDriver}, with helpers to feed it the topics the trainer and the
 * producers would, and to read back lists (each checked against recommendation.schema.json).
 */
final class ScorerDriver implements AutoCloseable {
    static final long T0 = 1_700_000_000_000L;

    final ScorerState state;
    final TopologyTestDriver driver;
    private final Path stateDir;
    private final TestInputTopic<byte[], byte[]> ratings;
    private final TestInputTopic<String, FactorRow> users;
    private final TestInputTopic<String, FactorRow> items;
    private final TestInputTopic<String, SnapshotManifest> snapshots;
    private final TestInputTopic<String, Movie> movies;
    private final TestOutputTopic<String, byte[]> output;
    private long now = T0;

    ScorerDriver(Map<String, Object> overrides) {
        try {
            stateDir = Files.createTempDirectory("scorer-ttd-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Settings settings = Settings.defaults()
                .with("kafka.bootstrap.servers", "ttd:9092")
                .with("scorer.store", "in-memory")
                .with("scorer.state-dir", stateDir)
                .with("scorer.popularity.refresh-ms", 0);
        for (Map.Entry<String, Object> e : overrides.entrySet()) {
            settings = settings.with(e.getKey(), e.getValue());
        }
        ScorerConfig config = ScorerConfig.from(settings);
        state = new ScorerState(config, new ScorerMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)));
        Properties props = ScorerApp.streamsProperties(settings, config, new HostInfo("localhost", 1));
        driver = new TopologyTestDriver(ScorerTopology.build(state), props, Instant.ofEpochMilli(T0));
        ratings = driver.createInputTopic(Topics.RATINGS.name(), new ByteArraySerializer(), new ByteArraySerializer());
        users = driver.createInputTopic(Topics.USER_FACTORS.name(), new StringSerializer(),
                Topics.USER_FACTORS.valueSerde().serializer());
        items = driver.createInputTopic(Topics.ITEM_FACTORS.name(), new StringSerializer(),
                Topics.ITEM_FACTORS.valueSerde().serializer());
        snapshots = driver.createInputTopic(Topics.SNAPSHOTS.name(), new StringSerializer(),
                Topics.SNAPSHOTS.valueSerde().serializer());
        movies = driver.createInputTopic(Topics.MOVIES.name(), new StringSerializer(), Topics.MOVIES.valueSerde().serializer());
        output = driver.createOutputTopic(Topics.RECOMMENDATIONS.name(), new StringDeserializer(), new ByteArrayDeserializer());
    }

    ScorerDriver() {
        this(Map.of());
    }

    long now() {
        return now;
    }

    /**
     * Moves the wall clock on, which runs the rescore punctuator. With a rescoring thread, also waits for what that
     * round handed over and runs the next round at once, which sends it: as if the lists were computed in the round.
     */
    void advance(Duration d) {
        now += d.toMillis();
        driver.advanceWallClockTime(d);
        if (state.rescorers != null) {
            try {
                state.rescorers.submit(() -> { }).get();
            } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException(e);
            }
            driver.advanceWallClockTime(UserProcessor.TICK);
            now += UserProcessor.TICK.toMillis();
        }
    }

    /**
     * Runs one round that hands users over to the rescoring thread and waits until it has computed their lists,
     * without the round that sends them: what happens in between is up to the test.
     */
    void handOver(Duration d) {
        now += d.toMillis();
        driver.advanceWallClockTime(d);
        try {
            state.rescorers.submit(() -> { }).get();
        } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Moves the wall clock on (running the punctuator) without waiting for the rescoring thread. */
    void advanceWithoutWaiting(Duration d) {
        now += d.toMillis();
        driver.advanceWallClockTime(d);
    }

    /** One punctuator tick. */
    void tick() {
        advance(UserProcessor.TICK);
    }

    void rate(long user, long movie, float stars) {
        rateRaw(Long.toString(user), RatingCodec.toJson(new Rating(user, movie, stars, now - 1000)), now);
    }

    void rateRaw(String key, byte[] value, long producedAt) {
        ratings.pipeInput(key == null ? null : key.getBytes(StandardCharsets.UTF_8), value, producedAt);
    }

    void userRow(long user, FactorRow row) {
        users.pipeInput(Long.toString(user), row, now);
    }

    void userRowRaw(String key, byte[] value) {
        driver.createInputTopic(Topics.USER_FACTORS.name(), new StringSerializer(), new ByteArraySerializer())
                .pipeInput(key, value, now);
    }

    void itemRow(long movie, FactorRow row) {
        items.pipeInput(Long.toString(movie), row, now);
    }

    void itemRows(Map<Long, float[]> rows, long version) {
        rows.forEach((m, p) -> itemRow(m, PlantedWorld.row(version, 10, p)));
    }

    void manifest(SnapshotManifest m) {
        snapshots.pipeInput(m.model(), m, now);
    }

    void movies(List<Movie> catalogue) {
        for (Movie m : catalogue) {
            movies.pipeInput(m.key(), m, now);
        }
    }

    /** Every list emitted since the last call, each validated against the schema. */
    List<Recommendation> lists() {
        List<Recommendation> out = new ArrayList<>();
        for (byte[] value : output.readValuesToList()) {
            try {
                JsonNode tree = JsonSchemas.MAPPER.readTree(value);
                assertThat(JsonSchemas.RECOMMENDATION.violations(tree)).as("schema violations of %s", tree).isEmpty();
                out.add(JsonSchemas.MAPPER.treeToValue(tree, Recommendation.class));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    /** The one list emitted since the last call. */
    Recommendation single() {
        List<Recommendation> lists = lists();
        assertThat(lists).hasSize(1);
        return lists.get(0);
    }

    KeyValueStore<String, byte[]> store(String name) {
        return driver.getKeyValueStore(name);
    }

    @Override
    public void close() {
        driver.close();
        state.close();
        try (var paths = Files.walk(stateDir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
