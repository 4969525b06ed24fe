package io.streamrec.bench;

import io.streamrec.config.SettingsOptions;
import io.streamrec.files.Directories;
import io.streamrec.broker.ClusterSpec;
import io.streamrec.broker.KafkaCluster;
import io.streamrec.config.Settings;
import io.streamrec.kafka.TopicAdmin;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where a benchmark runs: the broker the user named, or an embedded single node of its own for the run. */
final class BenchBroker {
    interface Body {
        void run(Settings settings) throws Exception;
    }

    private BenchBroker() {
    }

    /**
     * Runs the body against the given broker when the user named one and {@code mayUseGiven}, else against a fresh
     * embedded broker whose data is deleted afterwards.
     *
     * @throws io.streamrec.kafka.KafkaUnreachableException when the named broker is not there
     */
    static void run(SettingsOptions options, Settings s, PrintWriter out, boolean mayUseGiven, Body body) throws Exception {
        boolean given = options.namesBroker();
        if (given && mayUseGiven) {
            TopicAdmin.requireBroker(s);
            out.println("broker: " + s.text("kafka.bootstrap.servers"));
            body.run(s);
            return;
        }
        Path dir = Files.createTempDirectory("streamrec-bench-kafka-");
        try (KafkaCluster cluster = KafkaCluster.start(ClusterSpec.from(s).withDataDir(dir).withPort(0).withNodes(1))) {
            out.println("broker: embedded, 1 node at " + cluster.bootstrapServers()
                    + (given ? " (this benchmark always runs on a broker of its own)" : " (no --bootstrap-server given)"));
            body.run(s.with("kafka.bootstrap.servers", cluster.bootstrapServers()).with("topics.replication-factor", 1));
        } finally {
            Directories.deleteRecursively(dir);
        }
    }

}
