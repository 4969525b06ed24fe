package io.streamrec.stream;

import io.streamrec.config.Settings;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StreamingConfigTest {

    @Test
    void theDefaultsAreInRange() {
        assertThat(StreamingConfig.from(Settings.defaults()).maxInFlightBatches()).isPositive();
    }

    @Test
    void aSettingOutOfRangeIsNamedAloneWithItsRange() {
        assertThatThrownBy(() -> StreamingConfig.from(Settings.defaults().with("trainer.replay.nice", 25)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("trainer.replay.nice must be 0 to 19, got 25");
        assertThatThrownBy(() -> StreamingConfig.from(Settings.defaults().with("trainer.max-in-flight-batches", 0)))
                .hasMessage("trainer.max-in-flight-batches must be at least 1, got 0");
        assertThatThrownBy(() -> StreamingConfig.from(Settings.defaults().with("trainer.replay.yielding-share", 1.5)))
                .hasMessage("trainer.replay.yielding-share must be 0 to 1, got 1.5");
    }
}
