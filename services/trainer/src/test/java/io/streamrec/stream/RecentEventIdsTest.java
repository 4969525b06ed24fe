package io.streamrec.stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RecentEventIdsTest {

    @Test
    void aRepeatWithinTheWindowIsKnownAndANewIdIsNot() {
        RecentEventIds seen = new RecentEventIds(10_000);
        for (int i = 0; i < 3_000; i++) {
            assertThat(seen.firstTime("ml|" + i)).isTrue();
        }
        for (int i = 0; i < 3_000; i++) {
            assertThat(seen.firstTime("ml|" + i)).as("repeat %d", i).isFalse();
        }
        assertThat(seen.firstTime("ml|re-rated")).isTrue();
        assertThat(seen.size()).isEqualTo(3_001);
    }

    @Test
    void theLastWindowIdsAreAlwaysRememberedAndMemoryStaysBounded() {
        int window = 1_000;
        RecentEventIds seen = new RecentEventIds(window);
        for (int i = 0; i < 10_500; i++) {
            seen.firstTime("e" + i);
            assertThat(seen.size()).isBetween(Math.min(i + 1, window), 2 * window);
        }
        for (int i = 10_500 - window; i < 10_500; i++) {
            assertThat(seen.firstTime("e" + i)).as("id %d of the last window", i).isFalse();
        }
        assertThat(seen.firstTime("e0")).as("long forgotten").isTrue();
    }

    @Test
    void aZeroWindowRemembersNothing() {
        RecentEventIds seen = new RecentEventIds(0);
        assertThat(seen.firstTime("a")).isTrue();
        assertThat(seen.firstTime("a")).isTrue();
        assertThatThrownBy(() -> new RecentEventIds(-1)).hasMessageContaining("trainer.dedup.window");
    }

    @Test
    void fingerprintsOfAMillionDistinctIdsDoNotCollide() {
        java.util.Set<Long> prints = new java.util.HashSet<>();
        for (int i = 0; i < 1_000_000; i++) {
            prints.add(RecentEventIds.fingerprint(Integer.toHexString(i * 31 + 7)));
        }
        assertThat(prints).hasSize(1_000_000);
    }
}
