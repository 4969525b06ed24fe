package io.streamrec.cli;

import io.streamrec.testkit.KafkaBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** replay, download and bench replay as a user types them, against a real broker. */
class ReplayCommandsTest {

    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.singleNode();

    @TempDir
    Path tmp;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @Test
    void replaysASyntheticStreamAndSummarises() {
        int exit = run("replay", "--synthetic", "300", "200", "5000", "--seed", "3", "--quiet",
                "--bootstrap-server", kafka.bootstrapServers());

        assertThat(exit).as(err.toString()).isZero();
        assertThat(out.toString()).contains("synthetic stream: 300 users, 200 items, 5,000 events")
                .contains("ratings   5,000 in").contains("movies    200").contains("bad rows  0 skipped");
    }

    @Test
    void replaysADownloadedDatasetFromTheCacheWithAUserSample() throws IOException {
        Path zip = tmp.resolve("tiny.zip");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(zip))) {
            z.putNextEntry(new ZipEntry("tiny/u.data"));
            z.write("1\t10\t4\t881250949\n2\t10\t5\t881250950\n3\t11\t9\t881250951\n".getBytes(StandardCharsets.US_ASCII));
            z.putNextEntry(new ZipEntry("tiny/u.item"));
            z.write("10|Kolya (1996)|24-Jan-1997||x|0|0|0|0|0|1|0|0|0|0|0|0|0|0|0|0|0|0|0\n".getBytes(StandardCharsets.ISO_8859_1));
            z.putNextEntry(new ZipEntry("tiny/u.genre"));
            z.write(("unknown|0\nAction|1\nAdventure|2\nAnimation|3\nChildren's|4\nComedy|5\nCrime|6\nDocumentary|7\n"
                    + "Drama|8\nFantasy|9\nFilm-Noir|10\nHorror|11\nMusical|12\nMystery|13\nRomance|14\nSci-Fi|15\n"
                    + "Thriller|16\nWar|17\nWestern|18\n").getBytes(StandardCharsets.US_ASCII));
        }
        Path cache = tmp.resolve("cache");

        assertThat(run("download", zip.toString(), "--cache-dir", cache.toString(), "--quiet")).as(err.toString()).isZero();
        Path dir = Path.of(out.toString().strip());
        assertThat(dir).isEqualTo(cache.resolve("tiny/tiny"));

        out.getBuffer().setLength(0);
        int exit = run("replay", "--data", dir.toString(), "--quiet", "--bootstrap-server", kafka.bootstrapServers());
        assertThat(exit).as(err.toString()).isZero();
        assertThat(out.toString()).contains("ratings   2 in").contains("movies    1")
                .contains("bad rows  1 skipped").contains("u.data:3: rating 9 is off the scale");
    }

    @Test
    void explainsWhatIsMissingAndRefusesTwoSources() {
        assertThat(run("replay", "--bootstrap-server", kafka.bootstrapServers())).isEqualTo(2);
        assertThat(err.toString()).contains("nothing to replay: give exactly one of --data DIR, --dataset NAME or --synthetic");

        assertThat(run("replay", "--data", tmp.toString(), "--synthetic", "1", "2", "1")).isEqualTo(2);
        assertThat(err.toString()).contains("more than one source to replay");
    }

    @Test
    void benchReplayPrintsBothContendersAndTheirRatio() {
        int exit = run("bench", "replay", "--events", "20000", "--rounds", "1", "--bootstrap-server", kafka.bootstrapServers());

        assertThat(exit).as(err.toString()).isZero();
        assertThat(out.toString()).contains("20,000 synthetic events").containsPattern("round 1: replayer +[\\d,]+ events/s")
                .containsPattern("bare KafkaProducer +[\\d,]+ events/s").containsPattern("replayer/bare = \\d+\\.\\d\\d");
    }

    private int run(String... args) {
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }
}
