package io.streamrec.bench;

import java.util.Arrays;

/** The median of a benchmark's rounds: the middle value, or the mean of the two middle ones for an even count. */
final class Median {
    private Median() {
    }

    static double of(double... values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("the median of no rounds");
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
