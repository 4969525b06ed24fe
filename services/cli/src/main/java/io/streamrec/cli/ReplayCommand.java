package io.streamrec.cli;

import io.streamrec.config.SettingsOptions;
import io.streamrec.config.Settings;
import io.streamrec.kafka.TopicAdmin;
import io.streamrec.metrics.Metrics;
import io.streamrec.replay.Pacing;
import io.streamrec.console.ProgressBar;
import io.streamrec.replay.ReplayFailedException;
import io.streamrec.dataset.source.RatingSource;
import io.streamrec.dataset.source.RatingSources;
import io.streamrec.replay.ReplaySummary;
import io.streamrec.replay.Replayer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code streamrec replay}: MovieLens or a synthetic stream onto the {@code ratings} and {@code movies} topics. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Produces a MovieLens dataset or a synthetic stream to Kafka: the movies to 'movies', then the "
                + "ratings in event-time order to 'ratings' (key userId, JSON per rating.schema.json).",
                "Reads every MovieLens layout: ratings.csv (ml-latest-small, ml-25m), rating.csv (Kaggle ml-20m), "
                        + "ratings.dat (ml-1m), u.data (ml-100k). Bad rows are skipped and listed with line numbers.",
                "Exits 1 when the broker did not acknowledge every send."})
public final class ReplayCommand implements Callable<Integer> {
    @Mixin
    SettingsOptions settings;

    @Mixin
    SourceOptions source;

    @Option(names = "--rate", paramLabel = "EVENTS_PER_S", description = "Send at most this many ratings per second (replay.rate).")
    Double rate;

    @Option(names = "--speedup", paramLabel = "FACTOR",
            description = "Replay in event time sped up by FACTOR, e.g. 86400 = a day per second (replay.speedup).")
    Double speedup;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the user sample and the synthetic stream (data.seed).")
    Long seed;

    @Option(names = "--quiet", description = "No progress bar (replay.progress=false).")
    boolean quiet;

    @Mixin
    MetricsPortOption metricsPort;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Map<String, Object> flags = new LinkedHashMap<>();
        source.putInto(flags);
        if (rate != null || speedup != null) {
            flags.put("replay.rate", rate == null ? 0 : rate);
            flags.put("replay.speedup", speedup == null ? 0 : speedup);
        }
        flags.put("data.seed", seed);
        metricsPort.putInto(flags);
        if (quiet) {
            flags.put("replay.progress", false);
        }
        Settings s = settings.load(flags);
        var err = System.err;
        Pacing pacing = Pacing.fromSettings(s);
        RatingSources.check(s);
        Metrics.port(s);
        // Before the data is read (ml-25m takes most of a minute) and before the metrics server logs its address: no
        // broker, one line, at once.
        TopicAdmin.requireBroker(s);
        RatingSource replaySource = RatingSources.fromSettings(s, err);
        err.printf("replaying to %s, %s%n", s.text("kafka.bootstrap.servers"), pacing);
        try (Metrics metrics = Metrics.start(s, "streamrec-replayer")) {
            ReplaySummary summary = new Replayer(s, err, metrics.registry())
                    .replay(replaySource, pacing, s.flag("replay.progress") && ProgressBar.terminalAttached());
            spec.commandLine().getOut().print(summary.report());
            spec.commandLine().getOut().flush();
            return ExitCode.OK.code;
        } catch (ReplayFailedException e) {
            spec.commandLine().getOut().print(e.summary().report());
            spec.commandLine().getOut().flush();
            spec.commandLine().getErr().println("streamrec replay: " + e.getMessage());
            return ExitCode.FAILED.code;
        }
    }
}
