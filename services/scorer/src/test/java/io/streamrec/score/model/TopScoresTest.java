package io.streamrec.score.model;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link TopScores} against a full sort, with ties, both signs of zero and the edge sizes of K. */
class TopScoresTest {

    @Test
    void keepsTheKBestWhateverTheOrderOfOffersAndDrainsThemBestFirstOrInAnyOrder() {
        SplittableRandom random = new SplittableRandom(11);
        TopScores top = new TopScores();
        for (int round = 0; round < 300; round++) {
            int n = random.nextInt(1, 3000);
            int k = random.nextInt(0, 150);
            float[] scores = new float[n];
            for (int i = 0; i < n; i++) {
                // Few distinct values in some rounds (ties), negatives and zeros of both signs in all.
                scores[i] = round % 3 == 0 ? random.nextInt(-5, 5) * 0.5f
                        : (float) (random.nextGaussian() * (random.nextBoolean() ? 1 : 1e-3));
            }
            scores[random.nextInt(n)] = -0.0f;
            top.reset(k);
            for (int i = 0; i < n; i++) {
                if (scores[i] > top.threshold()) { // how callers skip work: it must never hide a winner
                    top.offer(i, scores[i]);
                }
            }
            int[] items = new int[Math.max(k, 1)];
            float[] got = new float[Math.max(k, 1)];
            int found;
            if (round % 2 == 0) {
                found = top.drainDescending(items, got);
            } else { // the unordered drain holds the same pairs: put them in order to compare
                found = top.drain(items, got);
                Integer[] order = new Integer[found];
                Arrays.setAll(order, r -> r);
                Arrays.sort(order, (a, b) -> Float.compare(got[b], got[a]));
                int[] itemsInOrder = new int[found];
                float[] scoresInOrder = new float[found];
                for (int r = 0; r < found; r++) {
                    itemsInOrder[r] = items[order[r]];
                    scoresInOrder[r] = got[order[r]];
                }
                System.arraycopy(itemsInOrder, 0, items, 0, found);
                System.arraycopy(scoresInOrder, 0, got, 0, found);
            }

            float[] sorted = scores.clone();
            Arrays.sort(sorted);
            assertThat(found).isEqualTo(Math.min(k, n));
            for (int r = 0; r < found; r++) {
                // Among equal scores any item may win; the scores, rank by rank, are fixed.
                assertThat(got[r]).as("round %d, rank %d", round, r).isEqualTo(sorted[n - 1 - r]);
                assertThat(scores[items[r]]).isEqualTo(got[r]);
            }
            assertThat(Arrays.stream(items, 0, found).distinct().count()).isEqualTo(found);
        }
    }

    @Test
    void countsWhatItHoldsAndStartsOverAfterADrain() {
        TopScores top = new TopScores();
        top.reset(5);
        int[] items = new int[5];
        float[] scores = new float[5];
        for (int i = 0; i < 100; i++) {
            top.offer(i, i % 7);
            assertThat(top.size()).isEqualTo(Math.min(i + 1, 5));
        }
        assertThat(top.drainDescending(items, scores)).isEqualTo(5);
        assertThat(scores).containsExactly(6f, 6f, 6f, 6f, 6f);
        // No reset: a drain leaves it empty, still keeping 5.
        top.offer(1, -3f);
        top.offer(2, -4f);
        assertThat(top.drainDescending(items, scores)).isEqualTo(2);
        assertThat(items).startsWith(1, 2);

        top.reset(1);
        for (int i = 0; i < 50; i++) {
            top.offer(i, 1f); // ties: one of them, and only one
        }
        top.offer(50, 0f);
        assertThat(top.drainDescending(items, scores)).isEqualTo(1);
        assertThat(scores[0]).isEqualTo(1f);
        assertThat(items[0]).isBetween(0, 49);
    }

    @Test
    void minusZeroRanksAsZero() {
        TopScores top = new TopScores();
        top.reset(1);
        top.offer(1, -0.0f);
        top.offer(2, 0.0f);
        top.offer(3, -1f);
        int[] items = new int[1];
        float[] scores = new float[1];
        assertThat(top.drainDescending(items, scores)).isEqualTo(1);
        assertThat(Float.compare(scores[0], 0.0f)).isZero(); // +0, whichever of the two equal scores won
        assertThat(items[0]).isIn(1, 2);
    }

    @Test
    void nanAndMinusInfinityNeverEnterAndItIsReusable() {
        TopScores top = new TopScores();
        top.reset(3);
        top.offer(1, Float.NaN);
        top.offer(2, Float.NEGATIVE_INFINITY);
        top.offer(3, 2f);
        top.offer(4, Float.POSITIVE_INFINITY);
        assertThat(top.size()).isEqualTo(2);
        int[] items = new int[3];
        float[] scores = new float[3];
        assertThat(top.drainDescending(items, scores)).isEqualTo(2);
        assertThat(items).startsWith(4, 3);
        assertThat(top.size()).isZero();

        top.reset(1);
        top.offer(7, -1f);
        top.offer(8, -2f);
        assertThat(top.drainDescending(items, scores)).isEqualTo(1);
        assertThat(items[0]).isEqualTo(7);
        assertThat(scores[0]).isEqualTo(-1f);
    }
}
