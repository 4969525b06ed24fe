package io.streamrec.stream;

/**
 * The event ids seen lately, so a rating delivered twice (a producer retrying, a dataset replayed again) is trained
 * once. Exact up to 64-bit fingerprints: each id is kept as a 64-bit hash, so two different ids collide (and the
 * second is wrongly skipped) with probability about {@code n / 2^64} per rating for n ids held: below 1e-12 at the
 * default window. Memory is bounded: two generations of open-addressing tables, each holding up to {@code window}
 * fingerprints at a load of at most 0.5 (a power-of-two size), 32 to 64 bytes per id of the window; when the current
 * generation is full the older one is dropped. So the last {@code window} ids are always remembered, and at most
 * {@code 2 window}.
 *
 * <p>The two generations are interleaved in one array, slot s of each side by side ({@code 2s} and {@code 2s + 1};
 * which of the two is the current generation alternates at each drop), and share the hash: a lookup reads one
 * cache line for both where two tables cost two misses. With two tables the dedup was a quarter of the intake
 * thread's samples in {@code bench stream} (JFR), nearly all of it waiting on those misses.
 *
 * <p>Not thread-safe: the intake thread owns it.
 */
final class RecentEventIds {
    private static final long EMPTY = 0;
    static final int MAX_WINDOW = 1 << 28;

    private final int window;
    /** Slot s of the generation g at {@code 2s + g}. */
    private final long[] slots;
    private final int mask;
    /** Which side of each pair is the current generation (0 or 1). */
    private int current;
    private int held;
    private int previousHeld;

    /** @param window ids always remembered; 0 remembers none ({@link #firstTime} then always answers true) */
    RecentEventIds(int window) {
        if (window < 0 || window > MAX_WINDOW) {
            throw new IllegalArgumentException("trainer.dedup.window must be 0 to " + MAX_WINDOW + ", not " + window);
        }
        this.window = window;
        int capacity = window == 0 ? 0 : Integer.highestOneBit(Math.max(2, window) * 2 - 1) << 1;
        this.mask = capacity - 1;
        this.slots = new long[2 * capacity];
    }

    /** Records the id; false when it was seen within the window before (the rating is a repeat). */
    boolean firstTime(String eventId) {
        return firstTime(fingerprint(eventId));
    }

    /**
     * Records the id by its {@link #fingerprint}; false when it was seen within the window before. The intake calls
     * this for a whole batch in one tight loop ({@link IntakeBatch#dropRepeats}) rather than once per record between
     * parses: a lookup is one cache miss in a table of tens of MB, and only in a tight loop does the CPU have several
     * lookups' misses in flight at once.
     */
    boolean firstTime(long f) {
        if (window == 0) {
            return true;
        }
        int home = (int) mix(f) & mask;
        // Both generations' probe runs from the same home slot, side by side; an id is never stored past the first
        // empty slot of its generation's run (nothing is ever deleted, only whole generations dropped).
        int free = -1;
        boolean previousEnded = false;
        for (int slot = home; ; slot = (slot + 1) & mask) {
            long mine = slots[2 * slot + current];
            long older = slots[2 * slot + (current ^ 1)];
            if (mine == f || (!previousEnded && older == f)) {
                return false;
            }
            previousEnded |= older == EMPTY;
            if (free < 0 && mine == EMPTY) {
                free = slot;
            }
            if (free >= 0 && previousEnded) {
                break;
            }
        }
        if (held == window) {
            dropPrevious();
            free = home; // the new current generation is empty
        }
        slots[2 * free + current] = f;
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

    /** The previous generation is cleared and becomes the current one; the full current one becomes the previous. */
    private void dropPrevious() {
        current ^= 1;
        for (int i = current; i < slots.length; i += 2) {
            slots[i] = EMPTY;
        }
        previousHeld = held;
        held = 0;
    }

    /** FNV-1a over the UTF-16 chars, finished with SplitMix64's mixer; never 0 ({@link #EMPTY}). */
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
