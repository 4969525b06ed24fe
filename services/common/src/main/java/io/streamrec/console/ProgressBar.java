package io.streamrec.console;

import java.io.PrintStream;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A one-line progress display redrawn in place four times a second by its own daemon thread: count, rate over the
 * last redraw interval, and, when the total is known, a bar, percent and ETA. The worker only publishes a
 * counter, so it pays one ordered store per event and no formatting.
 */
public final class ProgressBar implements AutoCloseable {
    private static final int WIDTH = 30;
    private final String label;
    private final String unit;
    private final long total;
    private final PrintStream out;
    private final AtomicLong done = new AtomicLong();
    private final long startNanos = System.nanoTime();
    private final ScheduledExecutorService redraw;
    private long lastDone;
    private long lastNanos = startNanos;
    private double smoothedRate = -1;

    private ProgressBar(String label, String unit, long total, PrintStream out, boolean enabled) {
        this.label = label;
        this.unit = unit;
        this.total = total;
        this.out = out;
        if (enabled) {
            redraw = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "progress-" + label);
                t.setDaemon(true);
                return t;
            });
            redraw.scheduleAtFixedRate(() -> draw(false), 250, 250, TimeUnit.MILLISECONDS);
        } else {
            redraw = null;
        }
    }

    /**
     * Starts a bar, or a silent one when disabled.
     *
     * @param total the count at completion, or -1 when unknown (no bar, percent or ETA then)
     */
    public static ProgressBar start(String label, String unit, long total, PrintStream out, boolean enabled) {
        return new ProgressBar(label, unit, total, out, enabled);
    }

    /**
     * Whether a progress bar can be drawn: a terminal must be attached. Java has no isatty for stderr;
     * {@code System.console()} is non-null only when stdin and stdout are a terminal, which is what an interactive
     * run looks like, and it is null under a pipe, a redirect, Maven or a CI runner, where \r-redrawn lines only
     * garble logs.
     */
    public static boolean terminalAttached() {
        return System.console() != null && !"dumb".equals(System.getenv("TERM"));
    }

    public void set(long count) {
        done.setRelease(count);
    }

    /** Redraws the line: the recent rate while running, the average over the whole run at the end. */
    private synchronized void draw(boolean last) {
        long now = System.nanoTime();
        long n = done.getAcquire();
        double rate = (n - lastDone) * 1e9 / Math.max(1, now - lastNanos);
        smoothedRate = smoothedRate < 0 ? rate : 0.5 * smoothedRate + 0.5 * rate;
        lastDone = n;
        lastNanos = now;
        double overall = n * 1e9 / Math.max(1, now - startNanos);
        StringBuilder sb = new StringBuilder("\r").append(label).append(' ');
        if (total > 0) {
            int filled = (int) Math.min(WIDTH, WIDTH * n / total);
            sb.append('[').append("#".repeat(filled)).append(".".repeat(WIDTH - filled)).append("] ")
                    .append(String.format("%5.1f%%  %,d/%,d", 100.0 * n / total, n, total));
        } else {
            sb.append(String.format("%,d", n));
        }
        sb.append(String.format("  %,.0f %s/s", last ? overall : smoothedRate, unit));
        if (total > 0 && overall > 0 && n < total) {
            long eta = (long) ((total - n) / overall);
            sb.append(String.format("  ETA %d:%02d:%02d", eta / 3600, eta / 60 % 60, eta % 60));
        }
        sb.append("   ");
        out.print(sb);
        out.flush();
    }

    /** Draws the final state and ends the line. */
    @Override
    public void close() {
        if (redraw != null) {
            redraw.shutdownNow();
            try {
                redraw.awaitTermination(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            draw(true);
            out.println();
        }
    }
}
