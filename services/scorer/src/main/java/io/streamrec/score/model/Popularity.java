package io.streamrec.score.model;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Items popular over a recent window, the list of last resort: per ratings partition this instance owns, the
 * items of its last {@code window} ratings, counted; the instance's ranking sums its partitions.
 *
 * <p>Why a window of ratings rather than of time: replays compress years of event time into minutes and a live
 * stream may pause, but "the last N ratings" means the same in both. Why per partition: a partition is a random
 * sample of the users, so each instance ranks by a large random sample of the recent ratings with no cross-instance
 * traffic; and each window is rebuilt from the partition's own {@code user-ratings} store when the partition
 * (re)joins this instance (see {@code UserProcessor#init}), so the list survives restarts and rebalances.
 *
 * <p>Threads: a partition's window is written by the stream thread that owns it; the ranking is read by any
 * thread and recomputed at most once per refresh interval (a sort over the window's distinct items).
 */
public final class Popularity {
    private final int window;
    private final long refreshMs;
    private final ConcurrentHashMap<Integer, Window> partitions = new ConcurrentHashMap<>();
    private volatile boolean changed;
    private volatile Ranking ranking = new Ranking(new long[0], new int[0]);
    private volatile long rankedAt = Long.MIN_VALUE / 2;

    /** Items by count in the window, most popular first. */
    public record Ranking(long[] movieIds, int[] counts) {
        public int size() {
            return movieIds.length;
        }
    }

    public Popularity(int window, long refreshMs) {
        this.window = window;
        this.refreshMs = refreshMs;
    }

    public void record(int partition, long movieId) {
        partitions.computeIfAbsent(partition, p -> new Window(window)).add(movieId);
        changed = true;
    }

    /** Replaces a partition's window with the latest ratings of the given ones (oldest first). */
    public void rebuild(int partition, long[] movieIdsOldestFirst) {
        Window w = new Window(window);
        int from = Math.max(0, movieIdsOldestFirst.length - window);
        for (int i = from; i < movieIdsOldestFirst.length; i++) {
            w.add(movieIdsOldestFirst[i]);
        }
        partitions.put(partition, w);
        changed = true;
    }

    /** Forgets a partition this instance no longer owns. */
    public void drop(int partition) {
        if (partitions.remove(partition) != null) {
            changed = true;
        }
    }

    /** The current ranking, recomputed when ratings arrived and the last one is older than the refresh interval. */
    public Ranking ranking(long nowMs) {
        if (changed && nowMs - rankedAt >= refreshMs) {
            synchronized (this) {
                if (changed && nowMs - rankedAt >= refreshMs) {
                    changed = false;
                    ranking = rank();
                    rankedAt = nowMs;
                }
            }
        }
        return ranking;
    }

    private Ranking rank() {
        Map<Long, Integer> total = new HashMap<>();
        for (Window w : partitions.values()) {
            w.addCountsTo(total);
        }
        Long[] ids = total.keySet().toArray(Long[]::new);
        Arrays.sort(ids, (a, b) -> {
            int c = Integer.compare(total.get(b), total.get(a));
            return c != 0 ? c : Long.compare(a, b);
        });
        long[] movieIds = new long[ids.length];
        int[] counts = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            movieIds[i] = ids[i];
            counts[i] = total.get(ids[i]);
        }
        return new Ranking(movieIds, counts);
    }

    /**
     * The last {@code size} ratings of one partition, as a ring, with their items counted in an open-addressing map of
     * primitives. A map of boxed counts made three objects a rating that lived as long as the rating stayed in the
     * window (a minute at 1,000 ratings/s), and each young collection copied them again (docs/architecture.md, "What
     * survives a young collection"). An item whose count falls to 0 keeps its slot until the map is rebuilt, so
     * nothing is ever deleted from a probe sequence.
     */
    static final class Window {
        /** Movie ids are at least 1 (rating.schema.json). */
        private static final long EMPTY = Long.MIN_VALUE;
        private final long[] ring;
        private int next;
        private int filled;
        private long[] keys;
        private int[] counts;
        /** Slots holding an item, counted or not; kept at most half the table. */
        private int used;
        /** Items counted now. */
        private int counted;

        Window(int size) {
            ring = new long[size];
            allocate(16);
        }

        synchronized void add(long movieId) {
            if (filled == ring.length) {
                if (--counts[slot(ring[next])] == 0) {
                    counted--;
                }
            } else {
                filled++;
            }
            ring[next] = movieId;
            next = (next + 1) % ring.length;
            int s = slot(movieId);
            if (keys[s] == EMPTY) {
                keys[s] = movieId;
                used++;
            }
            if (counts[s]++ == 0) {
                counted++;
            }
            if (used * 2 > keys.length) {
                rebuild();
            }
        }

        synchronized void addCountsTo(Map<Long, Integer> total) {
            for (int s = 0; s < keys.length; s++) {
                if (counts[s] > 0) {
                    total.merge(keys[s], counts[s], Integer::sum);
                }
            }
        }

        /** Items counted now, and the table's slots: for tests. */
        synchronized int counted() {
            return counted;
        }

        synchronized int slots() {
            return keys.length;
        }

        private int slot(long movieId) {
            int mask = keys.length - 1;
            int s = (int) (movieId * 0x9E3779B97F4A7C15L >>> 32) & mask;
            while (keys[s] != EMPTY && keys[s] != movieId) {
                s = (s + 1) & mask;
            }
            return s;
        }

        /** Drops the items no longer counted, into a table a quarter full, so rebuilds stay rare. */
        private void rebuild() {
            long[] oldKeys = keys;
            int[] oldCounts = counts;
            allocate(Integer.highestOneBit(Math.max(16, counted * 4 - 1)) << 1);
            for (int s = 0; s < oldKeys.length; s++) {
                if (oldCounts[s] > 0) {
                    int t = slot(oldKeys[s]);
                    keys[t] = oldKeys[s];
                    counts[t] = oldCounts[s];
                    used++;
                }
            }
        }

        private void allocate(int capacity) {
            keys = new long[capacity];
            Arrays.fill(keys, EMPTY);
            counts = new int[capacity];
            used = 0;
        }
    }
}
