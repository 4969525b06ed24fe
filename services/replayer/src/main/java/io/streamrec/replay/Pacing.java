package io.streamrec.replay;

import io.streamrec.config.Settings;

import java.util.concurrent.locks.LockSupport;

/**
 * How fast the replayer sends: as fast as the producer takes events, at a fixed number of events per second, or
 * in event time sped up by a factor (the gaps between ratings kept, shrunk).
 */
public record Pacing(Mode mode, double value) {

    public enum Mode { MAX, RATE, SPEEDUP }

    /** Waits shorter than this are not worth a sleep: the send loop catches up on its own schedule. */
    private static final long MIN_SLEEP_NANOS = 1_000_000;

    public Pacing {
        if (mode != Mode.MAX && !(value > 0 && Double.isFinite(value))) {
            throw new IllegalArgumentException(mode.name().toLowerCase(java.util.Locale.ROOT)
                    + " must be a positive number, got " + value);
        }
    }

    public static Pacing max() {
        return new Pacing(Mode.MAX, 0);
    }

    public static Pacing rate(double eventsPerSecond) {
        return new Pacing(Mode.RATE, eventsPerSecond);
    }

    public static Pacing speedup(double factor) {
        return new Pacing(Mode.SPEEDUP, factor);
    }

    /** From replay.rate and replay.speedup (0 = unset); both set is an error. */
    public static Pacing fromSettings(Settings settings) {
        double rate = paceSetting(settings, "replay.rate");
        double speedup = paceSetting(settings, "replay.speedup");
        if (rate > 0 && speedup > 0) {
            throw new IllegalArgumentException("replay.rate (" + rate + ") and replay.speedup (" + speedup
                    + ") are both set; pick one way to pace the replay");
        }
        return rate > 0 ? rate(rate) : speedup > 0 ? speedup(speedup) : max();
    }

    /**
     * A rate or speedup setting: 0 (unset) or a positive, finite number. Anything else is refused by name: a negative
     * rate once passed as "unset" and replayed a demo as fast as possible.
     */
    public static double paceSetting(Settings settings, String key) {
        double value = settings.decimal(key);
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(key + " must be 0 (unset) or a positive number, got " + settings.text(key));
        }
        return value;
    }

    /** A clock for one replay, started now. */
    public Pacer start() {
        return new Pacer(this);
    }

    @Override
    public String toString() {
        return switch (mode) {
            case MAX -> "as fast as possible";
            case RATE -> String.format("%,.0f events/s", value);
            case SPEEDUP -> String.format("event time x %,.0f", value);
        };
    }

    /**
     * Holds each event back until its due time: start + index / rate, or start + (event time - first event time)
     * / speed-up. Due times are absolute, so sleeping late never accumulates drift, and a replay that falls behind
     * sends at full speed until it has caught up.
     */
    public static final class Pacer {
        private final Pacing pacing;
        private final long startNanos = System.nanoTime();
        private long firstEventTime = Long.MIN_VALUE;

        private Pacer(Pacing pacing) {
            this.pacing = pacing;
        }

        /** Blocks until event number {@code index} (from 0), of the given event time, is due. */
        public void await(long index, long eventTimeMillis) {
            long dueNanos;
            switch (pacing.mode) {
                case RATE -> dueNanos = startNanos + (long) (index * 1e9 / pacing.value);
                case SPEEDUP -> {
                    if (firstEventTime == Long.MIN_VALUE) {
                        firstEventTime = eventTimeMillis;
                    }
                    dueNanos = startNanos + (long) ((eventTimeMillis - firstEventTime) * 1e6 / pacing.value);
                }
                default -> {
                    return;
                }
            }
            long wait;
            while ((wait = dueNanos - System.nanoTime()) >= MIN_SLEEP_NANOS) {
                LockSupport.parkNanos(wait);
                if (Thread.interrupted()) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("replay interrupted");
                }
            }
        }
    }
}
