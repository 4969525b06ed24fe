package io.streamrec.score.state;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * What the scorer knows of one user's ratings: every item they rated (never to be recommended), in the order of
 * their latest rating of it, and how many valid ratings it has seen from them. The value of the partitioned store
 * {@code user-ratings}, keyed like {@code ratings}, so it lives on the instance that owns the user's partition.
 *
 * <p>{@link #seen()} counts ratings in the same way as a factor row's {@code count} (every valid rating, a
 * re-rating included), which is what the fold-in decision compares (see {@link Recommender}). Replays after a crash
 * (at-least-once) must not count twice: a rating is applied only when its offset is past the last applied one of
 * the partition it came from. A user's ratings reach this task from one partition of {@code ratings}, or, when a
 * producer partitions differently, from one of the rerouted topic ({@link ScorerTopology#reroutedRatings}); each
 * arrives in offset order, so tracking the two sequences apart is exact.
 *
 * <p>Encoding (little-endian): version byte 1, seen int32, lastOffset int64, lastReroutedOffset int64,
 * lastRatedAt int64, n int32, then n entries of movieId int64, stars float32, offset int64.
 */
public final class UserHistory {
    private static final byte VERSION = 1;
    private static final int HEADER = 1 + 4 + 8 + 8 + 8 + 4;
    private static final int ENTRY = 8 + 4 + 8;

    private int seen;
    private long lastOffset = -1;
    private long lastReroutedOffset = -1;
    private long lastRatedAt;
    private int n;
    private long[] movieIds;
    private float[] stars;
    private long[] offsets;

    public UserHistory() {
        this(8);
    }

    private UserHistory(int capacity) {
        movieIds = new long[capacity];
        stars = new float[capacity];
        offsets = new long[capacity];
    }

    /**
     * Applies a rating unless it was applied before.
     *
     * @param rerouted whether the offset is one of the rerouted topic rather than of {@code ratings}
     * @return false for a replayed rating (offset not past the last applied one of its partition)
     */
    public boolean apply(long movieId, float rating, long offset, boolean rerouted, long producedAt) {
        if (offset <= (rerouted ? lastReroutedOffset : lastOffset)) {
            return false;
        }
        int at = indexOf(movieId);
        if (at >= 0) {
            System.arraycopy(movieIds, at + 1, movieIds, at, n - at - 1);
            System.arraycopy(stars, at + 1, stars, at, n - at - 1);
            System.arraycopy(offsets, at + 1, offsets, at, n - at - 1);
            n--;
        }
        if (n == movieIds.length) {
            int cap = Math.max(8, n * 2);
            movieIds = Arrays.copyOf(movieIds, cap);
            stars = Arrays.copyOf(stars, cap);
            offsets = Arrays.copyOf(offsets, cap);
        }
        movieIds[n] = movieId;
        stars[n] = rating;
        offsets[n] = offset;
        n++;
        seen++;
        if (rerouted) {
            lastReroutedOffset = offset;
        } else {
            lastOffset = offset;
        }
        lastRatedAt = Math.max(lastRatedAt, producedAt);
        return true;
    }

    /** Distinct items rated. */
    public int size() {
        return n;
    }

    public long movieId(int i) {
        return movieIds[i];
    }

    public float stars(int i) {
        return stars[i];
    }

    public long offset(int i) {
        return offsets[i];
    }

    /** Valid ratings applied, re-ratings included. */
    public int seen() {
        return seen;
    }

    /** The last applied offset of {@code ratings}, or -1. */
    long lastOffset() {
        return lastOffset;
    }

    /** Produce time of the latest rating. */
    long lastRatedAt() {
        return lastRatedAt;
    }

    boolean rated(long movieId) {
        return indexOf(movieId) >= 0;
    }

    private int indexOf(long movieId) {
        for (int i = n - 1; i >= 0; i--) {
            if (movieIds[i] == movieId) {
                return i;
            }
        }
        return -1;
    }

    public byte[] encode() {
        ByteBuffer buf = ByteBuffer.allocate(HEADER + ENTRY * n).order(ByteOrder.LITTLE_ENDIAN);
        buf.put(VERSION).putInt(seen).putLong(lastOffset).putLong(lastReroutedOffset).putLong(lastRatedAt).putInt(n);
        for (int i = 0; i < n; i++) {
            buf.putLong(movieIds[i]).putFloat(stars[i]).putLong(offsets[i]);
        }
        return buf.array();
    }

    /** @throws IllegalStateException when the bytes are not a history (a corrupt store, never user input) */
    public static UserHistory decode(byte[] bytes) {
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < HEADER || buf.get() != VERSION) {
            throw new IllegalStateException("user-ratings store: unknown value layout");
        }
        int seen = buf.getInt();
        long lastOffset = buf.getLong();
        long lastReroutedOffset = buf.getLong();
        long lastRatedAt = buf.getLong();
        int n = buf.getInt();
        if (n < 0 || bytes.length != HEADER + (long) ENTRY * n) {
            throw new IllegalStateException("user-ratings store: value of " + bytes.length + " bytes for " + n + " entries");
        }
        UserHistory h = new UserHistory(Math.max(8, n + 1));
        for (int i = 0; i < n; i++) {
            h.movieIds[i] = buf.getLong();
            h.stars[i] = buf.getFloat();
            h.offsets[i] = buf.getLong();
        }
        h.n = n;
        h.seen = seen;
        h.lastOffset = lastOffset;
        h.lastReroutedOffset = lastReroutedOffset;
        h.lastRatedAt = lastRatedAt;
        return h;
    }
}
