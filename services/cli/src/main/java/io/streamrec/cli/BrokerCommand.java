package io.streamrec.cli;

import io.streamrec.config.SettingsOptions;
import io.streamrec.broker.ClusterSpec;
import io.streamrec.broker.KafkaCluster;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code streamrec broker}: runs a real Kafka cluster on this machine until Ctrl-C. */
@Command(name = "broker", mixinStandardHelpOptions = true,
        description = {"Runs a real Apache Kafka (KRaft) cluster on this machine until Ctrl-C, from Kafka's own jars.",
                "Formats the data directory on first start and reuses it after (records survive restarts), creates "
                        + "streamrec's topics, and prints the address for clients.",
                "One node runs inside this process; --nodes N starts one process per node, topics replicated N times."})
public final class BrokerCommand implements Callable<Integer> {
    @Mixin
    SettingsOptions settings;

    @Option(names = "--nodes", paramLabel = "N", description = "Number of nodes, 1 to 9 (broker.nodes; default 1).")
    Integer nodes;

    @Option(names = "--port", paramLabel = "PORT",
            description = "Client port of node 1; node n listens on PORT+n-1; 0 picks free ports (broker.port; default 9092).")
    Integer port;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Where the nodes keep their data (broker.data-dir; default .streamrec/kafka in the working directory).")
    Path dataDir;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        Map<String, Object> flags = new LinkedHashMap<>();
        flags.put("broker.nodes", nodes);
        flags.put("broker.port", port);
        flags.put("broker.data-dir", dataDir);
        ClusterSpec clusterSpec = ClusterSpec.from(settings.load(flags));
        PrintWriter out = spec.commandLine().getOut();

        KafkaCluster cluster;
        try {
            cluster = KafkaCluster.start(clusterSpec);
        } catch (IllegalStateException e) {
            // Did not become ready (a node died, a timeout): the message says why, with the node's log if any.
            spec.commandLine().getErr().println("streamrec broker: " + e.getMessage());
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            long t = System.nanoTime();
            out.println("Stopping Kafka...");
            out.flush();
            cluster.close();
            // A node that had to be killed is reported (WARN) by the cluster itself, above this line.
            out.printf("Kafka stopped in %d ms; data kept in %s%n", (System.nanoTime() - t) / 1_000_000,
                    cluster.dataDir());
            out.flush();
        }, "broker-shutdown"));
        out.printf("Kafka ready at %s (%d %s, %s, data in %s)%n", cluster.bootstrapServers(), cluster.size(),
                cluster.size() == 1 ? "node" : "nodes", cluster.formatted() ? "new cluster" : "existing cluster",
                cluster.dataDir());
        out.printf("Clients: --bootstrap-server %s   (kcat -b %s -L)%nPress Ctrl-C to stop.%n",
                cluster.bootstrapServers(), cluster.bootstrapServers());
        out.flush();
        // Runs until Ctrl-C (or SIGTERM): the JVM then runs the hook above and exits without coming back here.
        new CountDownLatch(1).await();
        return 0;
    }
}
