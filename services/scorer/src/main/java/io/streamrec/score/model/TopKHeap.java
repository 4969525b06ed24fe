package io.streamrec.score.model;

/**
 * The K entries of highest priority in a stream of (id, priority) pairs, in a min-heap of K: each candidate costs
 * one comparison with the current K-th best, and a heap update only when it beats it. Reused (no allocation once
 * sized). The scorer keeps ratings by offset with it when rebuilding the recent popularity window: priorities are
 * doubles, which hold a Kafka offset (below 2^53) exactly. Items by float score go to {@link TopScores}, faster.
 */
public final class TopKHeap {
    private long[] ids = new long[0];
    private double[] priorities = new double[0];
    private int k;
    private int size;

    public void reset(int k) {
        if (ids.length < k) {
            ids = new long[k];
            priorities = new double[k];
        }
        this.k = k;
        this.size = 0;
    }

    /** The priority a candidate must beat to enter; -∞ until K are held. */
    public double threshold() {
        return size < k ? Double.NEGATIVE_INFINITY : priorities[0];
    }

    /** Offers a candidate; NaN and -∞ never enter. */
    public void offer(long id, double priority) {
        if (!(priority > threshold())) {
            return;
        }
        if (size < k) {
            int c = size++;
            ids[c] = id;
            priorities[c] = priority;
            while (c > 0) {
                int p = (c - 1) >> 1;
                if (priorities[p] <= priorities[c]) {
                    break;
                }
                swap(p, c);
                c = p;
            }
            return;
        }
        ids[0] = id;
        priorities[0] = priority;
        siftDown();
    }

    public int size() {
        return size;
    }

    /** Empties the heap into the arrays, highest priority first; returns how many. */
    public int drainDescending(long[] idOut, double[] priorityOut) {
        int n = size;
        for (int pos = n - 1; pos >= 0; pos--) {
            idOut[pos] = ids[0];
            priorityOut[pos] = priorities[0];
            size--;
            ids[0] = ids[size];
            priorities[0] = priorities[size];
            siftDown();
        }
        return n;
    }

    /** Restores the heap after the root was replaced. */
    private void siftDown() {
        int c = 0;
        while (true) {
            int l = 2 * c + 1;
            if (l >= size) {
                break;
            }
            int m = l + 1 < size && priorities[l + 1] < priorities[l] ? l + 1 : l;
            if (priorities[c] <= priorities[m]) {
                break;
            }
            swap(c, m);
            c = m;
        }
    }

    private void swap(int a, int b) {
        long ti = ids[a];
        ids[a] = ids[b];
        ids[b] = ti;
        double tp = priorities[a];
        priorities[a] = priorities[b];
        priorities[b] = tp;
    }
}
