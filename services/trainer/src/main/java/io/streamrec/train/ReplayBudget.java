package io.streamrec.train;

/**
 * How much continual training the time allows: a token bucket filled at {@code positivesPerSecond} and drained one
 * replay step at a time. The service feeds it wall-clock time; prequential evaluation feeds it the time a simulated
 * arrival leaves between batches, so both spend the same budget the same way. It holds at most a tenth of a
 * second's budget (and at least a few steps), so time spent on fresh ratings (a backlog) is not paid back later as a
 * burst of replay.
 */
public final class ReplayBudget {
    /** The bucket holds at most this much time's budget ... */
    private static final double MAX_SECONDS = 0.1;
    /** ... and at least this many steps'. */
    private static final int MIN_STEPS = 4;

    private final double perSecond;
    private final int step;
    private final double capacity;
    private double tokens;

    public ReplayBudget(ReplayConfig config) {
        this.perSecond = config.positivesPerSecond();
        this.step = config.batchSize();
        this.capacity = Math.max((double) MIN_STEPS * step, perSecond * MAX_SECONDS);
    }

    /** Adds the budget of this much time. */
    public void elapse(double seconds) {
        if (perSecond > 0 && seconds > 0) {
            tokens = Math.min(capacity, tokens + perSecond * seconds);
        }
    }

    /**
     * Keeps at most this share of the bucket: while replay yields, what it saved before may not be spent at once
     * (at a share of 0, nothing is replayed).
     */
    public void limitTo(double share) {
        tokens = Math.min(tokens, capacity * share);
    }

    /** Whether a whole replay step is paid for. */
    public boolean allowsStep() {
        return perSecond > 0 && tokens >= step;
    }

    /** Takes one step's positives from the bucket. */
    public void spendStep() {
        tokens -= step;
    }

    /** Positives per replay step. */
    public int stepPositives() {
        return step;
    }

    /** Seconds until the next step is paid for (0 when it is), infinite when replay is off. */
    public double secondsToNextStep() {
        return perSecond <= 0 ? Double.POSITIVE_INFINITY : Math.max(0, (step - tokens) / perSecond);
    }
}
