package io.streamrec.bench;

import io.streamrec.config.Settings;
import io.streamrec.train.TrainerConfig.EngineKind;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TrainingBenchmarkTest {

    @Test
    void measuresEveryCaseBesideTheJavaMfBaseline() {
        Settings s = Settings.defaults().with("bench.train.stream", "400,150,3000")
                .with("bench.train.models", "gmf,ncf-mlp").with("bench.train.engines", "java,djl")
                .with("bench.train.batch-sizes", "64,128").with("bench.train.warm-up-seconds", 0)
                .with("bench.train.seconds", 0.05).with("trainer.dim", 8).with("trainer.layers", "8");
        StringWriter text = new StringWriter();
        List<TrainingBenchmark.Measurement> all = TrainingBenchmark.run(s, new PrintWriter(text));

        assertThat(all).extracting(m -> m.batchSize() + " " + m.model().id() + " " + m.engine()).containsExactly(
                "64 mf JAVA", "64 gmf JAVA", "64 gmf DJL", "64 ncf-mlp DJL",
                "128 mf JAVA", "128 gmf JAVA", "128 gmf DJL", "128 ncf-mlp DJL");
        for (TrainingBenchmark.Measurement m : all) {
            double samplesPerPositive = m.train().samplesPerSecond() / m.train().positivesPerSecond();
            assertThat(samplesPerPositive).as("k = 4 negatives per positive").isBetween(4.5, 5.0 + 1e-9);
            assertThat(m.step().samplesPerSecond() / m.step().positivesPerSecond()).isBetween(4.5, 5.0 + 1e-9);
        }
        assertThat(text.toString()).contains("synthetic stream of 400 users x 150 items, 3,000 events", "d = 8",
                "k = 4 negatives", "load average").containsPattern("\\n\\s+128  ncf-mlp  djl .*x\\s*\\n");
    }

    @Test
    void optionsAreChecked() {
        Settings s = Settings.defaults();
        assertThat(TrainingBenchmark.Options.from(s).engines()).containsExactly(EngineKind.JAVA, EngineKind.DJL);
        assertThat(TrainingBenchmark.Options.from(s).batchSizes()).containsExactly(1024, 2048, 4096, 8192, 16384);
        assertThatThrownBy(() -> TrainingBenchmark.Options.from(s.with("bench.train.stream", "10,20")))
                .hasMessageContaining("USERS,ITEMS,EVENTS");
        assertThatThrownBy(() -> TrainingBenchmark.Options.from(s.with("bench.train.engines", "tf")))
                .hasMessageContaining("java or djl");
        assertThatThrownBy(() -> TrainingBenchmark.Options.from(s.with("bench.train.batch-sizes", "1k")))
                .hasMessageContaining("comma-separated integers");
    }
}
