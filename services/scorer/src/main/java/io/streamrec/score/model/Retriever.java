package io.streamrec.score.model;

import io.streamrec.kernel.InnerProduct;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.FixedBitSet;

/**
 * Candidate retrieval for one user at a time: the {@link CandidateIndex}'s search, plus an exact look at the items
 * appended since the index was built, never a rated or removed item. One per thread (scratch).
 */
public final class Retriever {
    private static final InnerProduct DOT = InnerProduct.best();

    private FixedBitSet excluded = new FixedBitSet(1);
    private final TopScores merged = new TopScores();
    private float[] query = new float[0];
    private int[] found = new int[0];
    private float[] foundScores = new float[0];

    /**
     * Up to {@code wanted} items of largest retrieval score ({@link ModelSpec#retrievalQuery}) for the user row,
     * in no particular order (the model re-ranks them), into {@code out}; never one of {@code rated} (table indices)
     * nor a removed item.
     *
     * @return how many, or -1 when the index gave up ({@link CandidateIndex#search}): rank this user by a full scan
     */
    public int candidates(ModelSpec spec, ItemFactors.Table t, CandidateIndex index, float[] user, int[] rated,
                          int ratedCount, int wanted, int[] out) {
        int n = t.size();
        int w = spec.retrievalWidth();
        if (query.length < w) {
            query = new float[w];
        }
        spec.retrievalQuery(user, query);
        exclude(t, rated, ratedCount, true);
        if (found.length != wanted) {
            found = new int[wanted];
            foundScores = new float[wanted];
        }
        FixedBitSet skip = excluded;
        boolean[] dead = t.dead;
        Bits accept = new Bits() {
            @Override
            public boolean get(int i) {
                return i < n && !dead[i] && !skip.get(i);
            }

            @Override
            public int length() {
                return index.indexed();
            }
        };
        int count = index.search(t, query, accept, found, foundScores);
        if (count >= 0 && n > index.indexed()) {
            count = withNewItems(t, index.indexed(), n, w, wanted, count);
        }
        exclude(t, rated, ratedCount, false);
        if (count > 0) {
            System.arraycopy(found, 0, out, 0, count);
        }
        return count;
    }

    /** Merges the items appended since the index was built, each scored exactly, into what the search found. */
    private int withNewItems(ItemFactors.Table t, int from, int n, int w, int wanted, int count) {
        merged.reset(wanted);
        for (int i = 0; i < count; i++) {
            merged.offer(found[i], foundScores[i]);
        }
        for (int j = from; j < n; j++) {
            if (!t.dead[j] && !excluded.get(j)) {
                merged.offer(j, DOT.dot(query, 0, t.rows, j * t.width, w));
            }
        }
        return merged.drain(found, foundScores);
    }

    /**
     * The pool items still worth ranking: live and not rated since (the user may have rated one of them), into
     * {@code out}; returns how many.
     */
    public int stillEligible(ItemFactors.Table t, int[] pool, int poolSize, int[] rated, int ratedCount, int[] out) {
        int n = t.size();
        exclude(t, rated, ratedCount, true);
        int count = 0;
        for (int p = 0; p < poolSize; p++) {
            int item = pool[p];
            if (item < n && !t.dead[item] && !excluded.get(item)) {
                out[count++] = item;
            }
        }
        exclude(t, rated, ratedCount, false);
        return count;
    }

    /** Marks the rated items in {@link #excluded}, or clears them again, so a user costs O(rated), not O(items). */
    private void exclude(ItemFactors.Table t, int[] rated, int ratedCount, boolean on) {
        int n = t.size();
        if (excluded.length() < n) {
            excluded = new FixedBitSet(Math.max(n, t.capacity()));
        }
        for (int i = 0; i < ratedCount; i++) {
            if (rated[i] >= 0 && rated[i] < n) {
                if (on) {
                    excluded.set(rated[i]);
                } else {
                    excluded.clear(rated[i]);
                }
            }
        }
    }

    /** ‖q − q₀‖ / ‖q₀‖ over the first {@code w} entries: how far a user's query moved since their pool was retrieved. */
    public static double drift(float[] from, float[] to, int w) {
        return drift(from, 0, to, w);
    }

    /** {@link #drift(float[], float[], int)} with q₀ at {@code fromOffset} of {@code from}. */
    public static double drift(float[] from, int fromOffset, float[] to, int w) {
        double moved = 0;
        double norm = 0;
        for (int k = 0; k < w; k++) {
            float f = from[fromOffset + k];
            double d = to[k] - f;
            moved += d * d;
            norm += (double) f * f;
        }
        return norm == 0 ? (moved == 0 ? 0 : Double.POSITIVE_INFINITY) : Math.sqrt(moved / norm);
    }
}
