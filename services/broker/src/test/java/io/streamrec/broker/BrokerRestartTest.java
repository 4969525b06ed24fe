package io.streamrec.broker;

import io.streamrec.config.Settings;
import io.streamrec.contract.Rating;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The embedded broker's storage: formatted on first start, reused after, and guarded against misuse. */
class BrokerRestartTest {

    @TempDir
    Path dataDir;

    private ClusterSpec spec() {
        return ClusterSpec.from(Settings.defaults()).withDataDir(dataDir).withPort(0);
    }

    @Test
    void restartReusesTheStorageAndKeepsTheRecords() {
        List<Rating> before = RatingTraffic.ratings("before-restart", 300);
        String clusterId;
        try (InProcessBroker first = InProcessBroker.start(spec())) {
            assertThat(first.formatted()).isTrue();
            clusterId = first.clusterId();
            RatingTraffic.produce(settingsFor(first), before);
        }
        assertThat(dataDir.resolve("node-1/data/meta.properties")).exists();

        List<Rating> after = RatingTraffic.ratings("after-restart", 100);
        try (InProcessBroker second = InProcessBroker.start(spec())) {
            assertThat(second.formatted()).isFalse();
            assertThat(second.clusterId()).isEqualTo(clusterId);
            Settings settings = settingsFor(second);
            assertThat(RatingTraffic.readAll(settings, "read_committed")).containsExactlyInAnyOrderElementsOf(before);
            RatingTraffic.produce(settings, after);
            List<Rating> all = new ArrayList<>(before);
            all.addAll(after);
            assertThat(RatingTraffic.readAll(settings, "read_committed", "restart-test"))
                    .containsExactlyInAnyOrderElementsOf(all);
        }
    }

    @Test
    void aBrokerAtPortZeroComesBackOnItsPortWhileItIsFree() throws IOException {
        String first;
        try (InProcessBroker broker = InProcessBroker.start(spec())) {
            first = broker.bootstrapServers();
        }
        try (InProcessBroker again = InProcessBroker.start(spec())) {
            assertThat(again.bootstrapServers()).as("clients pointed at it find it again").isEqualTo(first);
        }
        int port = Integer.parseInt(first.substring(first.lastIndexOf(':') + 1));
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getByName("localhost"), port));
            try (InProcessBroker elsewhere = InProcessBroker.start(spec())) {
                assertThat(elsewhere.bootstrapServers()).as("its port taken: any free one").isNotEqualTo(first);
            }
        }
    }

    @Test
    void refusesADataDirectoryOfAClusterWithAnotherNodeCount() {
        try (InProcessBroker broker = InProcessBroker.start(spec())) {
            assertThat(broker.size()).isEqualTo(1);
        }
        // Fails before any node process is launched: the storage check comes first.
        assertThatThrownBy(() -> KafkaCluster.start(spec().withNodes(3)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("holds a 1-node cluster")
                .hasMessageContaining("--nodes 1");
        assertThat(dataDir.resolve("node-2")).doesNotExist();
    }

    @Test
    void refusesADataDirectoryARunningBrokerUses() throws Exception {
        List<Rating> ratings = RatingTraffic.ratings("beside-a-refused-start", 50);
        try (InProcessBroker running = InProcessBroker.start(spec())) {
            assertThatThrownBy(() -> InProcessBroker.start(spec()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(dataDir.toString())
                    .hasMessageContaining("in use by another running broker");
            // The OS lock belongs to the process, and closing any channel on the file would drop it: the refused
            // attempt above must not have, or another process could now start a second broker on the directory.
            assertThat(LockProbe.run(dataDir)).as("another process is still kept out").isEqualTo(LockProbe.HELD);
            Settings settings = settingsFor(running);
            RatingTraffic.produce(settings, ratings);
            assertThat(RatingTraffic.readAll(settings, "read_committed"))
                    .as("the running broker is untouched by the refused start")
                    .containsExactlyInAnyOrderElementsOf(ratings);
        }
        assertThat(LockProbe.run(dataDir)).as("closing released the directory").isZero();
        try (InProcessBroker next = InProcessBroker.start(spec())) {
            assertThat(next.formatted()).isFalse();
        }
    }

    @Test
    void refusesAPortInUseWithAClearMessage() throws IOException {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getByName("localhost"), 0));
            assertThatThrownBy(() -> InProcessBroker.start(spec().withPort(taken.getLocalPort())))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("port " + taken.getLocalPort())
                    .hasMessageContaining("in use");
        }
        try (var files = Files.list(dataDir)) {
            assertThat(files).as("nothing formatted for a start that could not happen").isEmpty();
        }
    }

    private static Settings settingsFor(KafkaCluster cluster) {
        return Settings.defaults().with("kafka.bootstrap.servers", cluster.bootstrapServers());
    }
}
