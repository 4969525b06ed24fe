package io.streamrec.snapshot;

import io.streamrec.train.Samples;
import io.streamrec.train.Step;
import io.streamrec.train.TrainingListener;

import java.util.Arrays;

/**
 * Remembers which rows the steps since the last snapshot updated: the users of the positives and every item a
 * sample touched, negatives included (their rows move too). A snapshot publishes exactly these rows, so its cost
 * grows with what changed, not with the model.
 */
public final class ChangedRows implements TrainingListener {
    private final RowSet users = new RowSet();
    private final RowSet items = new RowSet();

    @Override
    public void afterStep(Step step) {
        Samples s = step.samples();
        int[] u = s.users();
        int[] i = s.items();
        for (int j = 0; j < s.size(); j++) {
            users.mark(u[j]);
            items.mark(i[j]);
        }
    }

    /** The changed user rows since the last drain, in first-change order; clears them. */
    public int[] drainUsers() {
        return users.drain();
    }

    public int[] drainItems() {
        return items.drain();
    }

    public int pendingUsers() {
        return users.size;
    }

    public int pendingItems() {
        return items.size;
    }

    /** A set of row numbers with O(1) insertion and an ordered drain. */
    private static final class RowSet {
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

        int[] drain() {
            int[] out = Arrays.copyOf(rows, size);
            for (int r : out) {
                bits[r >>> 6] &= ~(1L << r);
            }
            size = 0;
            return out;
        }
    }
}
