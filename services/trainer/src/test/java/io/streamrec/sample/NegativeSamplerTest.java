package io.streamrec.sample;

import io.streamrec.train.RatedItems;
import io.streamrec.train.Vocabulary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class NegativeSamplerTest {

    @ParameterizedTest
    @CsvSource({"false, 0", "true, 0", "false, 64", "true, 64"})
    void neverDrawsAnItemTheUserRated(boolean byPopularity, int pool) {
        Vocabulary items = new Vocabulary();
        RatedItems rated = new RatedItems();
        Random r = new Random(3);
        for (int i = 0; i < 500; i++) {
            int row = items.rowOf(1000 + i);
            for (int c = 0; c < 1 + 500 / (i + 1); c++) {
                items.increment(row);
            }
        }
        // user 0 rated the 400 most popular items, user 1 all but three, user 2 nothing
        for (int i = 0; i < 400; i++) {
            rated.add(0, i);
        }
        for (int i = 0; i < 500; i++) {
            if (i != 17 && i != 250 && i != 499) {
                rated.add(1, i);
            }
        }
        NegativeSampler sampler = new NegativeSampler(byPopularity, 0.75, pool, 11);
        for (int k = 0; k < 20_000; k++) {
            if (k % 100 == 0) {
                sampler.newBatch(items.size());
            }
            int user = r.nextInt(3);
            int item = sampler.draw(user, rated, items, items.size());
            assertThat(item).isBetween(0, 499);
            assertThat(rated.contains(user, item)).as("user %d drew rated item %d", user, item).isFalse();
        }
        for (int i = 0; i < 500; i++) {
            rated.add(1, i);
        }
        assertThat(sampler.draw(1, rated, items, items.size())).as("a user who rated everything gets no negative").isEqualTo(-1);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 16})
    void popularitySamplerFavoursPopularItemsByAlpha(int pool) {
        Vocabulary items = new Vocabulary();
        int popular = items.rowOf(1);
        int rare = items.rowOf(2);
        for (int c = 0; c < 10_000; c++) {
            items.increment(popular);
        }
        items.increment(rare);
        NegativeSampler sampler = new NegativeSampler(true, 0.5, pool, 5);
        int hits = 0;
        int draws = 100_000;
        for (int k = 0; k < draws; k++) {
            if (k % 50 == 0) {
                sampler.newBatch(items.size());
            }
            hits += sampler.draw(0, new RatedItems(), items, items.size()) == popular ? 1 : 0;
        }
        // weights 10000^0.5 = 100 vs 1: the popular item gets 100/101 of the draws
        assertThat(hits / (double) draws).isBetween(0.985, 0.995);
        NegativeSampler uniform = new NegativeSampler(false, 0.5, pool, 5);
        int uniformHits = 0;
        for (int k = 0; k < draws; k++) {
            if (k % 50 == 0) {
                uniform.newBatch(items.size());
            }
            uniformHits += uniform.draw(0, new RatedItems(), items, items.size()) == popular ? 1 : 0;
        }
        assertThat(uniformHits / (double) draws).isBetween(0.48, 0.52);
    }

    @Test
    void aBatchDrawsItsNegativesFromItsOwnFreshPoolEachStillUniformOverTheCatalogue() {
        Vocabulary items = catalogue(1_000);
        RatedItems rated = new RatedItems();
        NegativeSampler sampler = new NegativeSampler(false, 0.75, 32, 7);
        int[] drawn = new int[1_000];
        for (int batch = 0; batch < 2_000; batch++) {
            sampler.newBatch(items.size());
            Set<Integer> inBatch = new HashSet<>();
            for (int k = 0; k < 100; k++) {
                int item = sampler.draw(k % 10, rated, items, items.size());
                inBatch.add(item);
                drawn[item]++;
            }
            assertThat(inBatch.size()).as("a batch's negatives come from its pool of 32").isLessThanOrEqualTo(32);
        }
        // 200,000 draws over 1,000 items: 200 each on average; a pool drawn once for all batches would leave most at 0.
        assertThat(Arrays.stream(drawn).min().getAsInt()).as("every item drawn, pools being fresh").isGreaterThan(100);
        assertThat(Arrays.stream(drawn).max().getAsInt()).as("and none favoured").isLessThan(320);
    }

    @Test
    void thePoolServesOnlyTheRowsItWasDrawnForAndTheSameSeedDrawsTheSame() {
        Vocabulary items = catalogue(1_000);
        RatedItems rated = new RatedItems();
        NegativeSampler sampler = new NegativeSampler(false, 0.75, 64, 3);
        NegativeSampler twin = new NegativeSampler(false, 0.75, 64, 3);
        for (int batch = 0; batch < 100; batch++) {
            sampler.newBatch(1_000);
            twin.newBatch(1_000);
            for (int k = 0; k < 50; k++) {
                assertThat(sampler.draw(k, rated, items, 1_000)).isEqualTo(twin.draw(k, rated, items, 1_000));
                // rows the engine holds may lag the batch's (replay): a draw for fewer rows stays within them
                assertThat(sampler.draw(k, rated, items, 10)).isBetween(0, 9);
                twin.draw(k, rated, items, 10);
            }
        }
    }

    /** Items with ids 1000, 1001, ... in rows 0, 1, ... */
    private static Vocabulary catalogue(int size) {
        Vocabulary items = new Vocabulary();
        for (int i = 0; i < size; i++) {
            items.rowOf(1000 + i);
        }
        return items;
    }
}
