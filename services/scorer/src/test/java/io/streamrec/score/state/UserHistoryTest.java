package io.streamrec.score.state;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UserHistoryTest {

    @Test
    void countsEveryRatingOnceAndKeepsEachItemOnceInOrderOfItsLatestRating() {
        UserHistory h = new UserHistory();
        assertThat(h.apply(10, 4, 100, false, 1_000)).isTrue();
        assertThat(h.apply(20, 3, 105, false, 2_000)).isTrue();
        assertThat(h.apply(10, 5, 110, false, 3_000)).as("a re-rating").isTrue();
        assertThat(h.apply(20, 3, 105, false, 2_000)).as("a replay after a crash").isFalse();
        assertThat(h.apply(30, 1, 90, false, 4_000)).as("an older offset than the last applied").isFalse();
        assertThat(h.apply(30, 1, 90, true, 4_000)).as("offset 90 of the rerouted topic: another sequence").isTrue();
        assertThat(h.apply(40, 2, 90, true, 4_000)).as("a replay from the rerouted topic").isFalse();
        h.apply(30, 1, 111, false, 4_000);
        assertThat(h.seen()).isEqualTo(5);
        h = UserHistory.decode(h.encode());
        assertThat(h.apply(40, 2, 90, true, 4_000)).as("the rerouted sequence survives encoding").isFalse();
        assertThat(h.apply(30, 1, 111, false, 4_000)).isFalse();
        h = new UserHistory();
        h.apply(10, 4, 100, false, 1_000);
        h.apply(20, 3, 105, false, 2_000);
        h.apply(10, 5, 110, false, 3_000);
        assertThat(h.seen()).isEqualTo(3);
        assertThat(h.size()).isEqualTo(2);
        assertThat(h.movieId(0)).isEqualTo(20);
        assertThat(h.movieId(1)).isEqualTo(10);
        assertThat(h.stars(1)).isEqualTo(5);
        assertThat(h.lastOffset()).isEqualTo(110);
        assertThat(h.lastRatedAt()).isEqualTo(3_000);
        assertThat(h.rated(30)).isFalse();
    }

    @Test
    void roundTripsThroughItsEncodingAtAnySize() {
        UserHistory h = new UserHistory();
        for (int i = 0; i < 1_000; i++) {
            h.apply(1 + i % 700, 0.5f * (1 + i % 10), i, false, i);
        }
        UserHistory back = UserHistory.decode(h.encode());
        assertThat(back.seen()).isEqualTo(1_000);
        assertThat(back.size()).isEqualTo(700);
        for (int i = 0; i < back.size(); i++) {
            assertThat(back.movieId(i)).isEqualTo(h.movieId(i));
            assertThat(back.stars(i)).isEqualTo(h.stars(i));
            assertThat(back.offset(i)).isEqualTo(h.offset(i));
        }
        assertThat(back.apply(5, 1, 1_000, false, 0)).isTrue();
        assertThatThrownBy(() -> UserHistory.decode(new byte[]{7, 0, 0})).isInstanceOf(IllegalStateException.class);
    }
}
