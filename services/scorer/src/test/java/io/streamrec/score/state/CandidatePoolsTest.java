package io.streamrec.score.state;

import io.streamrec.score.model.CandidateIndex;
import io.streamrec.score.model.ItemFactors;
import io.streamrec.score.model.PartitionIndex;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class CandidatePoolsTest {
    private static final int WIDTH = 4;

    /** A pool as the reference keeps it. */
    private record Kept(CandidateIndex index, float[] query, int[] items) {
    }

    @Test
    void poolsBehaveLikeALeastRecentlyUsedMapOfTheirCandidates() {
        CandidateIndex index = index(1);
        int capacity = 3_000; // above the first 1,024 slots, so the arrays grow twice
        CandidatePools pools = new CandidatePools(capacity, 8);
        Map<Long, Kept> reference = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, Kept> eldest) {
                return size() > capacity;
            }
        };
        SplittableRandom random = new SplittableRandom(3);
        // Twice as many users as pools, with random ids (an arithmetic run of ids would hash without a collision), so
        // pools are evicted, replaced and looked up in every order.
        long[] users = random.longs(2 * capacity, 1, 1L << 40).toArray();
        int[] out = new int[8];
        int reused = 0;
        for (int op = 0; op < 200_000; op++) {
            long user = users[random.nextInt(users.length)];
            float[] query = {random.nextFloat(), 1, 1, 1};
            if (random.nextBoolean()) {
                int n = 1 + random.nextInt(8);
                int[] items = random.ints(n, 0, 10_000).toArray();
                pools.put(user, index, query, WIDTH, items, n);
                reference.put(user, new Kept(index, query.clone(), items));
            } else {
                int n = pools.reusable(user, index, query, WIDTH, 10, out);
                Kept kept = reference.get(user);
                if (kept == null) {
                    assertThat(n).as("op %d: user %d has no pool", op, user).isEqualTo(-1);
                } else {
                    assertThat(Arrays.copyOf(out, Math.max(0, n))).as("op %d: user %d", op, user).isEqualTo(kept.items());
                    reused++;
                }
            }
            assertThat(pools.size()).isEqualTo(reference.size());
        }
        assertThat(reused).isGreaterThan(10_000);
        assertThat(pools.size()).isEqualTo(capacity);
    }

    @Test
    void aPoolIsReusedOnlyFromItsIndexWhileTheQueryStaysNearAndAtItsWidth() {
        CandidateIndex index = index(1);
        CandidatePools pools = new CandidatePools(10, 3);
        int[] out = new int[3];
        pools.put(7, index, new float[]{1, 0, 0, 0}, WIDTH, new int[]{5, 6, 9}, 3);

        assertThat(pools.reusable(7, index, new float[]{1, 0.1f, 0, 0}, WIDTH, 0.25, out)).isEqualTo(3);
        assertThat(out).containsExactly(5, 6, 9);
        assertThat(pools.reusable(7, index, new float[]{1, 0.5f, 0, 0}, WIDTH, 0.25, out)).as("drifted").isEqualTo(-1);
        assertThat(pools.reusable(7, index(2), new float[]{1, 0, 0, 0}, WIDTH, 0.25, out)).as("rebuilt index").isEqualTo(-1);
        assertThat(pools.reusable(7, index, new float[]{1, 0, 0}, 3, 0.25, out)).as("another width").isEqualTo(-1);

        pools.put(8, index, new float[]{1, 0, 0}, 3, new int[]{1}, 1);
        assertThat(pools.size()).as("a new width drops the pools of the old one").isEqualTo(1);
        assertThat(pools.reusable(7, index, new float[]{1, 0, 0, 0}, WIDTH, 0.25, out)).isEqualTo(-1);
    }

    @Test
    void noPoolsAreKeptAtCapacityZero() {
        CandidatePools pools = new CandidatePools(0, 3);
        pools.put(7, index(1), new float[]{1, 0, 0, 0}, WIDTH, new int[]{5}, 1);
        assertThat(pools.size()).isZero();
        assertThat(pools.reusable(7, index(1), new float[]{1, 0, 0, 0}, WIDTH, 1, new int[3])).isEqualTo(-1);
    }

    private static CandidateIndex index(long seed) {
        ItemFactors factors = new ItemFactors();
        SplittableRandom random = new SplittableRandom(seed);
        for (long movie = 1; movie <= 64; movie++) {
            float[] row = new float[WIDTH + 1];
            for (int k = 0; k < row.length; k++) {
                row[k] = (float) random.nextDouble();
            }
            factors.put(movie, row);
        }
        return PartitionIndex.build(factors.table(), WIDTH, 16, 2, seed);
    }
}
