package io.streamrec.dataset.synthetic;

import java.util.SplittableRandom;

/**
 * Draws index i with probability proportional to weight[i] in O(1) (Walker's alias method, Vose's construction):
 * one uniform index, one uniform number, one comparison. Building it is O(n).
 */
final class AliasTable {
    private final float[] threshold;
    private final int[] alias;

    AliasTable(double[] weights) {
        int n = weights.length;
        if (n == 0) {
            throw new IllegalArgumentException("an alias table needs at least one weight");
        }
        double total = 0;
        for (double w : weights) {
            if (!(w >= 0) || Double.isInfinite(w)) {
                throw new IllegalArgumentException("weights must be finite and non-negative, got " + w);
            }
            total += w;
        }
        if (total <= 0) {
            throw new IllegalArgumentException("weights must not all be zero");
        }
        threshold = new float[n];
        alias = new int[n];
        double[] scaled = new double[n];
        int[] small = new int[n];
        int[] large = new int[n];
        int ns = 0;
        int nl = 0;
        for (int i = 0; i < n; i++) {
            scaled[i] = weights[i] * n / total;
            if (scaled[i] < 1) {
                small[ns++] = i;
            } else {
                large[nl++] = i;
            }
        }
        while (ns > 0 && nl > 0) {
            int s = small[--ns];
            int l = large[--nl];
            threshold[s] = (float) scaled[s];
            alias[s] = l;
            scaled[l] = scaled[l] + scaled[s] - 1;
            if (scaled[l] < 1) {
                small[ns++] = l;
            } else {
                large[nl++] = l;
            }
        }
        while (nl > 0) {
            int l = large[--nl];
            threshold[l] = 1;
            alias[l] = l;
        }
        while (ns > 0) {
            int s = small[--ns];
            threshold[s] = 1;
            alias[s] = s;
        }
    }

    int size() {
        return threshold.length;
    }

    int sample(SplittableRandom random) {
        int i = random.nextInt(threshold.length);
        return random.nextFloat() < threshold[i] ? i : alias[i];
    }
}
