package io.streamrec.dataset;

import java.util.Arrays;

/** Counts distinct long ids in memory proportional to their number: an open-addressing set of primitives. */
public final class DistinctIds {
    private static final long EMPTY = Long.MIN_VALUE;
    private long[] slots = new long[1 << 12];
    private int size;
    private boolean hasEmpty;

    public DistinctIds() {
        Arrays.fill(slots, EMPTY);
    }

    public void add(long id) {
        if (id == EMPTY) {
            if (!hasEmpty) {
                hasEmpty = true;
                size++;
            }
            return;
        }
        int mask = slots.length - 1;
        int i = (int) (mix(id) & mask);
        while (slots[i] != EMPTY) {
            if (slots[i] == id) {
                return;
            }
            i = (i + 1) & mask;
        }
        slots[i] = id;
        if (++size > slots.length / 2) {
            grow();
        }
    }

    public int size() {
        return size;
    }

    private void grow() {
        long[] old = slots;
        slots = new long[old.length * 2];
        Arrays.fill(slots, EMPTY);
        int mask = slots.length - 1;
        for (long id : old) {
            if (id != EMPTY) {
                int i = (int) (mix(id) & mask);
                while (slots[i] != EMPTY) {
                    i = (i + 1) & mask;
                }
                slots[i] = id;
            }
        }
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
        return z ^ (z >>> 33);
    }
}
