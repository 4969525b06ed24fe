package io.streamrec.snapshot;

import java.util.Arrays;

/** A set of row numbers with O(1) insertion and a drain in first-insertion order. */
final class RowSet {
    private long[] bits = new long[64];
    private int[] rows = new int[1024];
    private int size;

    void mark(int row) {
        int word = row >>> 6;
        if (word >= bits.length) {
            bits = Arrays.copyOf(bits, Math.max(word + 1, bits.length * 2));
        }
        long mask = 1L << row;
        if ((bits[word] & mask) == 0) {
            bits[word] |= mask;
            if (size == rows.length) {
                rows = Arrays.copyOf(rows, size * 2);
            }
            rows[size++] = row;
        }
    }

    boolean contains(int row) {
        int word = row >>> 6;
        return word < bits.length && (bits[word] & (1L << row)) != 0;
    }

    int size() {
        return size;
    }

    int[] drain() {
        int[] out = Arrays.copyOf(rows, size);
        for (int r : out) {
            bits[r >>> 6] &= ~(1L << r);
        }
        size = 0;
        return out;
    }
}
