package io.streamrec.sample;

import io.streamrec.train.RatedItems;
import io.streamrec.train.Vocabulary;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Draws negatives for a user: items seen so far that the user has not rated, uniformly or with probability
 * proportional to popularity^α. Every call draws afresh: negatives are never reused across batches or passes.
 *
 * <p>With a pool ({@code trainer.negative-pool}), the negatives of one mini-batch ({@link #newBatch}) are drawn
 * uniformly from a pool of that many items, each filled from the catalogue's distribution the first time the batch
 * picks it: each negative still follows that distribution, and a fresh pool comes with every batch, but a batch's
 * negatives share fewer item rows, which the training step reads and writes many fewer of (bench train, 27,000
 * items, batches of 2,048: the step 2.07-2.26M positives/s with a pool of 2,048 against 1.40-1.71M without). Filling
 * slots as they are picked costs a batch at most the draws it makes. A user who rated most of the pool draws from the
 * whole catalogue after half the tries.
 */
public final class NegativeSampler {
    /** Uniform tries before falling back to a scan; a user who rated most of the catalogue is rare. */
    private static final int MAX_TRIES = 64;
    /** About this many draws between rebuilds of the popularity table: it follows the stream without a rebuild per draw. */
    private static final int REBUILD_EVERY = 200_000;

    private final SplittableRandom random;
    private final boolean byPopularity;
    private final double alpha;
    private double[] cumulative = new double[0];
    private int tableItems;
    private int drawsSinceRebuild;
    private double carry;
    /** The pool's items, and the batch each was filled for: a slot of an earlier batch is empty. */
    private final int[] pool;
    private final long[] filledFor;
    /** The current batch (1, 2, ...; 0 before the first) and the item rows its pool is drawn from. */
    private long batch;
    private int poolRows;

    /** @param poolSize items a batch's negatives are drawn from ({@link #newBatch}); 0 for the whole catalogue */
    public NegativeSampler(boolean byPopularity, double alpha, int poolSize, long seed) {
        this.random = new SplittableRandom(seed);
        this.byPopularity = byPopularity;
        this.alpha = alpha;
        this.pool = new int[poolSize];
        this.filledFor = new long[poolSize];
    }

    /** A batch begins whose negatives are drawn among item rows [0, rows): with a pool, an empty one. */
    public void newBatch(int rows) {
        batch++;
        poolRows = rows;
    }

    /**
     * Negatives for a batch's positives at once: {@code counts[p]} for positive {@code p} (of user {@code users[p]}),
     * written in order to {@code out} (at least their sum long). Each is an item row in [0, rows) that its user has
     * not rated, or -1 when the user has rated every one of them. {@code rows} is at most {@code items.size()}: the
     * rows the model already holds, which a thread other than the vocabulary's writer must pass (the writer may have
     * added items the engine has no row for yet). The pool is used only when {@code rows} is what {@link #newBatch}
     * was given.
     *
     * <p>Every first candidate is drawn before any is checked, and the checks run in a loop of their own whose
     * iterations depend on nothing before them: each is a random read into its user's rated set, and only there does
     * the CPU keep many of those misses in flight (checked one draw at a time, the membership test was 16 % of the
     * intake thread's samples in bench stream). A candidate the user rated goes on from its second try, as if it had
     * been checked at once.
     */
    public void drawAll(int[] users, int[] counts, int n, RatedItems rated, Vocabulary items, int rows, int[] out) {
        int total = 0;
        for (int p = 0; p < n; p++) {
            total += counts[p];
        }
        if (total == 0) {
            return;
        }
        if (rows == 0) {
            Arrays.fill(out, 0, total, -1);
            return;
        }
        if (byPopularity && (tableItems != rows || (drawsSinceRebuild += total) > REBUILD_EVERY)) {
            rebuild(items, rows);
            drawsSinceRebuild = total;
        }
        boolean pooled = usesPool(rows);
        for (int k = 0; k < total; k++) {
            out[k] = pooled ? fromPool(rows) : fromCatalogue(rows);
        }
        int at = 0;
        for (int p = 0; p < n; p++) {
            int user = users[p];
            for (int end = at + counts[p]; at < end; at++) {
                if (rated.contains(user, out[at])) {
                    out[at] = drawAfterFirstTry(user, rated, pooled, rows);
                }
            }
        }
    }

    /**
     * Tries 2 to {@link #MAX_TRIES} of one negative (with a pool, the first half of them from it), then a scan from
     * a random row; -1 when the user has rated every row.
     */
    private int drawAfterFirstTry(int user, RatedItems rated, boolean pooled, int rows) {
        int fromPool = pooled ? MAX_TRIES / 2 : 0;
        for (int t = 1; t < MAX_TRIES; t++) {
            int item = t < fromPool ? fromPool(rows) : fromCatalogue(rows);
            if (!rated.contains(user, item)) {
                return item;
            }
        }
        if (rated.size(user) >= rows) {
            return -1;
        }
        int start = random.nextInt(rows);
        for (int k = 0; k < rows; k++) {
            int item = (start + k) % rows;
            if (!rated.contains(user, item)) {
                return item;
            }
        }
        return -1;
    }

    /**
     * How many negatives the next positive gets when there are {@code ratio} per positive on average: the fractions
     * carry over, so 0.4 gives 0, 0, 1, 0, 1, ...
     */
    public int howMany(double ratio) {
        carry += ratio;
        int k = (int) carry;
        carry -= k;
        return k;
    }

    /** Whether draws among {@code rows} come from the batch's pool: only the rows it was drawn for. */
    private boolean usesPool(int rows) {
        return pool.length > 0 && batch > 0 && rows == poolRows;
    }

    /** A uniformly chosen slot of the batch's pool, filled from the catalogue if it is still empty. */
    private int fromPool(int rows) {
        int slot = random.nextInt(pool.length);
        if (filledFor[slot] != batch) {
            pool[slot] = fromCatalogue(rows);
            filledFor[slot] = batch;
        }
        return pool[slot];
    }

    /** One item row in [0, rows) from the catalogue's distribution, rated or not (the table is current for rows). */
    private int fromCatalogue(int rows) {
        return byPopularity ? popular() : random.nextInt(rows);
    }

    private int popular() {
        double u = random.nextDouble() * cumulative[tableItems - 1];
        int lo = 0, hi = tableItems - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cumulative[mid] < u) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private void rebuild(Vocabulary items, int n) {
        if (cumulative.length < n) {
            cumulative = new double[Math.max(n, cumulative.length * 2)];
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Math.pow(Math.max(1, items.count(i)), alpha);
            cumulative[i] = sum;
        }
        tableItems = n;
        drawsSinceRebuild = 0;
    }
}
