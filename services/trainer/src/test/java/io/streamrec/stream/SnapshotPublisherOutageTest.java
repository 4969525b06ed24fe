package io.streamrec.stream;

import io.streamrec.broker.ClusterSpec;
import io.streamrec.broker.InProcessBroker;
import io.streamrec.config.Settings;
import io.streamrec.contract.FactorRow;
import io.streamrec.contract.SnapshotManifest;
import io.streamrec.contract.Topics;
import io.streamrec.kafka.KafkaClients;
import io.streamrec.kafka.TopicAdmin;
import io.streamrec.snapshot.CapturedRows;
import io.streamrec.snapshot.ServingSnapshot;
import io.streamrec.snapshot.SnapshotPublisher;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A snapshot published while the broker is away fails its first attempt and is published on a later one, once the
 * broker is back, exactly once. (With the broker gone before the sends, Kafka 4's producer drops its metadata and the
 * sends fail, so the attempt aborts; a commit that itself times out, after sends that went through, is retried as a
 * commit, which no test here reaches deterministically.)
 */
class SnapshotPublisherOutageTest {
    /**
     * Short, so an attempt fails while the broker is away (the outage outlasts it), yet long enough for the abort
     * that follows to wait out the broker's restart, which it must (its own time-out would fail the publication).
     */
    private static final int MAX_BLOCK_MS = 10_000;

    @TempDir
    Path dataDir;

    @Test
    void aSnapshotPublishedDuringAnOutageLandsOnceTheBrokerIsBack() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        ClusterSpec spec = ClusterSpec.from(Settings.defaults()).withDataDir(dataDir).withPort(port);
        Settings settings = Settings.defaults().with("kafka.bootstrap.servers", "localhost:" + port)
                .with("topics.replication-factor", 1).with("kafka.producer.max.block.ms", MAX_BLOCK_MS);
        InProcessBroker broker = InProcessBroker.start(spec);
        try (Admin admin = KafkaClients.newAdmin(settings, "outage-test-admin")) {
            TopicAdmin.ensureTopics(admin, 1, Duration.ofSeconds(60));
        }
        try (SnapshotPublisher publisher = new SnapshotPublisher(settings, "outage-test", "serving")) {
            publisher.fencePredecessors();
            publisher.publish(snapshot(1)); // the producer learns the partitions while the broker is there

            broker.close();
            CompletableFuture<Void> second = CompletableFuture.runAsync(() -> publisher.publish(snapshot(2)));
            Thread.sleep(MAX_BLOCK_MS + 1_000); // the first attempt has failed by now
            broker = InProcessBroker.start(spec);
            second.get(3L * MAX_BLOCK_MS + 30_000, TimeUnit.MILLISECONDS);
            assertThat(publisher.health().failures()).as("an attempt failed while the broker was away").isPositive();
            assertThat(publisher.health().failing()).as("a later attempt went through").isFalse();
        } finally {
            broker.close();
        }

        broker = InProcessBroker.start(spec);
        try {
            List<Long> versions = ModelTopics.manifests(settings, Topics.SNAPSHOTS.name()).stream()
                    .map(SnapshotManifest::version).toList();
            assertThat(versions).as("each snapshot committed exactly once").containsExactly(1L, 2L);
        } finally {
            broker.close();
        }
    }

    private static ServingSnapshot snapshot(long version) {
        int width = 4;
        long[] users = {1, 2, 3};
        CapturedRows rows = new CapturedRows(Topics.USER_FACTORS.name(), version, users, new int[]{1, 1, 1},
                new float[users.length * width], width, new float[0], 0, FactorRow.Precision.FLOAT16);
        SnapshotManifest manifest = new SnapshotManifest("outage-test", version, System.currentTimeMillis(), 3, 3, 0,
                List.of(), users.length, 0, Map.of(), Map.of(), Map.of());
        return new ServingSnapshot(manifest, List.of(rows));
    }
}
