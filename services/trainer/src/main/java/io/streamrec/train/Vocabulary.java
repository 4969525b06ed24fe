package io.streamrec.train;

import java.util.Arrays;

/**
 * External ids (userId, movieId) to dense table rows, assigned in order of first appearance, plus how many
 * ratings each row has had. Rows are never reassigned, so growing the tables never disturbs existing rows.
 * An open-addressing long-to-int map: no boxing on the hot path.
 *
 * <p>Two threads may share one, each writing its own half: the one that maps ids ({@link #rowOf}) and the one that
 * counts ratings ({@link #increment}, {@link #setCount}); the counts grow on their own. Others read: {@link #size()}
 * and {@link #id} are published safely (the id is written before the size that covers it), a count may be a
 * moment stale.
 */
public final class Vocabulary {
    private static final long EMPTY = Long.MIN_VALUE;

    private long[] keys;
    private int[] values;
    private long[] ids;
    private volatile long[] idsPublished;
    private int[] counts;
    private volatile int size;
    private int mask;

    public Vocabulary() {
        this(1024);
    }

    public Vocabulary(int expected) {
        int cap = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        keys = new long[cap];
        Arrays.fill(keys, EMPTY);
        values = new int[cap];
        mask = cap - 1;
        ids = new long[Math.max(16, expected)];
        idsPublished = ids;
        counts = new int[ids.length];
    }

    /** The row of an id, assigning the next row when the id is new. */
    public int rowOf(long id) {
        int slot = slot(id);
        if (keys[slot] == id) {
            return values[slot];
        }
        if (id == EMPTY) {
            throw new IllegalArgumentException("id " + id + " is reserved");
        }
        int row = size;
        keys[slot] = id;
        values[slot] = row;
        if (row == ids.length) {
            ids = Arrays.copyOf(ids, row * 2);
            idsPublished = ids;
        }
        ids[row] = id;
        size = row + 1;
        if (size * 2 > keys.length) {
            rehash();
        }
        return row;
    }

    /** The row of an id, or -1 when it has never been seen. */
    public int find(long id) {
        int slot = slot(id);
        return keys[slot] == id ? values[slot] : -1;
    }

    public long id(int row) {
        return idsPublished[row];
    }

    public int size() {
        return size;
    }

    public int count(int row) {
        int[] c = counts;
        return row < c.length ? c[row] : 0;
    }

    public void increment(int row) {
        countsFor(row)[row]++;
    }

    /** Restores a row's count, as a resumed trainer does from the checkpointed rows. */
    public void setCount(int row, int count) {
        countsFor(row)[row] = count;
    }

    private int[] countsFor(int row) {
        if (row >= counts.length) {
            counts = Arrays.copyOf(counts, Math.max(row + 1, counts.length * 2));
        }
        return counts;
    }

    private int slot(long id) {
        int h = (int) mix(id) & mask;
        while (keys[h] != EMPTY && keys[h] != id) {
            h = (h + 1) & mask;
        }
        return h;
    }

    private void rehash() {
        long[] oldKeys = keys;
        int[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        Arrays.fill(keys, EMPTY);
        values = new int[keys.length];
        mask = keys.length - 1;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != EMPTY) {
                int s = slot(oldKeys[i]);
                keys[s] = oldKeys[i];
                values[s] = oldValues[i];
            }
        }
    }

    static long mix(long x) {
        x ^= x >>> 33;
        x *= 0xff51afd7ed558ccdL;
        x ^= x >>> 33;
        return x;
    }
}
