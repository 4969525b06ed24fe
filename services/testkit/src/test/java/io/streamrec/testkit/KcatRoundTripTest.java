package io.streamrec.testkit;

import io.streamrec.broker.RatingTraffic;
import com.fasterxml.jackson.databind.JsonNode;
import io.streamrec.config.Settings;
import io.streamrec.contract.JsonSchemas;
import io.streamrec.contract.Rating;
import io.streamrec.contract.RatingCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The wire contract against an independent client, Debian's kcat (librdkafka): what kcat writes, the Java
 * consumer reads, and what the Java producer writes (lz4-compressed, idempotent), kcat reads back as JSON with the
 * documented fields. Skipped where kcat is not installed; CI installs it.
 */
class KcatRoundTripTest {

    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.singleNode();

    @TempDir
    Path dir;

    @Test
    void kcatAndTheJavaClientsReadEachOthersRatings() throws Exception {
        assumeTrue(kcatInstalled(), "kcat is not installed (apt-get install kcat)");
        Settings settings = kafka.settings();

        List<Rating> fromKcat = RatingTraffic.ratings("kcat", 300);
        List<String> lines = new ArrayList<>();
        for (Rating r : fromKcat) {
            // '|' separates key and value: JSON itself contains ':'.
            lines.add(r.key() + "|" + new String(RatingCodec.toJson(r), StandardCharsets.UTF_8));
        }
        Path file = dir.resolve("ratings.jsonl");
        Files.write(file, lines, StandardCharsets.UTF_8);
        kcat("-P", "-t", "ratings", "-K", "|", "-l", file.toString());

        assertThat(RatingTraffic.readAll(settings, "read_committed")).containsExactlyInAnyOrderElementsOf(fromKcat);

        List<Rating> fromJava = RatingTraffic.ratings("java", 300);
        RatingTraffic.produce(settings, fromJava);

        List<Rating> all = new ArrayList<>(fromKcat);
        all.addAll(fromJava);
        List<Rating> readByKcat = new ArrayList<>();
        for (String line : kcat("-C", "-t", "ratings", "-o", "beginning", "-e", "-q", "-f", "%k|%s\\n",
                "-X", "isolation.level=read_committed")) {
            String key = line.substring(0, line.indexOf('|'));
            String value = line.substring(line.indexOf('|') + 1);
            JsonNode json = JsonSchemas.MAPPER.readTree(value);
            assertThat(JsonSchemas.RATING.violations(json)).as(value).isEmpty();
            assertThat(json.get("userId").isIntegralNumber()).as(value).isTrue();
            assertThat(json.get("movieId").isIntegralNumber()).as(value).isTrue();
            assertThat(json.get("rating").isNumber()).as(value).isTrue();
            assertThat(json.get("timestamp").isIntegralNumber()).as(value).isTrue();
            assertThat(key).isEqualTo(json.get("userId").asText());
            readByKcat.add(RatingCodec.parse(key.getBytes(StandardCharsets.UTF_8),
                    value.getBytes(StandardCharsets.UTF_8), -1));
        }
        assertThat(readByKcat).containsExactlyInAnyOrderElementsOf(all);
    }

    private static boolean kcatInstalled() {
        return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .anyMatch(d -> Files.isExecutable(Path.of(d, "kcat")));
    }

    /** Runs kcat against the test's broker and returns its output lines; fails on a non-zero exit. */
    private List<String> kcat(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("kcat", "-b", kafka.bootstrapServers()));
        command.addAll(List.of(args));
        Path out = dir.resolve("kcat.out");
        Path err = dir.resolve("kcat.err");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("kcat did not finish within 60 s: " + command);
        }
        assertThat(p.exitValue()).as("kcat exit status; stderr: " + Files.readString(err)).isZero();
        return Files.readAllLines(out, StandardCharsets.UTF_8).stream().filter(l -> !l.isEmpty()).toList();
    }
}
