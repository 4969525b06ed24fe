package io.streamrec.cli;

import com.sun.net.httpserver.HttpServer;
import io.streamrec.config.Settings;
import io.streamrec.logging.Warnings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a newcomer meets when something is missing or mistyped, as they type it: one line that says what is wrong
 * and what to do next, an exit code of one meaning, no stack trace, no library warnings, and nothing started (or, for
 * what only reading the data shows, nothing left running).
 */
class FriendlyFailuresTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @TempDir
    Path tmp;

    @Test
    void servicesWithoutABrokerSayHowToStartOne() throws IOException {
        String nobody = "127.0.0.1:" + closedPort();
        // Metrics on any free port: no command may start its endpoint (and log its address) before it finds a broker.
        List<List<String>> commands = List.of(
                List.of("train", "--bootstrap-server", nobody, "--metrics-port", "0"),
                List.of("score", "--bootstrap-server", nobody, "--metrics-port", "0", "--http-port", "0",
                        "--state-dir", tmp.resolve("scorer").toString()),
                List.of("replay", "--synthetic", "20", "20", "100", "--quiet", "--bootstrap-server", nobody,
                        "--metrics-port", "0"));
        for (List<String> command : commands) {
            out.getBuffer().setLength(0);
            err.getBuffer().setLength(0);
            try (Warnings warnings = Warnings.captureFromInfo()) {
                int exit = run(command.toArray(String[]::new));

                assertThat(exit).as(command + ": " + err).isEqualTo(ExitCode.KAFKA_UNREACHABLE.code);
                assertThat(err.toString().strip()).as(command.get(0))
                        .startsWith("streamrec " + command.get(0) + ": no Kafka broker at " + nobody + " (connection refused)")
                        .contains("Start one with ./streamrec broker", "--bootstrap-server HOST:PORT")
                        .doesNotContain("\tat ", "Exception").hasLineCount(1);
                assertThat(warnings.lines()).as(command.get(0)).isEmpty();
                assertThat(warnings.allLines()).as(command.get(0)).noneMatch(l -> l.contains("metrics at"));
            }
        }
    }

    @Test
    void aReplayLooksForItsBrokerBeforeReadingItsData() throws IOException {
        // A replay of ml-25m read its files for most of a minute, then said there was no broker.
        Path movieLens = Files.createDirectories(tmp.resolve("movielens"));
        Files.writeString(movieLens.resolve("ratings.csv"), "userId,movieId,rating,timestamp\n1,2,4.0,1000\n");
        Files.writeString(movieLens.resolve("movies.csv"), "movieId,title,genres\n2,Two (2000),Drama\n");
        String nobody = "127.0.0.1:" + closedPort();
        PrintStream stderr = System.err;
        ByteArrayOutputStream replayErr = new ByteArrayOutputStream();
        System.setErr(new PrintStream(replayErr, true, StandardCharsets.UTF_8));
        int exit;
        try {
            exit = run("replay", "--data", movieLens.toString(), "--quiet", "--bootstrap-server", nobody,
                    "--set", "metrics.port=-1");
        } finally {
            System.setErr(stderr);
        }

        assertThat(exit).isEqualTo(ExitCode.KAFKA_UNREACHABLE.code);
        assertThat(replayErr.toString(StandardCharsets.UTF_8)).doesNotContain("reading");
    }

    @Test
    void aSettingOutOfRangeIsNamedBeforeTheBrokerIsLookedFor() throws IOException {
        String nobody = "127.0.0.1:" + closedPort();
        String scorerState = tmp.resolve("scorer").toString();
        refusedAlone(List.of("train", "trainer.serving.precision=float64"), nobody,
                "trainer.serving.precision=float64", "one of [float16, int8]");
        refusedAlone(List.of("train", "trainer.dropout=1"), nobody, "trainer.dropout must be in [0, 1), got 1.0");
        refusedAlone(List.of("score", "scorer.retrieval.index=tree", "--state-dir", scorerState), nobody,
                "scorer.retrieval.index must be partitions or graph, got tree");
        refusedAlone(List.of("score", "health.kafka-unreachable-ms=1000", "--state-dir", scorerState), nobody,
                "health.kafka-unreachable-ms must be at least 10000 (twice health.kafka-probe-ms=5000), got 1000");
        for (String port : List.of("-5", "70000")) {
            for (List<String> command : List.of(List.of("train"), List.of("score", "--state-dir", scorerState),
                    List.of("replay", "--synthetic", "20", "20", "100", "--quiet"))) {
                List<String> args = new ArrayList<>(command);
                args.addAll(List.of("--bootstrap-server", nobody, "--metrics-port", port));
                err.getBuffer().setLength(0);
                assertThat(run(args.toArray(String[]::new))).as(args.toString()).isEqualTo(ExitCode.USAGE.code);
                assertThat(err.toString().strip()).as(args.toString())
                        .contains("metrics.port must be -1 (off), 0 (any free port) or 1 to 65535, got " + port)
                        .doesNotContain("Kafka broker").hasLineCount(1);
            }
        }
    }

    /** {@code command --set setting [more...]} is a usage error of one line that says {@code expected}, no word of Kafka. */
    private void refusedAlone(List<String> commandSettingAndMore, String nobody, String... expected) {
        List<String> args = new ArrayList<>(List.of(commandSettingAndMore.get(0), "--bootstrap-server", nobody,
                "--metrics-port", "-1", "--set", commandSettingAndMore.get(1)));
        args.addAll(commandSettingAndMore.subList(2, commandSettingAndMore.size()));
        err.getBuffer().setLength(0);
        assertThat(run(args.toArray(String[]::new))).as(args.toString()).isEqualTo(ExitCode.USAGE.code);
        assertThat(err.toString().strip()).contains(expected).doesNotContain("Kafka broker").hasLineCount(1);
    }

    @Test
    void aBootstrapAddressWithoutAPortIsAUsageError() {
        assertThat(run("train", "--bootstrap-server", "localhost", "--metrics-port", "-1")).isEqualTo(ExitCode.USAGE.code);
        assertThat(err.toString()).contains("'localhost' is not HOST:PORT");
    }

    @Test
    void aMisspelledProtocolIsAUsageErrorThatListsTheProtocols() {
        assertThat(run("evaluate", "--synthetic", "50", "40", "500", "--protocol", "prequentail")).isEqualTo(ExitCode.USAGE.code);
        assertThat(err.toString()).contains("unknown protocol 'prequentail': expected one of prequential, leave-latest-out, "
                + "random-split").doesNotContain("No enum constant");
    }

    @Test
    void commandsThatUseNoOtherKafkaRefuseABootstrapServer() {
        assertThat(run("demo", "--bootstrap-server", "localhost:9092")).isEqualTo(ExitCode.USAGE.code);
        assertThat(err.toString()).contains("the demo runs a Kafka of its own and uses no other");
        assertThat(run("evaluate", "--synthetic", "50", "40", "500", "--set", "kafka.bootstrap.servers=k:9092"))
                .isEqualTo(ExitCode.USAGE.code);
        assertThat(err.toString()).contains("evaluate runs without Kafka");
        assertThat(run("download", "ml-latest-small", "--bootstrap-server", "localhost:9092"))
                .isEqualTo(ExitCode.USAGE.code);
        assertThat(err.toString()).contains("download uses no Kafka");
        assertThat(run("bench", "search", "--bootstrap-server", "localhost:9092")).isEqualTo(ExitCode.USAGE.code);
        assertThat(err.toString()).contains("bench search runs without Kafka");
        for (String[] help : List.of(new String[] {"demo", "--help"}, new String[] {"evaluate", "--help"},
                new String[] {"download", "--help"}, new String[] {"bench", "search", "--help"})) {
            out.getBuffer().setLength(0);
            assertThat(run(help)).isZero();
            assertThat(out.toString()).as(String.join(" ", help)).contains("--set").doesNotContain("--bootstrap-server");
        }
    }

    @Test
    void theirHelpDoesNotOfferABootstrapServer() {
        for (String command : List.of("demo", "evaluate")) {
            assertThat(help(command)).as(command).contains("--set=KEY=VALUE").doesNotContain("--bootstrap-server");
        }
        assertThat(help("train")).contains("--bootstrap-server");
    }

    private static String help(String command) {
        StringWriter help = new StringWriter();
        Main.commandLine().getSubcommands().get(command).usage(new PrintWriter(help));
        return help.toString();
    }

    @Test
    void theDemoChecksItsDataBeforeStartingKafka() {
        ByteArrayOutputStream demoOut = new ByteArrayOutputStream();
        int exit = runPrintingTo(demoOut, "demo", "--data", tmp.resolve("nonexistent").toString());

        assertThat(exit).isEqualTo(ExitCode.USAGE.code);
        assertThat(err.toString()).startsWith("streamrec demo: --data " + tmp.resolve("nonexistent") + " (demo.data): ")
                .contains("is not a directory");
        assertThat(demoOut.toString(StandardCharsets.UTF_8)).doesNotContain("Kafka");
    }

    @Test
    void aNegativeDemoRateIsRefusedBeforeKafkaStarts() {
        // It once passed as "unset" and replayed the demo as fast as possible, which turned its result upside down.
        ByteArrayOutputStream demoOut = new ByteArrayOutputStream();
        int exit = runPrintingTo(demoOut, "demo", "--rate", "-5");

        assertThat(exit).isEqualTo(ExitCode.USAGE.code);
        assertThat(err.toString()).contains("demo.rate must be 0 (unset) or a positive number, got -5");
        assertThat(demoOut.toString(StandardCharsets.UTF_8)).doesNotContain("Kafka");
    }

    @Test
    void dataThatBreaksWhileKafkaStartsStopsTheDemoWithItsReason() throws IOException {
        // The files are there, so the demo starts Kafka while it reads them; the unusable header then stops it.
        Path data = Files.createDirectories(tmp.resolve("broken"));
        Files.writeString(data.resolve("ratings.csv"), "who,what\n1,2\n");
        Files.writeString(data.resolve("movies.csv"), "movieId,title,genres\n2,Two (2000),Drama\n");
        ByteArrayOutputStream demoOut = new ByteArrayOutputStream();
        int exit = runPrintingTo(demoOut, "demo", "--data", data.toString(), "--port", "0", "--out",
                tmp.resolve("out").toString(), "--set", "metrics.port=-1");

        assertThat(exit).isEqualTo(ExitCode.USAGE.code);
        assertThat(err.toString()).startsWith("streamrec demo: --data " + data + " (demo.data): ")
                .contains("ratings.csv").doesNotContain("\tat ");
        assertThat(demoOut.toString(StandardCharsets.UTF_8)).contains("starting Kafka");
    }

    @Test
    void recommendTellsAUsageErrorFromAMissingScorerFromARefusal() throws IOException {
        assertThat(run("recommend", "notanumber")).isEqualTo(ExitCode.USAGE.code);
        assertThat(err.toString()).startsWith("streamrec recommend: USER must be a whole number, not 'notanumber'")
                .contains("Usage: streamrec recommend", "Try 'streamrec recommend --help'").doesNotContain("long");

        err.getBuffer().setLength(0);
        assertThat(run("recommend", "0")).isEqualTo(ExitCode.USAGE.code);
        assertThat(err.toString()).startsWith("streamrec recommend: USER must be a positive whole number, not 0");

        err.getBuffer().setLength(0);
        String nobody = "http://127.0.0.1:" + closedPort();
        assertThat(run("recommend", "414", "--url", nobody)).isEqualTo(ExitCode.SCORER_UNREACHABLE.code);
        assertThat(err.toString()).startsWith("streamrec recommend: no scorer answered at " + nobody + " (connection refused)")
                .contains("./streamrec score");

        HttpServer scorer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        scorer.createContext("/users/414/", exchange -> respond(exchange, 400, "{\"error\":\"the scorer is not ready\"}"));
        scorer.createContext("/users/415/", exchange -> respond(exchange, 404, "{\"error\":\"no such user\"}"));
        scorer.start();
        try {
            String url = "http://127.0.0.1:" + scorer.getAddress().getPort();
            err.getBuffer().setLength(0);
            assertThat(run("recommend", "414", "--url", url)).isEqualTo(ExitCode.SCORER_ERROR.code);
            assertThat(err.toString()).contains("answered HTTP 400: the scorer is not ready");

            err.getBuffer().setLength(0);
            assertThat(run("recommend", "415", "--url", url)).isEqualTo(ExitCode.FAILED.code);
            assertThat(err.toString()).contains("has no list for user 415: no such user");
        } finally {
            scorer.stop(0);
        }
    }

    @Test
    void everyCommandsHelpListsTheExitCodes() {
        for (String command : List.of("recommend", "train", "demo")) {
            out.getBuffer().setLength(0);
            assertThat(run(command, "--help")).isZero();
            assertThat(out.toString()).as(command).contains("Exit codes:")
                    .containsPattern("3\\s+No Kafka broker answered").containsPattern("4\\s+No scorer answered")
                    .containsPattern("130\\s+Stopped by Ctrl-C");
        }
    }

    /** picocli cannot read the settings' defaults, so the help states them in words: they must not drift apart. */
    @Test
    void helpStatesTheDefaultRateTheSettingsHave() {
        long rate = Math.round(Settings.defaults().decimal("demo.rate"));
        assertThat(Math.round(Settings.defaults().decimal("evaluate.rate"))).isEqualTo(rate);
        for (String command : List.of("demo", "evaluate")) {
            out.getBuffer().setLength(0);
            assertThat(run(command, "--help")).isZero();
            assertThat(out.toString().replaceAll("\\s+", " ")).as(command).contains("default " + rate);
        }
    }

    /** The environment is read once per process, so this one runs the command in a JVM of its own. */
    @Test
    void aMistypedEnvironmentVariableIsAnErrorWithASuggestion() throws Exception {
        ProcessBuilder java = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "train")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        java.environment().put("STREAMREC_TRAINER_BATCHSIZE", "5");
        Process process = java.start();
        String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(process.waitFor()).as(stderr).isEqualTo(ExitCode.USAGE.code);
        assertThat(stderr).contains("streamrec train: unknown environment variable STREAMREC_TRAINER_BATCHSIZE"
                + " (did you mean STREAMREC_TRAINER_BATCH_SIZE?)").doesNotContain("\tat ");
    }

    /**
     * The first run's disk: libtorch (about 430 MB unpacked) is DJL's to unpack when its engine first runs, and the
     * default mf model on a CPU trains on the java engine, so an evaluation leaves DJL's cache empty.
     */
    @Test
    void theJavaEngineNeverUnpacksLibtorch() throws Exception {
        Path djlCache = Files.createDirectories(tmp.resolve("djl"));
        ProcessBuilder java = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "evaluate", "--synthetic", "300",
                "200", "4000", "--protocol", "prequential", "--out", tmp.resolve("eval").toString())
                .redirectErrorStream(true);
        java.environment().put("DJL_CACHE_DIR", djlCache.toString());
        java.environment().put("ENGINE_CACHE_DIR", djlCache.toString());
        Process process = java.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(process.waitFor()).as(output).isZero();
        assertThat(output).contains("engine java");
        try (var unpacked = Files.list(djlCache)) {
            assertThat(unpacked).as("DJL's cache").isEmpty();
        }
    }

    private static void respond(com.sun.net.httpserver.HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    /** A port nothing listens on: bound once by this test and released. */
    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Runs a command whose own output goes to System.out (the demo's does), into {@code stdout}. */
    private int runPrintingTo(ByteArrayOutputStream stdout, String... args) {
        PrintStream original = System.out;
        System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
        try {
            return run(args);
        } finally {
            System.setOut(original);
        }
    }

    private int run(String... args) {
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }
}
