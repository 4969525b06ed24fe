package io.streamrec.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

/** bench train as a user types it, on a tiny stream and short windows. */
class BenchTrainCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @Test
    void printsEachCaseBesideTheJavaMfBaseline() {
        int exit = run("bench", "train", "--models", "gmf,neumf", "--engines", "java,djl", "--batch-sizes", "64",
                "--seconds", "0.05", "--warm-up-seconds", "0", "--stream", "400,150,3000", "--set", "trainer.dim=8",
                "--set", "trainer.layers=8");

        assertThat(exit).as(err.toString()).isZero();
        assertThat(out.toString()).contains("synthetic stream of 400 users x 150 items, 3,000 events")
                .containsPattern("\\n\\s+64  mf\\s+java .* 1\\.00x .* 1\\.00x\\n")
                .containsPattern("\\n\\s+64  gmf\\s+java ")
                .containsPattern("\\n\\s+64  gmf\\s+djl ")
                .containsPattern("\\n\\s+64  neumf\\s+djl ")
                .doesNotContainPattern("neumf\\s+java");
    }

    @Test
    void aBadOptionIsOneClearLine() {
        assertThat(run("bench", "train", "--engines", "tensorflow")).isEqualTo(2);
        assertThat(err.toString()).contains("bench.train.engines: java or djl, not tensorflow");
    }

    private int run(String... args) {
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }
}
