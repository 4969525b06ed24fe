package io.streamrec.train;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class VocabularyTest {
    @Test
    void assignsRowsInOrderOfFirstAppearanceAndNeverMovesThem() {
        Vocabulary v = new Vocabulary(4);
        Random r = new Random(1);
        long[] ids = new long[50_000];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = r.nextLong() & Long.MAX_VALUE;
            assertThat(v.rowOf(ids[i])).isEqualTo(i);
        }
        for (int i = 0; i < ids.length; i++) {
            assertThat(v.find(ids[i])).isEqualTo(i);
            assertThat(v.rowOf(ids[i])).isEqualTo(i);
            assertThat(v.id(i)).isEqualTo(ids[i]);
        }
        assertThat(v.size()).isEqualTo(ids.length);
        assertThat(v.find(-5)).isEqualTo(-1);
    }

    @Test
    void ratedItemsRememberEveryPair() {
        RatedItems rated = new RatedItems();
        for (int u = 0; u < 3000; u += 7) {
            for (int i = 0; i < u % 50; i++) {
                assertThat(rated.add(u, i * 13)).isTrue();
            }
            assertThat(rated.add(u, 0)).isEqualTo(u % 50 == 0);
        }
        for (int u = 0; u < 3000; u += 7) {
            assertThat(rated.size(u)).isEqualTo(Math.max(1, u % 50));
            for (int i = 0; i < 50; i++) {
                assertThat(rated.contains(u, i * 13)).isEqualTo(i < u % 50 || i == 0);
            }
            assertThat(rated.items(u)).hasSize(rated.size(u));
        }
        assertThat(rated.contains(5000, 1)).isFalse();
    }
}
