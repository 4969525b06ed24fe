package io.streamrec.demo;

import io.streamrec.config.Settings;
import io.streamrec.files.Directories;
import io.streamrec.logging.Warnings;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.ConsoleAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The demo offline with no MovieLens anywhere: it says so, runs on the synthetic stream to the end, exits 0, and
 * logs no warning: every warning a clean run logs would reach a user's screen.
 */
class DemoTest {
    /**
     * What the embedded broker says when the machine starved it of CPU for seconds (seen at a load average of 45 on
     * 2 cores, other builds running): true, and worth a user's eye, but about the machine, not the demo.
     */
    private static final Pattern STARVED = Pattern.compile("controller event queue overloaded|"
            + "sent a heartbeat request but received error REQUEST_TIMED_OUT");

    /** Not in the OS temp directory, as a user's would not be (Kafka Streams warns about state kept there). */
    private final Path output = Path.of("target", "demo-test-" + System.nanoTime()).toAbsolutePath();

    @AfterEach
    void deleteOutput() {
        Directories.deleteRecursively(output);
    }

    @Test
    void runsOnTheSyntheticStreamWhenNoDataCanBeHadWithoutAWarning(@TempDir Path dir) throws Exception {
        Settings settings = offline(dir, "300,200,8000");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int exit;
        try (Warnings warnings = Warnings.capture()) {
            exit = new Demo(settings, new PrintStream(bytes, true, StandardCharsets.UTF_8), false).run();
            assertThat(warnings.lines()).as("warnings a clean demo logs")
                    .filteredOn(line -> !STARVED.matcher(line).find()).isEmpty();
        }
        String out = bytes.toString(StandardCharsets.UTF_8);

        assertThat(exit).as(out).isZero();
        assertThat(out).contains("RUNNING ON A SYNTHETIC STREAM").contains("summary")
                .contains("replayed         8,000 ratings; trained 8,000")
                .contains("300 users have a list");
        Path png = output.resolve("learning-curve.png");
        assertThat(Files.readAllBytes(png)).startsWith(0x89, 'P', 'N', 'G');
        assertThat(Files.readAllLines(output.resolve("learning-curve.csv")).get(0)).startsWith("events,hr,ndcg");
        assertThat(Files.readString(output.resolve("learning-curve.html"))).contains("data:image/png;base64,")
                .contains("replayed         8,000 ratings");
        try (var left = Files.list(output)) {
            assertThat(left.map(p -> p.getFileName().toString())).as("the run's state is deleted")
                    .noneMatch(name -> name.startsWith("run-"));
        }
    }

    /**
     * Stopped during its replay (what Ctrl-C does, through the shutdown hook's {@link Demo#stop}), the summary says the
     * replay was cut short rather than passing a part for the whole, and the last frame does not say the replay ended.
     * Stopped while it starts, before any rating was ranked, it says so instead of printing NaN.
     */
    @ParameterizedTest(name = "stopped {0} ms after Kafka starts")
    @ValueSource(ints = {0, 3000})
    void aDemoStoppedDuringItsReplaySaysSo(int stopAfterMs, @TempDir Path dir) throws Exception {
        Settings settings = offline(dir, "300,200,8000").with("demo.rate", 400); // 20 s of replay
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Demo demo = new Demo(settings, new PrintStream(bytes, true, StandardCharsets.UTF_8), false);
        int[] exit = {-1};
        Thread run = new Thread(() -> {
            try {
                exit[0] = demo.run();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "demo-under-test");
        run.start();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!bytes.toString(StandardCharsets.UTF_8).contains("Kafka") && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        Thread.sleep(stopAfterMs);
        demo.stop();
        run.join(60_000);
        String out = bytes.toString(StandardCharsets.UTF_8);

        assertThat(exit[0]).as(out).isZero();
        assertThat(out).as("the last frame does not say the replay ended").doesNotContain("replay done")
                .containsPattern("replayed +[\\d,]+ of 8,000 ratings \\(stopped early\\)").doesNotContain("NaN");
        if (stopAfterMs == 0) {
            assertThat(out).contains("replayed         0 of 8,000 ratings").contains("HR@10            n/a");
        }
    }

    /** In an 80 x 24 terminal: frames that fit, redrawn in place, and the logs in a file instead of under them. */
    @Test
    void onATerminalTheDashboardFitsAndTheLogsGoToAFile(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream screen = new ByteArrayOutputStream();
        List<Boolean> consoleLoggingWhileDrawn = new CopyOnWriteArrayList<>();
        Supplier<TerminalSize> terminal = () -> {
            consoleLoggingWhileDrawn.add(consoleLogging());
            return new TerminalSize(80, 24);
        };
        int exit = new Demo(offline(dir, "200,150,4000"), new PrintStream(screen, true, StandardCharsets.UTF_8), terminal).run();
        String out = screen.toString(StandardCharsets.UTF_8);

        assertThat(exit).as(out).isZero();
        String[] frames = out.substring(out.indexOf("\033[H") + 3, out.indexOf("\033[?25h")).split("\033\\[H");
        assertThat(frames.length).as(out).isPositive();
        for (String frame : frames) {
            String[] lines = frame.replaceAll("\033\\[[0-9;?]*[A-Za-z]", "").split("\n", -1);
            assertThat(lines).as(frame).hasSizeLessThanOrEqualTo(24)
                    .allSatisfy(line -> assertThat(line.length()).as(line).isLessThan(80));
        }
        assertThat(out).contains("HR@10 (moving window)  model", "no warnings (they would show here); log ")
                .contains("summary", "log              " + output.resolve("demo.log") + " (0 warnings)")
                .doesNotContain(" INFO ");
        assertThat(consoleLoggingWhileDrawn).as("log lines reach the console while frames are drawn").isNotEmpty()
                .containsOnly(false);
        assertThat(consoleLogging()).as("the console is back after the run").isTrue();
        assertThat(Files.readString(output.resolve("demo.log"))).contains(" INFO ", "created topic ratings");
    }

    private static boolean consoleLogging() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        return context.getConfiguration().getRootLogger().getAppenders().values().stream()
                .anyMatch(a -> a instanceof ConsoleAppender);
    }

    private Settings offline(Path dir, String synthetic) {
        return Settings.defaults()
                .with("data.cache-dir", dir.resolve("empty-cache"))
                .with("data.mirror", dir.resolve("no-mirror").toUri())
                .with("demo.synthetic", synthetic)
                .with("demo.rate", 0)
                .with("demo.output-dir", output)
                .with("broker.port", 0)
                .with("metrics.port", 0)
                .with("scorer.http.port", 0);
    }
}
