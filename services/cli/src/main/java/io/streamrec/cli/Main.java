package io.streamrec.cli;

import io.streamrec.bench.BenchCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code streamrec} command. Each subcommand is a thin shell over its service's API. */
@Command(name = "streamrec", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Streaming online-learning recommender: Kafka in, embeddings trained on DJL/PyTorch, top-K out.",
        subcommands = {CommandLine.HelpCommand.class, DemoCommand.class, BrokerCommand.class, ReplayCommand.class, DownloadCommand.class, BenchCommand.class, ScoreCommand.class, RecommendCommand.class, TrainCommand.class, EvaluateCommand.class, DoctorCommand.class, TopicsCommand.class})
public final class Main {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, also used by tests. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            // A user error (bad flag value, unknown setting, missing file) gets one clear line, not a stack trace.
            if (e instanceof IllegalArgumentException || e instanceof java.io.UncheckedIOException) {
                cmd.getErr().println("streamrec " + cmd.getCommandName() + ": " + e.getMessage());
                return 2;
            }
            throw e;
        });
        return cl;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[]{"streamrec " + (v == null ? "dev" : v) + " (Java " + Runtime.version() + ")"};
        }
    }
}
