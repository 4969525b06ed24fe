package io.streamrec.train;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * Each user's rated items (item rows), compactly: one small open-addressing int set per user row, grown by
 * doubling. Membership is what the negative sampler and the evaluators ask millions of times a second.
 *
 * <p>One thread writes (the service's consuming thread, {@link OnlineTrainer#prepare}); others may read at the
 * same time (the training thread's evaluator) and then see a stale view, never a torn one: a grown set is
 * published whole, and {@link #items} never trusts a size read apart from the set it reads. (It once did, and
 * bench stream stopped on an ArrayIndexOutOfBoundsException after 2.7M ratings.)
 */
public final class RatedItems {
    private static final int EMPTY = -1;
    private static final int[] NONE = new int[0];
    private static final VarHandle SET = MethodHandles.arrayElementVarHandle(int[][].class);

    private volatile int[][] sets = new int[1024][];
    private int[] sizes = new int[1024];

    /** Records that a user rated an item; returns false when it was already recorded. */
    public boolean add(int user, int item) {
        ensureUser(user);
        int[] set = sets[user];
        if (set == null || (sizes[user] + 1) * 2 > set.length) {
            set = grow(set);
            SET.setRelease(sets, user, set);
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
        int[] set = setOf(user);
        if (set == null) {
            return false;
        }
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
        int[] set = setOf(user);
        if (set == null) {
            return NONE;
        }
        // A set is at most half full; the writer may be adding to this one while it is read.
        int[] out = new int[set.length / 2];
        int n = 0;
        for (int item : set) {
            if (item != EMPTY && n < out.length) {
                out[n++] = item;
            }
        }
        return n == out.length ? out : Arrays.copyOf(out, n);
    }

    private int[] setOf(int user) {
        int[][] all = sets;
        return user < all.length ? (int[]) SET.getAcquire(all, user) : null;
    }

    private void ensureUser(int user) {
        if (user >= sets.length) {
            int cap = Math.max(user + 1, sets.length * 2);
            sets = Arrays.copyOf(sets, cap);
            sizes = Arrays.copyOf(sizes, cap);
        }
    }

    private static int[] grow(int[] old) {
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
