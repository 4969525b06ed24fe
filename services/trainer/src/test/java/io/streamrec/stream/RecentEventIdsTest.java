package io.streamrec.stream;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

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

    /**
     * Random ids with repeats at every distance, against the promise: an id among the last {@code window} new ids is
     * a repeat, an id never seen is new, and one in between may be either. Over many drops of a generation, so
     * both sides of the interleaved pairs serve as the current one.
     */
    @Test
    void randomRepeatsAtEveryDistanceKeepThePromise() {
        int window = 500;
        RecentEventIds seen = new RecentEventIds(window);
        Random random = new Random(11);
        Map<String, Integer> newAt = new HashMap<>(); // id -> its index among the new ids
        List<String> news = new ArrayList<>();
        int remembered = 0;
        int forgotten = 0;
        for (int i = 0; i < 200_000; i++) {
            boolean repeat = !news.isEmpty() && random.nextInt(3) == 0;
            String id = repeat ? news.get(Math.max(0, news.size() - 1 - random.nextInt(3 * window))) : "id-" + i;
            Integer at = newAt.get(id);
            boolean first = seen.firstTime(id);
            if (at == null) {
                assertThat(first).as("never seen: %s", id).isTrue();
            } else if (news.size() - at <= window) {
                assertThat(first).as("%s, %d new ids ago", id, news.size() - at).isFalse();
                remembered++;
            } else if (first) {
                forgotten++;
            }
            if (first) {
                newAt.put(id, news.size());
                news.add(id);
            }
            assertThat(seen.size()).isLessThanOrEqualTo(2 * window);
        }
        assertThat(remembered).isGreaterThan(10_000);
        assertThat(forgotten).as("ids beyond two windows are forgotten").isGreaterThan(1_000);
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
        Set<Long> prints = new HashSet<>();
        for (int i = 0; i < 1_000_000; i++) {
            prints.add(RecentEventIds.fingerprint(Integer.toHexString(i * 31 + 7)));
        }
        assertThat(prints).hasSize(1_000_000);
    }
}
