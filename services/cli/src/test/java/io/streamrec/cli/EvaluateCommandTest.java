package io.streamrec.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class EvaluateCommandTest {
    @TempDir
    Path out;

    /** The README runs both objectives one after the other: the second must not overwrite the first's report. */
    @Test
    void implicitAndExplicitReportsLiveSideBySide() throws IOException {
        for (String objective : new String[]{"implicit", "explicit"}) {
            int exit = Main.commandLine().execute("evaluate", "--synthetic", "300", "200", "30000", "--protocol",
                    "prequential", "--objective", objective, "--out", out.toString());
            assertThat(exit).as(objective).isZero();
        }

        for (String report : new String[]{"prequential", "prequential-explicit"}) {
            for (String kind : new String[]{".csv", ".png", ".html"}) {
                assertThat(out.resolve(report + kind)).isNotEmptyFile();
            }
        }
        List<String> rows = Files.readAllLines(out.resolve("prequential.csv"));
        assertThat(rows.get(rows.size() - 1)).as("the curve reaches the end of the stream, not the last full window")
                .startsWith("30000,");
        assertThat(Files.readString(out.resolve("prequential.html"))).contains("implicit")
                .doesNotContain("per-event biases");
        assertThat(Files.readString(out.resolve("prequential-explicit.html"))).contains("per-event biases");
    }
}
