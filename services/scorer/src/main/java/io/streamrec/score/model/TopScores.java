package io.streamrec.score.model;

import java.util.Arrays;

/**
 * The K items of highest score in a stream of (item, score) pairs: what the full scans, the re-ranking and the partition
 * search keep. A min-heap of K, each pair packed into one {@code long} (the score's bits made to order as signed
 * integers, then the item), so that a sift compares primitive longs and moves one word: JFR had put
 * {@link TopKHeap}'s sift, over separate arrays of long ids and double priorities, at 23 % of the rescoring thread.
 * In a harness searching a {@link PartitionIndex} over {@code bench score}'s model (59,047 items × 65, 20 probes,
 * 100 candidates): 21.2 µs a search against 27.1 µs with that heap and the kernel's single accumulator, and against
 * 21.6 µs for a buffer of 4K pairs cut back to the best K by quickselect when full (whose lagging threshold also lets
 * more items through to the caller's filter); docs/architecture.md, the scorer's retrieval. Reused: no allocation
 * once sized.
 */
public final class TopScores {
    private long[] heap = new long[0];
    private int k;
    private int size;

    public void reset(int k) {
        if (heap.length < k) {
            heap = new long[k];
        }
        this.k = k;
        this.size = 0;
    }

    /** The score a candidate must beat to enter: the K-th best so far, -∞ until K are held (+∞ when K is 0). */
    public float threshold() {
        return size < k ? Float.NEGATIVE_INFINITY : k == 0 ? Float.POSITIVE_INFINITY : score(heap[0]);
    }

    /** Offers an item; a score of NaN or -∞ never enters. */
    public void offer(int item, float score) {
        if (!(score > threshold())) {
            return;
        }
        long pair = pack(item, score);
        if (size < k) {
            int c = size++;
            while (c > 0) {
                int parent = (c - 1) >> 1;
                if (heap[parent] <= pair) {
                    break;
                }
                heap[c] = heap[parent];
                c = parent;
            }
            heap[c] = pair;
            return;
        }
        // Replace the root (the K-th best) and sift the new pair down to its place.
        int c = 0;
        int half = size >>> 1;
        while (c < half) {
            int child = 2 * c + 1;
            long smaller = heap[child];
            if (child + 1 < size && heap[child + 1] < smaller) {
                smaller = heap[++child];
            }
            if (pair <= smaller) {
                break;
            }
            heap[c] = smaller;
            c = child;
        }
        heap[c] = pair;
    }

    /** Empties it into the arrays, best first (among equal scores, in no promised order); returns how many. */
    public int drainDescending(int[] itemOut, float[] scoreOut) {
        Arrays.sort(heap, 0, size);
        int n = size;
        for (int r = 0; r < n; r++) {
            long pair = heap[n - 1 - r];
            itemOut[r] = (int) pair;
            scoreOut[r] = score(pair);
        }
        size = 0;
        return n;
    }

    /**
     * Empties it into the arrays in no order; returns how many. For candidates that are re-ranked anyway: sorting a
     * search's 100 was 4 % of the rescoring thread (JFR, {@code bench score} at 10,000 ratings/s).
     */
    public int drain(int[] itemOut, float[] scoreOut) {
        int n = size;
        for (int r = 0; r < n; r++) {
            itemOut[r] = (int) heap[r];
            scoreOut[r] = score(heap[r]);
        }
        size = 0;
        return n;
    }

    public int size() {
        return size;
    }

    /**
     * The score's bits flipped so that signed comparison orders them as floats, then the item. -0 becomes +0 first:
     * as floats they are equal, and the threshold compares floats.
     */
    static long pack(int item, float score) {
        int bits = Float.floatToRawIntBits(score + 0.0f);
        bits ^= (bits >> 31) & 0x7fffffff;
        return ((long) bits << 32) | (item & 0xffffffffL);
    }

    static float score(long pair) {
        int bits = (int) (pair >> 32);
        bits ^= (bits >> 31) & 0x7fffffff;
        return Float.intBitsToFloat(bits);
    }
}
