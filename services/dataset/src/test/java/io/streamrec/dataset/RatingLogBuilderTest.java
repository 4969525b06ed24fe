package io.streamrec.dataset;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class RatingLogBuilderTest {

    @Test
    void ordersByEventTimeKeepingArrivalOrderAmongTies() {
        RatingLog log = RatingLog.builder(2) // grown past its first capacity on the way
                .add(1, 10, 4.0f, 300)
                .add(2, 20, 3.5f, 100)
                .add(3, 30, 5.0f, 300)
                .add(4, 40, 1.0f, 200)
                .add(5, 50, 2.5f, 100)
                .build();

        assertThat(log.size()).isEqualTo(5);
        long[] users = new long[5];
        long[] times = new long[5];
        for (int i = 0; i < 5; i++) {
            users[i] = log.userId(i);
            times[i] = log.timestamp(i);
        }
        assertThat(times).containsExactly(100, 100, 200, 300, 300);
        assertThat(users).containsExactly(2, 5, 4, 1, 3);
        assertThat(log.movieId(0)).isEqualTo(20);
        assertThat(log.rating(2)).isEqualTo(1.0f);
    }

    @Test
    void aLargeShuffledLogComesOutSortedWithEveryRatingKept() {
        SplittableRandom random = new SplittableRandom(7);
        RatingLog.Builder builder = RatingLog.builder();
        int n = 50_000;
        long idSum = 0;
        for (int i = 0; i < n; i++) {
            builder.add(i, i % 97, 0.5f * (1 + i % 10), random.nextLong(1_000));
            idSum += i;
        }
        RatingLog log = builder.build();

        assertThat(log.size()).isEqualTo(n);
        long seen = 0;
        for (int i = 0; i < n; i++) {
            seen += log.userId(i);
            assertThat(log.movieId(i)).isEqualTo(log.userId(i) % 97);
            if (i > 0) {
                assertThat(log.timestamp(i)).isGreaterThanOrEqualTo(log.timestamp(i - 1));
                if (log.timestamp(i) == log.timestamp(i - 1)) {
                    assertThat(log.userId(i)).isGreaterThan(log.userId(i - 1)); // ties in arrival order
                }
            }
        }
        assertThat(seen).isEqualTo(idSum);
    }
}
