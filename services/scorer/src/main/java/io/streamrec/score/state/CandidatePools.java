package io.streamrec.score.state;

import io.streamrec.score.model.CandidateIndex;
import io.streamrec.score.model.Retriever;

import java.util.Arrays;

/**
 * Each recently ranked user's last retrieved candidates (their pool), shared by the threads of an instance, so a
 * stream thread and an HTTP query re-rank the same pool. Bounded: the least recently used pool goes first.
 *
 * <p>Held in flat arrays, a slot per pool, with no object per pool: as records in a {@code LinkedHashMap} each pool
 * was five objects that lived until 50,000 others had been ranked after it (most of a minute at 1,000 ratings/s),
 * and every young collection copied them again (docs/architecture.md, "What survives a young collection").
 */
public final class CandidatePools {
    private static final int NONE = -1;
    /** The longest Java array, less the header words some JVMs reserve. */
    private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    private final int capacity;
    /** Candidates a pool holds at most. */
    private final int maxItems;
    /** Slots allocated so far (grown by doubling up to the capacity), and slots in use. */
    private int slots;
    private int used;
    private long[] users = new long[0];
    private CandidateIndex[] indexes = new CandidateIndex[0];
    /** The retrieval query each pool was retrieved for, {@link #queryWidth} floats a slot. */
    private float[] queries = new float[0];
    /** The candidates' table indices, up to {@link #maxItems} a slot, and how many. */
    private int[] items = new int[0];
    private int[] itemCounts = new int[0];
    private int queryWidth;
    /** Recency, most recent first: a doubly linked list of slots. */
    private int[] newer = new int[0];
    private int[] older = new int[0];
    private int newest = NONE;
    private int oldest = NONE;
    /** User to slot: open addressing with linear probing, slot + 1 in each cell, 0 empty. */
    private int[] cells = new int[0];

    /**
     * @param capacity pools kept at most (the least recently used go first); 0 keeps none
     * @param maxItems candidates a pool holds at most
     */
    public CandidatePools(int capacity, int maxItems) {
        this.capacity = capacity;
        this.maxItems = maxItems;
    }

    /**
     * Copies the user's pool into {@code out} and returns its size when it came from {@code index} and the query it
     * was retrieved for is within {@code maxDrift} of {@code query} ({@link Retriever#drift}); else -1. Either way a
     * pool the user has counts as used now.
     */
    public synchronized int reusable(long userId, CandidateIndex index, float[] query, int width, double maxDrift,
                                     int[] out) {
        int slot = slotOf(userId);
        if (slot == NONE) {
            return -1;
        }
        touch(slot);
        if (indexes[slot] != index || width != queryWidth
                || Retriever.drift(queries, slot * queryWidth, query, width) > maxDrift) {
            return -1;
        }
        int n = itemCounts[slot];
        System.arraycopy(items, slot * maxItems, out, 0, n);
        return n;
    }

    /** Keeps candidates [0, n) as the user's pool, retrieved from {@code index} for {@code query}[0, width). */
    public synchronized void put(long userId, CandidateIndex index, float[] query, int width, int[] candidates, int n) {
        if (n > maxItems) {
            throw new IllegalArgumentException(n + " candidates, a pool holds at most " + maxItems);
        }
        if (capacity == 0) {
            return;
        }
        if (width != queryWidth) {
            // The first pool, or another model's retrieval width: pools of the old width cannot be kept.
            queryWidth = width;
            slots = 0;
            grow();
        }
        int slot = slotOf(userId);
        if (slot == NONE) {
            if (used == slots && slots < maxSlots()) {
                grow();
            }
            if (used < slots) {
                slot = used++;
            } else {
                slot = oldest;
                unlink(slot);
                removeCell(users[slot]);
            }
            users[slot] = userId;
            addCell(slot);
        } else {
            unlink(slot);
        }
        indexes[slot] = index;
        System.arraycopy(query, 0, queries, slot * queryWidth, width);
        System.arraycopy(candidates, 0, items, slot * maxItems, n);
        itemCounts[slot] = n;
        linkNewest(slot);
    }

    public synchronized int size() {
        return used;
    }

    /**
     * The slots the arrays can hold: the capacity, unless a very wide query would make its array longer than Java
     * allows (the candidates' array is bounded by the configuration's check), in which case fewer pools are kept.
     */
    private int maxSlots() {
        return Math.min(capacity, MAX_ARRAY / Math.max(1, Math.max(queryWidth, maxItems)));
    }

    /** Doubles the slots (or starts them, for a new width, with every pool dropped), up to {@link #maxSlots}. */
    private void grow() {
        int was = slots;
        slots = Math.min(maxSlots(), Math.max(1024, was * 2));
        users = Arrays.copyOf(users, slots);
        indexes = Arrays.copyOf(indexes, slots);
        itemCounts = Arrays.copyOf(itemCounts, slots);
        newer = Arrays.copyOf(newer, slots);
        older = Arrays.copyOf(older, slots);
        if (was == 0) {
            queries = new float[slots * queryWidth];
            items = new int[slots * maxItems];
            Arrays.fill(indexes, null);
            used = 0;
            newest = oldest = NONE;
        } else {
            queries = Arrays.copyOf(queries, slots * queryWidth);
            items = Arrays.copyOf(items, slots * maxItems);
        }
        cells = new int[Integer.highestOneBit(Math.max(2, slots) * 2 - 1) << 1];
        for (int s = 0; s < used; s++) {
            addCell(s);
        }
    }

    private int home(long userId) {
        return (int) (userId * 0x9E3779B97F4A7C15L >>> 32) & (cells.length - 1);
    }

    private int slotOf(long userId) {
        if (used == 0) {
            return NONE;
        }
        int mask = cells.length - 1;
        for (int c = home(userId); cells[c] != 0; c = (c + 1) & mask) {
            if (users[cells[c] - 1] == userId) {
                return cells[c] - 1;
            }
        }
        return NONE;
    }

    private void addCell(int slot) {
        int mask = cells.length - 1;
        int c = home(users[slot]);
        while (cells[c] != 0) {
            c = (c + 1) & mask;
        }
        cells[c] = slot + 1;
    }

    /** Removes a user's cell, shifting the cells after it back so that no probe sequence is broken. */
    private void removeCell(long userId) {
        int mask = cells.length - 1;
        int hole = home(userId);
        while (users[cells[hole] - 1] != userId) {
            hole = (hole + 1) & mask;
        }
        cells[hole] = 0;
        for (int c = (hole + 1) & mask; cells[c] != 0; c = (c + 1) & mask) {
            int h = home(users[cells[c] - 1]);
            // The cell may move back to the hole unless its home lies cyclically in (hole, c].
            boolean staysPut = hole <= c ? hole < h && h <= c : hole < h || h <= c;
            if (!staysPut) {
                cells[hole] = cells[c];
                cells[c] = 0;
                hole = c;
            }
        }
    }

    private void touch(int slot) {
        if (slot != newest) {
            unlink(slot);
            linkNewest(slot);
        }
    }

    private void unlink(int slot) {
        int n = newer[slot];
        int o = older[slot];
        if (n == NONE) {
            newest = o;
        } else {
            older[n] = o;
        }
        if (o == NONE) {
            oldest = n;
        } else {
            newer[o] = n;
        }
    }

    private void linkNewest(int slot) {
        newer[slot] = NONE;
        older[slot] = newest;
        if (newest != NONE) {
            newer[newest] = slot;
        }
        newest = slot;
        if (oldest == NONE) {
            oldest = slot;
        }
    }
}
