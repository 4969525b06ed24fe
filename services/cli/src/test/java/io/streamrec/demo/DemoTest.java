package io.streamrec.demo;

import io.streamrec.config.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The demo offline with no MovieLens anywhere: it says so, runs on the synthetic stream to the end, exits 0. */
class DemoTest {

    @Test
    void runsOnTheSyntheticStreamWhenNoDataCanBeHad(@TempDir Path dir) throws Exception {
        Settings settings = Settings.defaults()
                .with("data.cache-dir", dir.resolve("empty-cache"))
                .with("data.mirror", dir.resolve("no-mirror").toUri())
                .with("demo.synthetic", "300,200,8000")
                .with("demo.rate", 0)
                .with("demo.output-dir", dir.resolve("out"))
                .with("broker.port", 0)
                .with("metrics.port", 0)
                .with("scorer.http.port", 0);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int exit = new Demo(settings, new PrintStream(bytes, true, StandardCharsets.UTF_8), false).run();
        String out = bytes.toString(StandardCharsets.UTF_8);

        assertThat(exit).as(out).isZero();
        assertThat(out).contains("RUNNING ON A SYNTHETIC STREAM").contains("summary")
                .contains("replayed        8,000 ratings; trained 8,000")
                .contains("300 users have a list");
        Path png = dir.resolve("out/learning-curve.png");
        assertThat(Files.readAllBytes(png)).startsWith(0x89, 'P', 'N', 'G');
        assertThat(Files.readAllLines(dir.resolve("out/learning-curve.csv")).get(0)).startsWith("events,hr,ndcg");
    }
}
