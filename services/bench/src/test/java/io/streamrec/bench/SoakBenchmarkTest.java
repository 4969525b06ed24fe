package io.streamrec.bench;

import io.streamrec.config.Settings;
import io.streamrec.testkit.KafkaBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A soak of a few seconds: the trainer and the scorer run, every rating is trained, samples and verdicts come out. */
class SoakBenchmarkTest {
    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.singleNode();

    @Test
    void aShortSoakSamplesEveryFigureAndJudgesIt() throws Exception {
        Settings s = kafka.settings().with("bench.soak.rate", 400).with("bench.soak.minutes", 0.1)
                .with("bench.soak.sample-seconds", 1).with("bench.soak.users", 300).with("bench.soak.items", 200)
                .with("trainer.dim", 8).with("trainer.engine", "java");
        StringWriter text = new StringWriter();
        SoakBenchmark.Result result = SoakBenchmark.run(s, new PrintWriter(text));
        System.out.print(text);

        List<SoakBenchmark.Sample> samples = result.samples();
        assertThat(samples.size()).as(text.toString()).isGreaterThanOrEqualTo(6);
        assertThat(samples.get(samples.size() - 1).trained()).isEqualTo(2_400);
        assertThat(samples).allSatisfy(x -> {
            assertThat(x.rss()).isPositive();
            assertThat(x.heapAfterGc()).isPositive();
        });
        assertThat(samples).extracting(SoakBenchmark.Sample::trained).isSorted();
        assertThat(result.verdicts()).extracting(SoakBenchmark.Verdict::figure)
                .containsExactly("heap after GC", "RSS", "trainer lag", "snapshot age", "scorer lag");
        assertThat(text.toString()).contains("soak: 400 ratings/s for 6 s", "heap after GC", "trend");
    }

    @Test
    void aGrowingHeapIsNotFlat() {
        SoakBenchmark.Options o = SoakBenchmark.Options.from(Settings.defaults());
        List<SoakBenchmark.Sample> growing = List.of(
                sample(0, 100), sample(200, 100), sample(400, 300), sample(600, 500));
        List<SoakBenchmark.Verdict> verdicts = SoakBenchmark.judge(o, growing);
        assertThat(verdicts.get(0).flat()).as(verdicts.get(0).detail()).isFalse();
        assertThat(verdicts.get(1).flat()).as("RSS did not move").isTrue();
        List<SoakBenchmark.Sample> level = List.of(sample(0, 100), sample(200, 300), sample(400, 301), sample(600, 299));
        assertThat(SoakBenchmark.judge(o, level).get(0).flat()).as("growth during the warm-up third is not judged").isTrue();
    }

    @Test
    void optionsAreChecked() {
        assertThat(SoakBenchmark.Options.from(Settings.defaults()).events()).isEqualTo(3_000_000);
        assertThatThrownBy(() -> SoakBenchmark.Options.from(Settings.defaults().with("bench.soak.sample-seconds", 0)))
                .hasMessageContaining("sample-seconds");
    }

    private static SoakBenchmark.Sample sample(double seconds, long heapMb) {
        return new SoakBenchmark.Sample(seconds, 0, 500L << 20, heapMb << 20, 0, 1, 5);
    }
}
