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
        int[] users = new int[100];
        int[] counts = new int[100];
        int[] out = new int[600];
        for (int batch = 0; batch < 200; batch++) {
            sampler.newBatch(items.size());
            int total = 0;
            for (int p = 0; p < users.length; p++) {
                users[p] = r.nextInt(3);
                counts[p] = r.nextInt(6);
                total += counts[p];
            }
            Arrays.fill(out, -2);
            sampler.drawAll(users, counts, users.length, rated, items, items.size(), out);
            for (int p = 0, at = 0; p < users.length; p++) {
                for (int j = 0; j < counts[p]; j++, at++) {
                    assertThat(out[at]).isBetween(0, 499);
                    assertThat(rated.contains(users[p], out[at])).as("user %d drew rated item %d", users[p], out[at])
                            .isFalse();
                }
            }
            for (int k = total; k < out.length; k++) {
                assertThat(out[k]).as("nothing written past the batch's negatives").isEqualTo(-2);
            }
        }
        for (int i = 0; i < 500; i++) {
            rated.add(1, i);
        }
        sampler.drawAll(new int[] {1, 2}, new int[] {2, 1}, 2, rated, items, items.size(), out);
        assertThat(out).as("a user who rated everything gets no negative").startsWith(-1, -1);
        assertThat(out[2]).isBetween(0, 499);
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
            hits += drawOne(sampler, 0, new RatedItems(), items, items.size()) == popular ? 1 : 0;
        }
        // weights 10000^0.5 = 100 vs 1: the popular item gets 100/101 of the draws
        assertThat(hits / (double) draws).isBetween(0.985, 0.995);
        NegativeSampler uniform = new NegativeSampler(false, 0.5, pool, 5);
        int uniformHits = 0;
        for (int k = 0; k < draws; k++) {
            if (k % 50 == 0) {
                uniform.newBatch(items.size());
            }
            uniformHits += drawOne(uniform, 0, new RatedItems(), items, items.size()) == popular ? 1 : 0;
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
                int item = drawOne(sampler, k % 10, rated, items, items.size());
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
            int[] users = {batch % 7, 3, 5};
            int[] counts = {4, 0, 2};
            int[] ours = new int[6];
            int[] theirs = new int[6];
            sampler.drawAll(users, counts, 3, rated, items, 1_000, ours);
            twin.drawAll(users, counts, 3, rated, items, 1_000, theirs);
            assertThat(ours).isEqualTo(theirs);
            for (int k = 0; k < 50; k++) {
                assertThat(drawOne(sampler, k, rated, items, 1_000)).isEqualTo(drawOne(twin, k, rated, items, 1_000));
                // rows the engine holds may lag the batch's (replay): a draw for fewer rows stays within them
                assertThat(drawOne(sampler, k, rated, items, 10)).isBetween(0, 9);
                drawOne(twin, k, rated, items, 10);
            }
        }
    }

    @Test
    void noRowsGiveNoNegativesAndNoCountsDrawNothing() {
        NegativeSampler sampler = new NegativeSampler(true, 0.75, 16, 1);
        sampler.newBatch(0);
        int[] out = {7, 7, 7, 7};
        sampler.drawAll(new int[] {0, 1}, new int[] {2, 1}, 2, new RatedItems(), new Vocabulary(), 0, out);
        assertThat(out).containsExactly(-1, -1, -1, 7);
        sampler.drawAll(new int[] {0, 1}, new int[] {0, 0}, 2, new RatedItems(), catalogue(10), 10, out);
        assertThat(out).containsExactly(-1, -1, -1, 7);
    }

    /** One negative for one positive, through the batch path the trainer takes. */
    private static int drawOne(NegativeSampler sampler, int user, RatedItems rated, Vocabulary items, int rows) {
        int[] out = new int[1];
        sampler.drawAll(new int[] {user}, new int[] {1}, 1, rated, items, rows, out);
        return out[0];
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
