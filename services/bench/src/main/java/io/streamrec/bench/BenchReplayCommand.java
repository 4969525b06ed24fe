package io.streamrec.bench;

import io.streamrec.config.SettingsOptions;
import io.streamrec.config.Settings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

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
    public Integer call() throws Exception {
        Map<String, Object> flags = new LinkedHashMap<>();
        flags.put("bench.replay.events", events);
        flags.put("bench.replay.rounds", rounds);
        Settings s = settings.load(flags);
        PrintWriter out = spec.commandLine().getOut();
        BenchBroker.run(settings, s, out, true, broker -> ReplayBenchmark.run(broker,
                broker.longInteger("bench.replay.events"), broker.integer("bench.replay.rounds"), out));
        return 0;
    }
}
