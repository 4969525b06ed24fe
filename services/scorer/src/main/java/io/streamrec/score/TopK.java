package io.streamrec.score;

/**
 * The K best (index, score) pairs of a stream, in a min-heap of K entries: each candidate costs one comparison
 * with the current K-th best, and a heap update only when it beats it. Reused across users (no allocation).
 */
final class TopK {
    private int[] index = new int[0];
    private float[] score = new float[0];
    private int k;
    private int size;

    void reset(int k) {
        if (index.length < k) {
            index = new int[k];
            score = new float[k];
        }
        this.k = k;
        this.size = 0;
    }

    /** The score a candidate must beat to enter; -∞ until K are held. */
    float threshold() {
        return size < k ? Float.NEGATIVE_INFINITY : score[0];
    }

    /** Offers a candidate; NaN and -∞ never enter. */
    void offer(int i, float s) {
        if (!(s > threshold())) {
            return;
        }
        if (size < k) {
            int c = size++;
            index[c] = i;
            score[c] = s;
            while (c > 0) {
                int p = (c - 1) >> 1;
                if (score[p] <= score[c]) {
                    break;
                }
                swap(p, c);
                c = p;
            }
            return;
        }
        index[0] = i;
        score[0] = s;
        siftDown();
    }

    int size() {
        return size;
    }

    /** Empties the heap into the arrays, best first; returns how many. */
    int drainDescending(int[] indexOut, float[] scoreOut) {
        int n = size;
        for (int pos = n - 1; pos >= 0; pos--) {
            indexOut[pos] = index[0];
            scoreOut[pos] = score[0];
            size--;
            index[0] = index[size];
            score[0] = score[size];
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
            int m = l + 1 < size && score[l + 1] < score[l] ? l + 1 : l;
            if (score[c] <= score[m]) {
                break;
            }
            swap(c, m);
            c = m;
        }
    }

    private void swap(int a, int b) {
        int ti = index[a];
        index[a] = index[b];
        index[b] = ti;
        float ts = score[a];
        score[a] = score[b];
        score[b] = ts;
    }
}
