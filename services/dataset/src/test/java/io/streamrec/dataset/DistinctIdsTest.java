package io.streamrec.dataset;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class DistinctIdsTest {
    @Test
    void countsLikeAHashSetThroughManyGrowths() {
        DistinctIds ids = new DistinctIds();
        Set<Long> reference = new HashSet<>();
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < 200_000; i++) {
            long id = i % 3 == 0 ? random.nextLong() : random.nextInt(50_000);
            ids.add(id);
            reference.add(id);
        }
        ids.add(Long.MIN_VALUE);
        ids.add(Long.MIN_VALUE);
        reference.add(Long.MIN_VALUE);
        assertThat(ids.size()).isEqualTo(reference.size());
    }
}
