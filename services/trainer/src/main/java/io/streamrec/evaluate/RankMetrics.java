package io.streamrec.evaluate;

import java.util.SplittableRandom;

/**
 * Hit rate and NDCG at K over a set of ranked targets. A rank is 0-based; ties are broken at random, so a
 * model that scores many candidates equal (a popularity count, a cold item) gets neither credit nor blame.
 */
public final class RankMetrics {
    private final int k;
    private long count;
    private double hits;
    private double gain;

    public RankMetrics(int k) {
        this.k = k;
    }

    /** The rank of {@code target} among {@code scores[from, to)}: the number above it plus a random share of ties. */
    public static int rank(float target, float[] scores, int from, int to, SplittableRandom random) {
        int greater = 0;
        int equal = 0;
        for (int j = from; j < to; j++) {
            float s = scores[j];
            if (s > target) {
                greater++;
            } else if (s == target) {
                equal++;
            }
        }
        return equal == 0 ? greater : greater + random.nextInt(equal + 1);
    }

    public void add(int rank) {
        count++;
        if (rank < k) {
            hits++;
            gain += 1 / log2(rank + 2);
        }
    }

    public long count() {
        return count;
    }

    /** HR@K, NaN when nothing was ranked. */
    public double hitRate() {
        return count == 0 ? Double.NaN : hits / count;
    }

    /** NDCG@K with one relevant item: 1/log2(rank + 2) inside the top K, 0 outside. */
    public double ndcg() {
        return count == 0 ? Double.NaN : gain / count;
    }

    /** The contribution of one rank to NDCG, for moving windows that add and remove ranks. */
    public static double gain(int rank, int k) {
        return rank < k ? 1 / log2(rank + 2) : 0;
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }
}
