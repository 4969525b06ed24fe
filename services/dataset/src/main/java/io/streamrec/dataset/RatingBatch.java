package io.streamrec.dataset;

import java.util.Arrays;
import java.util.function.IntPredicate;

/**
 * Ratings by external ids in growable columns, reusable after {@link #clear()}: a trainer's mini-batch, and what a
 * {@link RatingLog.Builder} collects before ordering it by time (the one home of the growable columns for both).
 */
public final class RatingBatch {
    private int size;
    private long[] userIds;
    private long[] movieIds;
    private float[] ratings;
    private long[] timestamps;

    public RatingBatch(int capacity) {
        userIds = new long[capacity];
        movieIds = new long[capacity];
        ratings = new float[capacity];
        timestamps = new long[capacity];
    }

    /** Ratings [from, to) of a log. */
    public static RatingBatch of(RatingLog log, int from, int to) {
        RatingBatch b = new RatingBatch(to - from);
        b.fill(log, from, to);
        return b;
    }

    /** Replaces the contents with ratings [from, to) of a log. */
    public RatingBatch fill(RatingLog log, int from, int to) {
        clear();
        for (int i = from; i < to; i++) {
            add(log.userId(i), log.movieId(i), log.rating(i), log.timestamp(i));
        }
        return this;
    }

    public void add(long userId, long movieId, float rating, long timestamp) {
        if (size == userIds.length) {
            int cap = Math.max(16, size * 2);
            userIds = Arrays.copyOf(userIds, cap);
            movieIds = Arrays.copyOf(movieIds, cap);
            ratings = Arrays.copyOf(ratings, cap);
            timestamps = Arrays.copyOf(timestamps, cap);
        }
        userIds[size] = userId;
        movieIds[size] = movieId;
        ratings[size] = rating;
        timestamps[size] = timestamp;
        size++;
    }

    /**
     * Keeps the ratings before {@code from}, and of the others, in order, those {@code keep} accepts; {@code keep}
     * sees each index from {@code from} on once, in order, so it may remember what it has seen. Returns how many
     * were dropped.
     */
    public int retain(int from, IntPredicate keep) {
        int kept = from;
        for (int i = from; i < size; i++) {
            if (keep.test(i)) {
                userIds[kept] = userIds[i];
                movieIds[kept] = movieIds[i];
                ratings[kept] = ratings[i];
                timestamps[kept] = timestamps[i];
                kept++;
            }
        }
        int dropped = size - kept;
        size = kept;
        return dropped;
    }

    public void clear() {
        size = 0;
    }

    public int size() {
        return size;
    }

    public long userId(int i) {
        return userIds[i];
    }

    public long movieId(int i) {
        return movieIds[i];
    }

    public float rating(int i) {
        return ratings[i];
    }

    public long timestamp(int i) {
        return timestamps[i];
    }

    /** The event times as they are held, valid up to {@link #size()}: what {@link RatingLog.Builder} sorts by. */
    long[] timestampColumn() {
        return timestamps;
    }
}
