package io.streamrec.train;

import java.util.Arrays;

/**
 * Each user's rated items (item rows), compactly: one small open-addressing int set per user row, grown by
 * doubling. Membership is what the negative sampler and the evaluators ask millions of times a second.
 */
public final class RatedItems {
    private static final int EMPTY = -1;
    private static final int[] NONE = new int[0];

    private int[][] sets = new int[1024][];
    private int[] sizes = new int[1024];

    /** Records that a user rated an item; returns false when it was already recorded. */
    public boolean add(int user, int item) {
        ensureUser(user);
        int[] set = sets[user];
        if (set == null || (sizes[user] + 1) * 2 > set.length) {
            set = grow(set, sizes[user]);
            sets[user] = set;
        }
        int mask = set.length - 1;
        int h = Integer.hashCode(item * 0x9E3779B1) & mask;
        while (set[h] != EMPTY) {
            if (set[h] == item) {
                return false;
            }
            h = (h + 1) & mask;
        }
        set[h] = item;
        sizes[user]++;
        return true;
    }

    public boolean contains(int user, int item) {
        if (user >= sets.length || sets[user] == null) {
            return false;
        }
        int[] set = sets[user];
        int mask = set.length - 1;
        int h = Integer.hashCode(item * 0x9E3779B1) & mask;
        while (set[h] != EMPTY) {
            if (set[h] == item) {
                return true;
            }
            h = (h + 1) & mask;
        }
        return false;
    }

    public int size(int user) {
        return user < sizes.length ? sizes[user] : 0;
    }

    /** The user's rated items, in no particular order. */
    public int[] items(int user) {
        if (user >= sets.length || sets[user] == null) {
            return NONE;
        }
        int[] out = new int[sizes[user]];
        int n = 0;
        for (int item : sets[user]) {
            if (item != EMPTY) {
                out[n++] = item;
            }
        }
        return out;
    }

    private void ensureUser(int user) {
        if (user >= sets.length) {
            int cap = Math.max(user + 1, sets.length * 2);
            sets = Arrays.copyOf(sets, cap);
            sizes = Arrays.copyOf(sizes, cap);
        }
    }

    private static int[] grow(int[] old, int size) {
        int[] set = new int[old == null ? 8 : old.length * 2];
        Arrays.fill(set, EMPTY);
        if (old != null) {
            int mask = set.length - 1;
            for (int item : old) {
                if (item != EMPTY) {
                    int h = Integer.hashCode(item * 0x9E3779B1) & mask;
                    while (set[h] != EMPTY) {
                        h = (h + 1) & mask;
                    }
                    set[h] = item;
                }
            }
        }
        return set;
    }
}
