package io.streamrec.score.model;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PopularityTest {
    @Test
    void aWindowCountsExactlyItsLastRatingsWhileItsTableStaysBounded() {
        int size = 500;
        Popularity.Window window = new Popularity.Window(size);
        long[] stream = new long[200_000];
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < stream.length; i++) {
            // A popular head and a long tail of items seen once, so counts keep falling to 0 and slots go stale.
            stream[i] = random.nextInt(4) == 0 ? 1 + random.nextInt(20) : 1 + random.nextLong(1_000_000_000L);
        }
        int maxSlots = 0;
        for (int i = 0; i < stream.length; i++) {
            window.add(stream[i]);
            maxSlots = Math.max(maxSlots, window.slots());
            if (i % 9_973 == 0 || i == stream.length - 1) {
                Map<Long, Integer> expected = new HashMap<>();
                for (int j = Math.max(0, i - size + 1); j <= i; j++) {
                    expected.merge(stream[j], 1, Integer::sum);
                }
                Map<Long, Integer> counted = new HashMap<>();
                window.addCountsTo(counted);
                assertEquals(expected, counted, "after rating " + i);
                assertEquals(expected.size(), window.counted());
            }
        }
        // At most 500 items counted: rebuilt a quarter full, the table never needs more than 4 x 500 rounded up to 2,048.
        assertTrue(maxSlots <= 4096, "table grew to " + maxSlots + " slots");
    }

    @Test
    void theRankingSumsThePartitionsMostPopularFirst() {
        Popularity popularity = new Popularity(3, 0);
        popularity.record(0, 5);
        popularity.record(0, 7);
        popularity.record(0, 5);
        popularity.record(0, 9); // pushes the first 5 out of partition 0's window of 3
        popularity.record(1, 9);
        popularity.record(1, 9);
        Popularity.Ranking ranking = popularity.ranking(1);
        assertEquals(3, ranking.size());
        assertEquals(9, ranking.movieIds()[0]);
        assertEquals(3, ranking.counts()[0]);
        assertEquals(5, ranking.movieIds()[1]); // 5 and 7 both count 1: the lower id first
        assertEquals(7, ranking.movieIds()[2]);
    }
}
