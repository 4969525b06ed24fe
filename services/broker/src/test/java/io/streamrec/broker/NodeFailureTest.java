package io.streamrec.broker;

import io.streamrec.config.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A node process that cannot start fails the cluster's start at once, with its own log, and leaves nothing running. */
class NodeFailureTest {

    @TempDir
    Path dataDir;

    @Test
    void reportsTheEndOfTheFailedNodesLogAndStopsTheOthers() {
        // A heap too small for any JVM: every node process exits straight away.
        ClusterSpec spec = ClusterSpec.from(Settings.defaults().with("broker.node-java-options", "-Xmx1k"))
                .withDataDir(dataDir).withPort(0).withNodes(3);
        long started = System.nanoTime();
        assertThatThrownBy(() -> KafkaCluster.start(spec))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("exited with status")
                .hasMessageContaining("node.log")
                .hasMessageContaining("heap");
        assertThat((System.nanoTime() - started) / 1_000_000_000).as("seconds to notice").isLessThan(30);
        assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive)
                .filter(p -> p.info().commandLine().orElse("").contains("NodeMain"))).isEmpty();
    }
}
