package io.streamrec.evaluate;

import java.util.Arrays;

/** How often each item was rated among the last N events: the recent-window popularity baseline. */
public final class RecentPopularity {
    private final int[] ring;
    private int next;
    private int size;
    private int[] counts = new int[1024];

    public RecentPopularity(int window) {
        ring = new int[window];
    }

    public void add(int item) {
        if (size == ring.length) {
            counts[ring[next]]--;
        } else {
            size++;
        }
        if (item >= counts.length) {
            counts = Arrays.copyOf(counts, Math.max(item + 1, counts.length * 2));
        }
        counts[item]++;
        ring[next] = item;
        next = (next + 1) % ring.length;
    }

    public int count(int item) {
        return item < counts.length ? counts[item] : 0;
    }
}
