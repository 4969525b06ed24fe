package io.streamrec.cli;

import io.streamrec.bench.BenchCommand;
import io.streamrec.kafka.KafkaUnreachableException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.UnmatchedArgumentException;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.function.Function;

/** The {@code streamrec} command. Each subcommand is a thin shell over its service's API. */
@Command(name = "streamrec", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Streaming online-learning recommender: Kafka in, embeddings trained online (plain Java with SIMD, or DJL/PyTorch), top-K out.",
        subcommands = {CommandLine.HelpCommand.class, DemoCommand.class, BrokerCommand.class, ReplayCommand.class, DownloadCommand.class, BenchCommand.class, ScoreCommand.class, RecommendCommand.class, TrainCommand.class, EvaluateCommand.class, DoctorCommand.class, TopicsCommand.class})
public final class Main {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, also used by tests. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.registerConverter(Long.class, number(Long::valueOf, "a whole number"));
        cl.registerConverter(Long.TYPE, number(Long::valueOf, "a whole number"));
        cl.registerConverter(Integer.class, number(Integer::valueOf, "a whole number"));
        cl.registerConverter(Integer.TYPE, number(Integer::valueOf, "a whole number"));
        cl.registerConverter(Double.class, number(Double::valueOf, "a number"));
        cl.registerConverter(Double.TYPE, number(Double::valueOf, "a number"));
        cl.setParameterExceptionHandler(Main::usageError);
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            PrintWriter err = cmd.getErr();
            // Failures a user can act on get one clear line and the next step, not a stack trace.
            if (e instanceof KafkaUnreachableException k) {
                err.println(prefix(cmd) + k.getMessage() + ". Start one with ./streamrec broker, or name yours with"
                        + " --bootstrap-server HOST:PORT (kafka.bootstrap.servers; now " + k.bootstrapServers() + ").");
                return ExitCode.KAFKA_UNREACHABLE.code;
            }
            if (e instanceof IllegalArgumentException || e instanceof UncheckedIOException) {
                err.println(prefix(cmd) + e.getMessage());
                return ExitCode.USAGE.code;
            }
            // What the services throw when they cannot go on (a topic that cannot be created, a trainer that stopped):
            // the message names the cause; a stack trace would only bury it.
            if (e instanceof IllegalStateException) {
                err.println(prefix(cmd) + e.getMessage());
                return ExitCode.FAILED.code;
            }
            throw e;
        });
        listExitCodes(cl);
        return cl;
    }

    /** A bad flag or argument: what is wrong, suggestions for a typo, and the command's synopsis, not its whole help. */
    private static int usageError(ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        String message = e.getMessage();
        if (e.getCause() instanceof TypeConversionException conversion && e.getArgSpec() != null) {
            String name = e.getArgSpec().isOption() ? ((CommandLine.Model.OptionSpec) e.getArgSpec()).longestName()
                    : e.getArgSpec().paramLabel();
            message = name + " must be " + conversion.getMessage();
        }
        err.println(prefix(cmd) + message);
        UnmatchedArgumentException.printSuggestions(e, err);
        err.print("Usage: " + cmd.getHelp().synopsis(0));
        err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more.");
        return ExitCode.USAGE.code;
    }

    private static String prefix(CommandLine cmd) {
        return cmd.getCommandSpec().qualifiedName() + ": ";
    }

    private static <T> CommandLine.ITypeConverter<T> number(Function<String, T> parse, String what) {
        return value -> {
            try {
                return parse.apply(value.strip());
            } catch (NumberFormatException e) {
                throw new TypeConversionException(what + ", not '" + value + "'");
            }
        };
    }

    private static void listExitCodes(CommandLine cl) {
        cl.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(ExitCode.helpList());
        cl.getSubcommands().values().forEach(Main::listExitCodes);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[]{"streamrec " + (v == null ? "dev" : v) + " (Java " + Runtime.version() + ")"};
        }
    }
}
