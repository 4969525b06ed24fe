package io.streamrec.demo;

import io.streamrec.cli.Warnings;
import io.streamrec.config.Settings;
import io.streamrec.files.Directories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
        Settings settings = Settings.defaults()
                .with("data.cache-dir", dir.resolve("empty-cache"))
                .with("data.mirror", dir.resolve("no-mirror").toUri())
                .with("demo.synthetic", "300,200,8000")
                .with("demo.rate", 0)
                .with("demo.output-dir", output)
                .with("broker.port", 0)
                .with("metrics.port", 0)
                .with("scorer.http.port", 0);
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
                .contains("replayed        8,000 ratings; trained 8,000")
                .contains("300 users have a list");
        Path png = output.resolve("learning-curve.png");
        assertThat(Files.readAllBytes(png)).startsWith(0x89, 'P', 'N', 'G');
        assertThat(Files.readAllLines(output.resolve("learning-curve.csv")).get(0)).startsWith("events,hr,ndcg");
        try (var left = Files.list(output)) {
            assertThat(left.map(p -> p.getFileName().toString())).as("the run's state is deleted")
                    .noneMatch(name -> name.startsWith("run-"));
        }
    }
}
