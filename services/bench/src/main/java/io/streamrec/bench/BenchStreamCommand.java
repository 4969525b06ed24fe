package io.streamrec.bench;

import io.streamrec.config.SettingsOptions;
import io.streamrec.config.Settings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.io.Writer;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code streamrec bench stream}: the streaming trainer's end-to-end rate beside a bare consumer's. */
@Command(name = "stream", mixinStandardHelpOptions = true,
        description = {"End to end from Kafka into the model: produces a synthetic stream, then measures on the same "
                + "broker a bare consumer that reads and parses it and the streaming trainer that consumes, validates, "
                + "trains and snapshots it; prints both rates, their ratio, snapshot publish times, and memory "
                + "samples along the way (use --events 10000000 to watch memory over a long stream).",
                "Always runs on an embedded broker of its own (it writes the model topics)."})
public final class BenchStreamCommand implements Callable<Integer> {
    @Mixin
    SettingsOptions settings;

    @Option(names = "--events", paramLabel = "N", defaultValue = "1000000", description = "Ratings in the stream (default ${DEFAULT-VALUE}).")
    long events;

    @Option(names = "--users", paramLabel = "N", defaultValue = "140000", description = "Synthetic users (default ${DEFAULT-VALUE}).")
    int users;

    @Option(names = "--items", paramLabel = "N", defaultValue = "27000", description = "Synthetic items (default ${DEFAULT-VALUE}).")
    int items;

    @Option(names = "--bare-rounds", paramLabel = "N", defaultValue = "2", description = "Rounds of the bare consumer; the best counts (default ${DEFAULT-VALUE}).")
    int bareRounds;

    @Option(names = "--warm-up-events", paramLabel = "N", defaultValue = "1000000", description = "Ratings of an unmeasured run for "
            + "each measured one (producer, one bare round, trainer, on a broker of its own), so that the measured runs "
            + "find the code compiled, as the bare consumer's best round does; 0 skips it (default ${DEFAULT-VALUE}).")
    long warmUpEvents;

    @Option(names = "--replay", paramLabel = "MODE", defaultValue = "both", description = "Continual training: on, off or both (default ${DEFAULT-VALUE}).")
    String replay;

    @Option(names = "--engine", paramLabel = "NAME", description = "auto, java or djl (trainer.engine).")
    String engine;

    @Option(names = "--model", paramLabel = "NAME", description = "mf, gmf, ncf-mlp or neumf (trainer.model).")
    String model;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Map<String, Object> flags = new LinkedHashMap<>();
        flags.put("trainer.engine", engine);
        flags.put("trainer.model", model);
        flags.put("metrics.port", -1);
        Settings s = settings.load(flags);
        PrintWriter out = spec.commandLine().getOut();
        java.util.List<StreamBenchmark.Result> results = new java.util.ArrayList<>();
        boolean[] modes = replay.equals("both") ? new boolean[]{true, false} : new boolean[]{replay.equals("on")};
        if (warmUpEvents > 0) {
            // Without it the first measured run paid for the JIT: C2 took a third of a core while it ran, on two
            // cores shared with the trainer's own two threads (3M ratings: 0.16-0.18 for the first run against
            // 0.19-0.25 for the run after it; 0.20 and 0.28 with this warm-up). The warm-up is the measured runs
            // in small, each mode with its producer and bare consumer: a warm-up of the trainer alone left the
            // first measured run still paying for C2 (GC and JIT 0.22-0.34 of the cores against 0.12-0.16 in the
            // run after it), recompiling the consumer's code the bare consumer and producer had run in between; with
            // this one, 0.15-0.19 against 0.05-0.10 (bench stream --events 3000000, three runs).
            out.printf(Locale.ROOT, "warming up: the runs on %,d ratings each (not measured)...%n", warmUpEvents);
            out.flush();
            PrintWriter quiet = new PrintWriter(Writer.nullWriter());
            for (boolean on : modes) {
                BenchBroker.run(settings, s, quiet, false, broker ->
                        new StreamBenchmark(broker, quiet).run(users, items, warmUpEvents, 1, on));
            }
        }
        for (boolean on : modes) {
            // Each run on a broker of its own: a trainer resumes from the model topics it finds.
            BenchBroker.run(settings, s, out, false, broker ->
                    results.add(new StreamBenchmark(broker, out).run(users, items, events, bareRounds, on)));
        }
        StreamBenchmark.compare(out, results);
        return 0;
    }
}
