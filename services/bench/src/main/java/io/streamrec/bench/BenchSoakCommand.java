package io.streamrec.bench;

import io.streamrec.config.Settings;
import io.streamrec.config.SettingsOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;

/** {@code streamrec bench soak}: the trainer and the scorer under a steady stream for a long time; did anything grow? */
@Command(name = "soak", mixinStandardHelpOptions = true,
        description = {"The trainer and the scorer in this process under a steady paced synthetic stream (5,000 "
                + "ratings/s for 10 minutes by default, bench.soak.*), sampling RSS, the live heap, the trainer's lag, "
                + "the snapshot age and the scorer's p99 latency; prints whether each stayed flat, with the figures.",
                "Always runs on an embedded broker of its own (it writes the model topics). Exit status 1 when "
                        + "something did not stay flat."})
public final class BenchSoakCommand implements Callable<Integer> {
    @Mixin
    SettingsOptions settings;

    @Option(names = "--minutes", paramLabel = "M", description = "How long the stream runs (bench.soak.minutes; default 10).")
    Double minutes;

    @Option(names = "--rate", paramLabel = "R", description = "Ratings per second (bench.soak.rate; default 5000).")
    Double rate;

    @Option(names = "--sample-seconds", paramLabel = "S", description = "Seconds between samples (bench.soak.sample-seconds; default 30).")
    Double sampleSeconds;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Map<String, Object> flags = new LinkedHashMap<>();
        flags.put("bench.soak.minutes", minutes);
        flags.put("bench.soak.rate", rate);
        flags.put("bench.soak.sample-seconds", sampleSeconds);
        Settings s = settings.load(flags);
        PrintWriter out = spec.commandLine().getOut();
        AtomicBoolean flat = new AtomicBoolean();
        BenchBroker.run(settings, s, out, false, broker -> flat.set(SoakBenchmark.run(broker, out).flat()));
        return flat.get() ? 0 : 1;
    }
}
