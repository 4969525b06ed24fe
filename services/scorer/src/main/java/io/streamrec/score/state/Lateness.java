package io.streamrec.score.state;

import java.time.Duration;

/**
 * Whether the stream threads take ratings late: what a trainer on the same cores yields its replay to (the demo and
 * {@code bench soak} run both in one JVM). Late means a live rating reached a stream thread more than
 * {@code scorer.backlog-wait-ms} after it was produced, well past where the backlog rule starts to queue ratings
 * ({@code scorer.backlog-ms}): a scorer that is merely busy is not behind, one that falls seconds behind is. It
 * counts as behind for {@link #HOLD} after each such rating: a stream thread held up (by a large snapshot, say)
 * takes no ratings to say so.
 */
public final class Lateness {
    /** How long the scorer counts as behind after a late rating, by default. */
    public static final Duration HOLD = Duration.ofSeconds(1);

    private final long lateMs;
    private final long holdNanos;
    private volatile long lastLateAt;

    public Lateness(long lateMs, Duration hold) {
        this.lateMs = lateMs;
        this.holdNanos = hold.toNanos();
        this.lastLateAt = System.nanoTime() - 2 * holdNanos;
    }

    /** A live rating produced at {@code producedAtMs} was taken at {@code takenAtMs} (both wall-clock). */
    public void taken(long producedAtMs, long takenAtMs) {
        if (takenAtMs - producedAtMs > lateMs) {
            lastLateAt = System.nanoTime();
        }
    }

    /** Whether a rating came late within the hold time. */
    public boolean behind() {
        return System.nanoTime() - lastLateAt < holdNanos;
    }
}
