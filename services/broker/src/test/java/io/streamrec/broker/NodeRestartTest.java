package io.streamrec.broker;

import io.streamrec.config.Settings;
import io.streamrec.contract.Topics;
import io.streamrec.kafka.KafkaClients;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node process that dies once the cluster runs (here SIGKILLed from outside, as the kernel's OOM killer would) is
 * started again and rejoins: every partition of ratings gets its third in-sync replica back.
 */
class NodeRestartTest {

    @TempDir
    Path dataDir;

    @Test
    void aNodeThatDiesIsRestartedAndRejoinsTheCluster() throws Exception {
        ClusterSpec spec = ClusterSpec.from(Settings.defaults()).withDataDir(dataDir).withPort(0).withNodes(3);
        try (ProcessCluster cluster = ProcessCluster.start(spec);
             Admin admin = KafkaClients.newAdmin(Settings.defaults().with("kafka.bootstrap.servers",
                     cluster.bootstrapServers()), "restart-test-admin")) {
            long firstPid = cluster.pid(2);
            ProcessHandle.of(firstPid).orElseThrow().destroyForcibly();

            await(() -> cluster.isAlive(2) && cluster.pid(2) != firstPid, "node 2 to run again as a new process");
            assertThat(cluster.restarts(2)).isEqualTo(1);
            await(() -> inSyncReplicasOfRatings(admin) == 3 * Topics.RATINGS.partitions(),
                    "node 2 back in sync on every ratings partition");
            assertThat(admin.describeCluster().nodes().get()).hasSize(3);
        }
    }

    @Test
    void restartsBackOffWhileANodeKeepsDying() {
        assertThat(ProcessCluster.restartDelayMs(1)).isEqualTo(ProcessCluster.FIRST_RESTART_DELAY_MS);
        assertThat(ProcessCluster.restartDelayMs(2)).isEqualTo(2 * ProcessCluster.FIRST_RESTART_DELAY_MS);
        assertThat(ProcessCluster.restartDelayMs(3)).isEqualTo(4 * ProcessCluster.FIRST_RESTART_DELAY_MS);
        assertThat(ProcessCluster.restartDelayMs(40)).isEqualTo(ProcessCluster.MAX_RESTART_DELAY_MS);
    }

    private static int inSyncReplicasOfRatings(Admin admin) {
        try {
            TopicDescription ratings = admin.describeTopics(List.of(Topics.RATINGS.name())).allTopicNames().get()
                    .get(Topics.RATINGS.name());
            return ratings.partitions().stream().mapToInt(p -> p.isr().size()).sum();
        } catch (Exception e) {
            return -1;   // the cluster is still settling: ask again
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited 90 s for " + what);
            }
            Thread.sleep(200);
        }
    }
}
