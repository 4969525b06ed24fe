package io.streamrec.broker;

import io.streamrec.config.Settings;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The broker.* settings and their checks. */
class ClusterSpecTest {

    @Test
    void readsTheDocumentedDefaults() {
        ClusterSpec spec = ClusterSpec.from(Settings.defaults());
        assertThat(spec.nodes()).isEqualTo(1);
        assertThat(spec.port()).isEqualTo(9092);
        assertThat(spec.host()).isEqualTo("localhost");
        assertThat(spec.logLevel()).isEqualTo("WARN");
        assertThat(spec.startTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(spec.dataDir()).isAbsolute().endsWithRaw(Path.of(".streamrec", "kafka"));
        assertThat(spec.nodeJavaOptions()).contains("-Xmx512m");
    }

    @Test
    void rejectsImpossibleValuesNamingTheSetting() {
        Settings defaults = Settings.defaults();
        assertThatThrownBy(() -> ClusterSpec.from(defaults.with("broker.nodes", 0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("broker.nodes");
        assertThatThrownBy(() -> ClusterSpec.from(defaults.with("broker.nodes", 3).with("broker.port", 65534)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("broker.port");
        assertThatThrownBy(() -> ClusterSpec.from(defaults.with("broker.log-level", "LOUD")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("broker.log-level");
        assertThatThrownBy(() -> ClusterSpec.from(defaults.with("broker.start-timeout-ms", 0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("broker.start-timeout-ms");
    }

    @Test
    void levelsAreCaseInsensitive() {
        assertThat(ClusterSpec.from(Settings.defaults().with("broker.log-level", "info")).logLevel()).isEqualTo("INFO");
    }
}
