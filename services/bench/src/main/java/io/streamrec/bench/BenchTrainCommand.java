package io.streamrec.bench;

import io.streamrec.config.SettingsOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code streamrec bench train}: training throughput per model, engine and batch size beside the java engine's mf. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Trains on a synthetic stream (140,000 users x 27,000 items by default) and prints positives/s "
                + "and samples/s, of the whole training path and of the engine's step alone, for each model, engine "
                + "and batch size, each beside the java engine's mf at the same batch size measured in the same run.",
                "d, k and the optimizer come from trainer.dim, trainer.negatives and trainer.optimizer "
                        + "(e.g. --set trainer.optimizer=adam). Run it on a quiet machine: the load is printed."})
public final class BenchTrainCommand implements Callable<Integer> {
    @Mixin
    SettingsOptions settings;

    @Option(names = "--models", paramLabel = "LIST", description = "Models, e.g. mf,ncf-mlp (bench.train.models; default all four).")
    String models;

    @Option(names = "--engines", paramLabel = "LIST", description = "java and/or djl (bench.train.engines).")
    String engines;

    @Option(names = "--batch-sizes", paramLabel = "LIST", description = "Positives per batch, e.g. 1024,16384 (bench.train.batch-sizes).")
    String batchSizes;

    @Option(names = "--seconds", paramLabel = "S", description = "Timed window of each figure (bench.train.seconds).")
    Double seconds;

    @Option(names = "--rounds", paramLabel = "N", description = "Rounds the cases take turns in; figures are medians (bench.train.rounds).")
    Integer rounds;

    @Option(names = "--warm-up-seconds", paramLabel = "S", description = "Untimed training before each case (bench.train.warm-up-seconds).")
    Double warmUpSeconds;

    @Option(names = "--stream", paramLabel = "USERS,ITEMS,EVENTS", description = "The synthetic stream (bench.train.stream).")
    String stream;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Map<String, Object> flags = new LinkedHashMap<>();
        flags.put("bench.train.models", models);
        flags.put("bench.train.engines", engines);
        flags.put("bench.train.batch-sizes", batchSizes);
        flags.put("bench.train.seconds", seconds);
        flags.put("bench.train.rounds", rounds);
        flags.put("bench.train.warm-up-seconds", warmUpSeconds);
        flags.put("bench.train.stream", stream);
        TrainingBenchmark.run(settings.load(flags), spec.commandLine().getOut());
        return 0;
    }
}
