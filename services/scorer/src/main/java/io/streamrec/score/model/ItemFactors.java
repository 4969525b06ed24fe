package io.streamrec.score.model;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every item's model row in one dense matrix, patched row by row as {@code model-item-factors} delivers them.
 *
 * <p>Layout: parameter-major ({@code columns[k][item]}), one {@code float[]} per parameter. Scoring a user is then
 * {@code scores[j] += u[k] * columns[k][j]} over contiguous arrays, which HotSpot's C2 vectorises (AVX2/AVX-512).
 * Measured on this machine (d = 64): 30 µs per user over 9.7k items, 195 µs over 59k. The same loop over one flat
 * array, {@code flat[k * n + j]}, ran 5-6x slower: C2 cannot prove that the load at a variable offset does not alias
 * the store into {@code scores} (both float[]), so it leaves the loop scalar. Item-major dot products were 4x slower
 * too (C2 does not vectorise float reductions, whose order Java fixes).
 *
 * <p>A second, item-major copy ({@code rows[item * width + k]}) serves whoever reads a few whole rows rather than
 * every item: the graph walk of a {@link GraphIndex} and the exact re-ranking of candidates. Read from the
 * parameter-major columns, one item's row would touch {@code width} cache lines. The fold-in gathers from it too.
 *
 * <p>Threads: one writer (the Kafka Streams global thread) and any number of readers (stream threads, HTTP
 * threads). A reader takes {@link #table()} once per scoring pass; the {@link Table} it gets never shrinks, and a
 * row appended to it is visible once {@link Table#size()} covers it (the volatile write of the size publishes the
 * row). A row patched in place while a reader scores may be read half old, half new: a score off for one item in
 * one list, recomputed with the next trigger; a lock per row would cost more than that is worth.
 */
public final class ItemFactors {
    private static final int INITIAL_CAPACITY = 1024;

    private volatile Table table = new Table(0, INITIAL_CAPACITY, new Ids(), 0);
    /**
     * Sum of the squared norms of the live rows, and of the squared changes since {@link #takeMovement()} and since
     * {@link #takeMovementSinceIndexed()}. Writer only.
     */
    private double normSquared;
    private double movedSquared;
    private double movedSinceIndexedSquared;

    /** A consistent view for one scoring pass. */
    public static final class Table {
        public final int width;
        /** Bumped when the matrix restarts (a new shape): indices of one generation mean nothing in another. */
        final long generation;
        /** columns[k][i]: parameter k of the item at index i. */
        final float[][] columns;
        /** rows[i * width + k]: the same parameters, item-major. */
        final float[] rows;
        public final long[] movieIds;
        final boolean[] dead;
        private final Ids index;
        private volatile int size;

        private Table(int width, int capacity, Ids index, long generation) {
            this.width = width;
            this.generation = generation;
            this.columns = new float[width][capacity];
            this.rows = new float[width * capacity];
            this.movieIds = new long[capacity];
            this.dead = new boolean[capacity];
            this.index = index;
        }

        private Table(Table from, int capacity) {
            this.width = from.width;
            this.generation = from.generation;
            this.columns = new float[width][];
            for (int k = 0; k < width; k++) {
                columns[k] = Arrays.copyOf(from.columns[k], capacity);
            }
            this.rows = Arrays.copyOf(from.rows, width * capacity);
            this.movieIds = Arrays.copyOf(from.movieIds, capacity);
            this.dead = Arrays.copyOf(from.dead, capacity);
            this.index = from.index;
            this.size = from.size;
        }

        /** The same arrays at this table's present size: what one list is computed against. */
        private Table(Table live) {
            this.width = live.width;
            this.generation = live.generation;
            this.columns = live.columns;
            this.rows = live.rows;
            this.movieIds = live.movieIds;
            this.dead = live.dead;
            this.index = live.index;
            this.size = live.size;
        }

        /**
         * This table without the rows appended from now on (rows patched in place still show): a list's exclusions
         * ({@link #indexOf}) and its ranking then see the same items, even when the global thread appends one the
         * user rated in between.
         */
        public Table frozen() {
            return new Table(this);
        }

        public int size() {
            return size;
        }

        int capacity() {
            return movieIds.length;
        }

        /** The item's index in this table, or -1 when it has no live row here. */
        public int indexOf(long movieId) {
            int i = index.get(movieId);
            return i < 0 || i >= size || dead[i] ? -1 : i;
        }

        /**
         * Copies the item's row into {@code out}, from the item-major copy: from the columns it touched {@code width}
         * cache lines, and the fold-in's gather was 10 % of the rescoring thread (JFR, {@code bench score} at
         * 10,000 ratings/s).
         */
        void row(int i, float[] out) {
            System.arraycopy(rows, i * width, out, 0, width);
        }

        public int liveCount() {
            int n = size;
            int live = 0;
            for (int i = 0; i < n; i++) {
                live += dead[i] ? 0 : 1;
            }
            return live;
        }
    }

    public Table table() {
        return table;
    }

    /**
     * Writes an item's row. A row of another width than the matrix means the model changed shape: the matrix
     * restarts empty at the new width (rows of the old model are useless to the new one).
     *
     * @return the row's index in the table
     */
    public int put(long movieId, float[] params) {
        Table t = table;
        if (params.length != t.width) {
            t = reset(params.length);
        }
        int existing = t.index.get(movieId);
        double newNorm = squaredNorm(params);
        if (existing >= 0) {
            int i = existing;
            double oldNorm = 0;
            double moved = 0;
            for (int k = 0; k < t.width; k++) {
                float old = t.columns[k][i];
                oldNorm += (double) old * old;
                double d = params[k] - old;
                moved += d * d;
                t.columns[k][i] = params[k];
            }
            System.arraycopy(params, 0, t.rows, i * t.width, t.width);
            if (t.dead[i]) {
                t.dead[i] = false;
                oldNorm = 0;
                moved = newNorm;
            }
            normSquared += newNorm - oldNorm;
            moved(moved);
            return i;
        }
        int i = t.size;
        if (i == t.capacity()) {
            t = new Table(t, t.capacity() * 2);
            table = t;
        }
        for (int k = 0; k < t.width; k++) {
            t.columns[k][i] = params[k];
        }
        System.arraycopy(params, 0, t.rows, i * t.width, t.width);
        t.movieIds[i] = movieId;
        t.index.put(movieId, i);
        t.size = i + 1;
        normSquared += newNorm;
        moved(newNorm);
        return i;
    }

    /** Removes an item (a tombstone): it is never ranked again unless a new row revives it. */
    public void remove(long movieId) {
        Table t = table;
        int existing = t.index.get(movieId);
        if (existing < 0 || t.dead[existing]) {
            return;
        }
        int i = existing;
        double norm = 0;
        for (int k = 0; k < t.width; k++) {
            norm += (double) t.columns[k][i] * t.columns[k][i];
        }
        t.dead[i] = true;
        normSquared -= norm;
        moved(norm);
    }

    /** Restarts empty at a width, when the served model's shape is known to have changed. */
    public Table reset(int width) {
        Table t = new Table(width, INITIAL_CAPACITY, new Ids(), table.generation + 1);
        moved(normSquared);
        normSquared = 0;
        table = t;
        return t;
    }

    /**
     * How far the item factors moved since the last call, relative to their size: ‖ΔV‖ / ‖V‖ (Frobenius norms,
     * ΔV accumulated row by row), then starts accumulating afresh. Writer thread only.
     */
    public double takeMovement() {
        double moved = movedSquared;
        movedSquared = 0;
        return relative(moved);
    }

    /** {@link #takeMovement()} without starting afresh. */
    public double movement() {
        return relative(movedSquared);
    }

    /** Like {@link #takeMovement()}, with an accumulator of its own: how far the rows moved since a candidate index was built over them. */
    public double takeMovementSinceIndexed() {
        double moved = movedSinceIndexedSquared;
        movedSinceIndexedSquared = 0;
        return relative(moved);
    }

    /** {@link #takeMovementSinceIndexed()} without starting afresh. */
    public double movementSinceIndexed() {
        return relative(movedSinceIndexedSquared);
    }

    private void moved(double squared) {
        movedSquared += squared;
        movedSinceIndexedSquared += squared;
    }

    private double relative(double moved) {
        if (moved == 0) {
            return 0;
        }
        return normSquared <= 0 ? Double.POSITIVE_INFINITY : Math.sqrt(moved / normSquared);
    }

    private static double squaredNorm(float[] v) {
        double s = 0;
        for (float x : v) {
            s += (double) x * x;
        }
        return s;
    }

    /**
     * movieId to table index, shared by the tables of one generation. Every ranking looks up each item its user
     * rated (their exclusions), so a heavy rater's list cost thousands of lookups; in a hash map keyed by boxed
     * longs that was 12 % of the demo's stream thread where the heaviest raters are. MovieLens ids are small
     * integers (under 300,000), so ids below {@link #DENSE_LIMIT} sit in a plain array (one load; 4 bytes an id, up
     * to about twice the largest id seen as it doubles: about 1 MB at ml-25m, at most 16 MB a generation); any
     * others in a map. One writer (the global thread); a reader racing an append may miss the new item, as it would
     * one appended a moment later.
     */
    static final class Ids {
        private static final long DENSE_LIMIT = 1 << 22;
        /** dense[id]: the table index plus one; 0 when absent. Replaced, never shrunk, when an id beyond it comes. */
        private volatile int[] dense = new int[0];
        private final ConcurrentHashMap<Long, Integer> sparse = new ConcurrentHashMap<>();

        /** The item's index, or -1. */
        int get(long movieId) {
            if (movieId >= 0 && movieId < DENSE_LIMIT) {
                int[] d = dense;
                return movieId < d.length ? d[(int) movieId] - 1 : -1;
            }
            Integer i = sparse.get(movieId);
            return i == null ? -1 : i;
        }

        void put(long movieId, int index) {
            if (movieId >= 0 && movieId < DENSE_LIMIT) {
                int[] d = dense;
                if (movieId >= d.length) {
                    d = Arrays.copyOf(d, (int) Math.min(DENSE_LIMIT, Math.max(movieId + 1, 2L * d.length)));
                    d[(int) movieId] = index + 1;
                    dense = d;
                } else {
                    d[(int) movieId] = index + 1;
                }
                return;
            }
            sparse.put(movieId, index);
        }
    }
}
