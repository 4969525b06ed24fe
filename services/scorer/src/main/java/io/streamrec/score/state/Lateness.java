package io.streamrec.score.state;

import java.util.concurrent.TimeUnit;

/**
 * Whether the stream threads take ratings late: what a trainer on the same cores yields its replay to (the demo and
 * {@code bench soak} run both in one JVM). Late means a live rating reached a stream thread more than
 * {@code scorer.backlog-wait-ms} after it was produced, well past where the backlog rule starts to queue ratings
 * ({@code scorer.backlog-ms}): a scorer that is merely busy is not behind, one that falls seconds behind is. It
 * counts as behind for a moment after each such rating.
 */
public final class Lateness {
    private static final long HOLD_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final long lateMs;
    private volatile long lastLateAt = System.nanoTime() - 2 * HOLD_NANOS;

    public Lateness(long lateMs) {
        this.lateMs = lateMs;
    }

    /** A live rating produced at {@code producedAtMs} was taken at {@code takenAtMs} (both wall-clock). */
    public void taken(long producedAtMs, long takenAtMs) {
        if (takenAtMs - producedAtMs > lateMs) {
            lastLateAt = System.nanoTime();
        }
    }

    /** Whether a rating came late within the last 100 ms. */
    public boolean behind() {
        return System.nanoTime() - lastLateAt < HOLD_NANOS;
    }
}
