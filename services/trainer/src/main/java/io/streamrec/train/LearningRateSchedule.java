package io.streamrec.train;

/**
 * The learning rate over the stream: constant, stepped down every N events, or reduced when the running
 * evaluation metric stops improving (reduce-on-plateau, as in the notebook's Keras/PyTorch recipe). A listener
 * beside the training loop ({@link OnlineTrainer} attaches it first); the plateau rule hears from the evaluation
 * through {@link #onMetric}.
 */
public final class LearningRateSchedule implements TrainingListener {

    public enum Kind { CONSTANT, STEP, PLATEAU }

    private final Kind kind;
    private final float initial;
    private final long stepEvents;
    private final float factor;
    private final int patience;
    private final float minimum;
    private float current;
    private double best = Double.NEGATIVE_INFINITY;
    private int stale;

    public LearningRateSchedule(TrainerConfig c) {
        this(c.schedule(), c.learningRate(), c.scheduleStepEvents(), c.scheduleFactor(), c.schedulePatience(),
                c.minLearningRate());
    }

    public LearningRateSchedule(Kind kind, float initial, long stepEvents, float factor, int patience, float minimum) {
        if (factor <= 0 || factor > 1) {
            throw new IllegalArgumentException("trainer.lr-factor must be in (0, 1], got " + factor);
        }
        this.kind = kind;
        this.initial = initial;
        this.stepEvents = stepEvents;
        this.factor = factor;
        this.patience = patience;
        this.minimum = minimum;
        this.current = initial;
    }

    public float current() {
        return current;
    }

    @Override
    public void afterStep(Step step) {
        if (kind == Kind.STEP && stepEvents > 0) {
            long events = step.trainer().eventsTrained();
            current = Math.max(minimum, initial * (float) Math.pow(factor, events / stepEvents));
        }
    }

    /** Called when an evaluation window closes, with a metric where higher is better (HR@10, or −RMSE). */
    public void onMetric(double value) {
        if (kind != Kind.PLATEAU || Double.isNaN(value)) {
            return;
        }
        if (value > best) {
            best = value;
            stale = 0;
        } else if (++stale > patience) {
            current = Math.max(minimum, current * factor);
            stale = 0;
        }
    }
}
