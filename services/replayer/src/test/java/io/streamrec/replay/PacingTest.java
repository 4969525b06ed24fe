package io.streamrec.replay;

import io.streamrec.config.Settings;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Pacing never runs ahead of its schedule. (Only lower bounds on time: a loaded machine may always be slower.) */
class PacingTest {

    @Test
    void aFixedRateSpacesEventsByItsPeriod() {
        Pacing.Pacer pacer = Pacing.rate(2_000).start();
        long start = System.nanoTime();
        for (int i = 0; i <= 400; i++) {
            pacer.await(i, 0);
        }
        assertThat((System.nanoTime() - start) / 1e6).as("ms for 400 periods of 0.5 ms").isGreaterThanOrEqualTo(199);
    }

    @Test
    void aSpeedupShrinksTheGapsOfEventTime() {
        Pacing.Pacer pacer = Pacing.speedup(1_000).start();
        long start = System.nanoTime();
        long firstEvent = 1_000_000_000_000L;
        pacer.await(0, firstEvent);
        pacer.await(1, firstEvent + 60_000);
        pacer.await(2, firstEvent + 150_000);
        assertThat((System.nanoTime() - start) / 1e6).as("ms for 150 s of event time at x1000").isGreaterThanOrEqualTo(149);
    }

    @Test
    void asFastAsPossibleNeverWaits() {
        Pacing.Pacer pacer = Pacing.max().start();
        long start = System.nanoTime();
        for (int i = 0; i < 1_000_000; i++) {
            pacer.await(i, i * 1_000_000L);
        }
        assertThat((System.nanoTime() - start) / 1e9).isLessThan(5);
    }

    @Test
    void readsItsSettingsAndRefusesTwoPacingsAtOnce() {
        Settings defaults = Settings.defaults();
        assertThat(Pacing.fromSettings(defaults)).isEqualTo(Pacing.max());
        assertThat(Pacing.fromSettings(defaults.with("replay.rate", 500))).isEqualTo(Pacing.rate(500));
        assertThat(Pacing.fromSettings(defaults.with("replay.speedup", 86400))).isEqualTo(Pacing.speedup(86400));
        assertThatThrownBy(() -> Pacing.fromSettings(defaults.with("replay.rate", 5).with("replay.speedup", 10)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pick one");
        assertThatThrownBy(() -> Pacing.rate(0)).isInstanceOf(IllegalArgumentException.class);
        for (String bad : new String[]{"-5", "NaN", "Infinity"}) {
            assertThatThrownBy(() -> Pacing.fromSettings(defaults.with("replay.rate", bad)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("replay.rate must be 0 (unset) or a positive number, got " + bad);
        }
    }
}
