package io.streamrec.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * {@code streamrec bench}: the benchmarks, one subcommand each. Every benchmark prints its figures beside a
 * baseline measured in the same run.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks that print figures beside a baseline measured in the same run.",
        subcommands = {BenchReplayCommand.class, BenchTrainCommand.class, BenchStreamCommand.class, BenchScoreCommand.class,
                BenchSearchCommand.class, BenchSoakCommand.class})
public final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getErr().println("streamrec bench: choose a benchmark");
        spec.commandLine().usage(spec.commandLine().getErr());
        return 2;
    }
}
