package io.streamrec.dataset.synthetic;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class SeenPairsTest {
    @Test
    void neverForgetsAPairAndRarelyClaimsAnUnseenOne() {
        int n = 500_000;
        SeenPairs seen = new SeenPairs(n, 1L << 30);
        SplittableRandom random = new SplittableRandom(2);
        int[] users = new int[n];
        int[] items = new int[n];
        int claimedNew = 0;
        for (int i = 0; i < n; i++) {
            users[i] = random.nextInt(1 << 20);
            items[i] = random.nextInt(1 << 16);
            claimedNew += seen.add(users[i], items[i]) ? 1 : 0;
        }
        for (int i = 0; i < n; i++) {
            assertThat(seen.add(users[i], items[i])).isFalse();
        }
        assertThat(n - claimedNew).as("new pairs wrongly reported as seen").isLessThan(n / 100);
    }

    @Test
    void staysWithinItsMemoryCap() {
        assertThat(new SeenPairs(1_000_000_000L, 64L << 20).bytes()).isLessThanOrEqualTo(64L << 20);
    }
}
