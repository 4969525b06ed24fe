package io.streamrec.evaluate;

/** The mean of the last N values added, kept exactly with a ring buffer and a running sum. */
public final class MovingAverage {
    private final double[] ring;
    private int next;
    private int size;
    private double sum;

    public MovingAverage(int window) {
        ring = new double[window];
    }

    public void add(double value) {
        if (size == ring.length) {
            sum -= ring[next];
        } else {
            size++;
        }
        ring[next] = value;
        sum += value;
        next = (next + 1) % ring.length;
    }

    /** NaN until something was added. */
    public double mean() {
        return size == 0 ? Double.NaN : sum / size;
    }

    public int size() {
        return size;
    }
}
