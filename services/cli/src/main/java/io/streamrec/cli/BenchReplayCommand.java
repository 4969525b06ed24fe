package io.streamrec.cli;

import io.streamrec.broker.ClusterSpec;
import io.streamrec.broker.KafkaCluster;
import io.streamrec.config.Settings;
import io.streamrec.replay.ReplayBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/** {@code streamrec bench replay}: replayer throughput beside a bare KafkaProducer loop on the same broker. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Produces synthetic ratings through the replayer and, in the same run, the same records "
                + "pre-serialised through a bare KafkaProducer loop with the same settings; prints both in events/s "
                + "and their ratio.",
                "Uses the broker at --bootstrap-server, or starts an embedded one for the run when none is given. "
                        + "Writes to a scratch topic it deletes afterwards."})
public final class BenchReplayCommand implements Callable<Integer> {
    @Mixin
    SettingsOptions settings;

    @Option(names = "--events", paramLabel = "N", description = "Events per contender and round (bench.replay.events; default 1,000,000).")
    Long events;

    @Option(names = "--rounds", paramLabel = "N", description = "Rounds, alternating the contenders (bench.replay.rounds; default 3).")
    Integer rounds;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        Map<String, Object> flags = new LinkedHashMap<>();
        flags.put("bench.replay.events", events);
        flags.put("bench.replay.rounds", rounds);
        Settings s = settings.load(flags);
        PrintWriter out = spec.commandLine().getOut();
        boolean ownBroker = settings.bootstrapServers == null && !settings.overrides.containsKey("kafka.bootstrap.servers");
        if (!ownBroker) {
            out.println("broker: " + s.text("kafka.bootstrap.servers"));
            run(s, out);
            return 0;
        }
        Path dir = Files.createTempDirectory("streamrec-bench-kafka-");
        try (KafkaCluster cluster = KafkaCluster.start(ClusterSpec.from(s).withDataDir(dir).withPort(0).withNodes(1))) {
            out.println("broker: embedded, 1 node at " + cluster.bootstrapServers() + " (no --bootstrap-server given)");
            run(s.with("kafka.bootstrap.servers", cluster.bootstrapServers()).with("topics.replication-factor", 1), out);
        } finally {
            deleteTree(dir);
        }
        return 0;
    }

    private static void run(Settings s, PrintWriter out) {
        ReplayBenchmark.run(s, s.longInteger("bench.replay.events"), s.integer("bench.replay.rounds"), out);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot delete " + p, e);
                }
            }
        }
    }
}
