package io.streamrec.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SettingsTest {

    @Test
    void laterLayersWin(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("mine.properties");
        Files.writeString(file, "metrics.port=9500\nmetrics.host=10.0.0.1\ntopics.replication-factor=2\n");
        Settings s = Settings.load("docker", file,
                Map.of("STREAMREC_METRICS_PORT", "9600", "STREAMREC_TOPICS_REPLICATION_FACTOR", "5"),
                Map.of("metrics.port", "9700"));
        assertThat(s.text("kafka.bootstrap.servers")).as("profile").startsWith("kafka-1:");
        assertThat(s.text("metrics.host")).as("file over profile").isEqualTo("10.0.0.1");
        assertThat(s.integer("topics.replication-factor")).as("env over file").isEqualTo(5);
        assertThat(s.integer("metrics.port")).as("flag over env").isEqualTo(9700);
        assertThat(s.describe().get("metrics.port")).endsWith("(flag)");
        assertThat(s.isDefault("metrics.port")).isFalse();
        assertThat(s.isDefault("kafka.bootstrap.servers")).as("set by the profile").isFalse();
        assertThat(s.isDefault("trainer.dim")).isTrue();
        assertThat(s.with("trainer.dim", 64).isDefault("trainer.dim")).as("overridden, even to the same value").isFalse();
    }

    @Test
    void profileComesFromTheEnvironmentWhenNotGiven() {
        Settings s = Settings.load(null, null, Map.of("STREAMREC_PROFILE", "docker"), Map.of());
        assertThat(s.integer("topics.replication-factor")).isEqualTo(3);
        assertThatThrownBy(() -> Settings.load("nope", null, Map.of(), Map.of())).hasMessageContaining("unknown profile 'nope'");
    }

    @Test
    void unknownKeysAreErrorsExceptKafkaPassThrough() {
        assertThatThrownBy(() -> Settings.load(null, null, Map.of(), Map.of("metrics.prot", "1")))
                .hasMessageContaining("unknown setting 'metrics.prot'");
        Settings s = Settings.load(null, null, Map.of("STREAMREC_KAFKA_SECURITY_PROTOCOL", "SASL_SSL"),
                Map.of("kafka.sasl.jaas.config", "x password=\"hunter2\";"));
        assertThat(s.under("kafka.")).containsEntry("security.protocol", "SASL_SSL");
        assertThat(s.describe().get("kafka.sasl.jaas.config")).startsWith("[redacted]").doesNotContain("hunter2");
    }

    @Test
    void unknownEnvironmentVariablesAreErrorsWithASuggestionLikeFlags() {
        assertThatThrownBy(() -> Settings.load(null, null, Map.of("STREAMREC_TRAINER_BATCHSIZE", "5"), Map.of()))
                .hasMessageStartingWith("unknown environment variable STREAMREC_TRAINER_BATCHSIZE"
                        + " (did you mean STREAMREC_TRAINER_BATCH_SIZE?)");
        assertThatThrownBy(() -> Settings.load(null, null, Map.of("STREAMREC_METRICS_PROT", "1"), Map.of()))
                .hasMessageContaining("(did you mean STREAMREC_METRICS_PORT?)");
        assertThatThrownBy(() -> Settings.load(null, null, Map.of(), Map.of("trainer.batchsize", "5")))
                .hasMessageContaining("unknown setting 'trainer.batchsize' from flag (did you mean trainer.batch-size?)");
        // The variables that choose layers, the launchers' own, Kafka's pass-through and other programs' are no settings.
        Settings s = Settings.load(null, null, Map.of("STREAMREC_PROFILE", "local", "STREAMREC_JAVA_OPTS", "-Xmx1g",
                "STREAMREC_BUILD_ARGS", "-Pgpu", "STREAMREC_KAFKA_CLIENT_RACK", "a", "STREAMREC_DEMO_DATA", "/data",
                "PATH", "/bin"), Map.of());
        assertThat(s.text("demo.data")).isEqualTo("/data");
        assertThat(s.under("kafka.")).containsEntry("client.rack", "a");
    }

    @Test
    void typedAccessorsExplainBadValues() {
        Settings s = Settings.defaults().with("metrics.port", "lots");
        assertThatThrownBy(() -> s.integer("metrics.port")).hasMessageContaining("metrics.port=lots").hasMessageContaining("must be an integer");
        assertThat(Settings.envName("trainer.batch-size")).isEqualTo("STREAMREC_TRAINER_BATCH_SIZE");
    }

    /** A choice among some of an enum's constants names only those, and takes them as the whole-enum choice does. */
    @Test
    void aChoiceAmongSomeConstantsNamesOnlyThose() {
        Settings s = Settings.defaults().with("trainer.serving.precision", "whole");
        assertThatThrownBy(() -> s.choice("trainer.serving.precision", Mode.HALF_WAY, Mode.NONE))
                .hasMessageContaining("trainer.serving.precision=whole").hasMessageContaining("one of [half-way, none]");
        assertThat(s.with("trainer.serving.precision", "Half-Way").choice("trainer.serving.precision", Mode.HALF_WAY,
                Mode.NONE)).isEqualTo(Mode.HALF_WAY);
        assertThatThrownBy(() -> s.with("trainer.serving.precision", "all")
                .choice("trainer.serving.precision", Mode.HALF_WAY, Mode.NONE)).hasMessageContaining("one of [half-way, none]");
        assertThat(s.with("trainer.serving.precision", "all").choice("trainer.serving.precision", Mode.class))
                .isEqualTo(Mode.ALL);
    }

    private enum Mode { ALL, HALF_WAY, NONE }

    @Test
    void expandsSystemProperties() {
        Settings s = Settings.load(null, null, Map.of(), Map.of("metrics.host", "${user.home}/x"));
        assertThat(s.text("metrics.host")).isEqualTo(System.getProperty("user.home") + "/x");
    }
}
