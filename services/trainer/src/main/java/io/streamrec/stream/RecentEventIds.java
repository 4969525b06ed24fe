package io.streamrec.stream;

import java.util.Arrays;

/**
 * The event ids seen lately, so a rating delivered twice (a producer retrying, a dataset replayed again) is trained
 * once. Exact up to 64-bit fingerprints: each id is kept as a 64-bit hash, so two different ids collide (and the
 * second is wrongly skipped) with probability about {@code n / 2^64} per rating for n ids held: below 1e-12 at the
 * default window. Memory is bounded: two generations of open-addressing tables, each holding up to {@code window}
 * fingerprints at a load of at most 0.5 (a power-of-two size), 32 to 64 bytes per id of the window; when the current generation is full
 * the older one is dropped. So the last {@code window} ids are always remembered, and at most {@code 2 window}.
 *
 * <p>Not thread-safe: the intake thread owns it.
 */
final class RecentEventIds {
    private static final long EMPTY = 0;
    static final int MAX_WINDOW = 1 << 28;

    private final int window;
    private long[] current;
    private long[] previous;
    private int held;
    private int previousHeld;
    private final int mask;

    /** @param window ids always remembered; 0 remembers none ({@link #firstTime} then always answers true) */
    RecentEventIds(int window) {
        if (window < 0 || window > MAX_WINDOW) {
            throw new IllegalArgumentException("trainer.dedup.window must be 0 to " + MAX_WINDOW + ", not " + window);
        }
        this.window = window;
        int capacity = window == 0 ? 0 : Integer.highestOneBit(Math.max(2, window) * 2 - 1) << 1;
        this.mask = capacity - 1;
        this.current = new long[capacity];
        this.previous = window == 0 ? new long[0] : null;
    }

    /** Records the id; false when it was seen within the window before (the rating is a repeat). */
    boolean firstTime(String eventId) {
        if (window == 0) {
            return true;
        }
        long f = fingerprint(eventId);
        if (contains(previous, f)) {
            return false;
        }
        int slot = (int) mix(f) & mask;
        while (current[slot] != EMPTY) {
            if (current[slot] == f) {
                return false;
            }
            slot = (slot + 1) & mask;
        }
        if (held == window) {
            rotate();
            slot = (int) mix(f) & mask;
        }
        current[slot] = f;
        held++;
        return true;
    }

    /** Ids always remembered. */
    int window() {
        return window;
    }

    /** Ids held now, both generations. */
    int size() {
        return held + previousHeld;
    }

    private boolean contains(long[] table, long f) {
        if (table == null || table.length == 0) {
            return false;
        }
        int slot = (int) mix(f) & mask;
        while (table[slot] != EMPTY) {
            if (table[slot] == f) {
                return true;
            }
            slot = (slot + 1) & mask;
        }
        return false;
    }

    /** The current generation becomes the previous one; the old previous table is cleared and reused. */
    private void rotate() {
        long[] reused = previous == null ? new long[current.length] : previous;
        Arrays.fill(reused, EMPTY);
        previous = current;
        current = reused;
        previousHeld = held;
        held = 0;
    }

    /** FNV-1a over the UTF-16 chars, finished with SplitMix64's mixer; never {@link #EMPTY}. */
    static long fingerprint(String id) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < id.length(); i++) {
            h ^= id.charAt(i);
            h *= 0x100000001b3L;
        }
        h = mix(h);
        return h == EMPTY ? 1 : h;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
