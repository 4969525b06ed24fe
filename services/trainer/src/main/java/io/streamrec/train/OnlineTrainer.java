package io.streamrec.train;

import io.streamrec.train.RatingBatch;

import io.streamrec.sample.NegativeSampler;

import java.util.ArrayList;
import java.util.List;

/**
 * The learner: takes ratings a mini-batch at a time, in event order, and keeps improving the embeddings. One
 * step maps ids to rows (growing the tables), lets listeners test on the batch, records what each user rated,
 * pairs every positive with fresh negatives, and has the engine train on them.
 *
 * <p>Not thread-safe: one thread trains (PyTorch's gradient collector is global per JVM anyway).
 */
public final class OnlineTrainer implements AutoCloseable {
    private final TrainerConfig config;
    private final Engine engine;
    private final Vocabulary users = new Vocabulary();
    private final Vocabulary items = new Vocabulary();
    private final RatedItems rated = new RatedItems();
    private final NegativeSampler sampler;
    private final LearningRateSchedule schedule;
    private final List<TrainingListener> listeners = new ArrayList<>();
    final Samples samples = new Samples();
    private final Step step = new Step(this);
    private long eventsTrained;
    private long samplesTrained;
    private double explicitNegativeCarry;

    public OnlineTrainer(TrainerConfig config, Engine engine) {
        this.config = config;
        this.engine = engine;
        this.sampler = new NegativeSampler(config.popularityNegatives(), config.popularityAlpha(), config.seed());
        this.schedule = new LearningRateSchedule(config);
        listeners.add(schedule);
    }

    public OnlineTrainer addListener(TrainingListener listener) {
        listeners.add(listener);
        return this;
    }

    /** Trains one mini-batch; returns its mean loss. */
    public float train(RatingBatch batch) {
        int n = batch.size();
        step.batch = batch;
        step.usersBefore = users.size();
        step.itemsBefore = items.size();
        if (step.userRows.length < n) {
            step.userRows = new int[Math.max(n, step.userRows.length * 2)];
            step.itemRows = new int[step.userRows.length];
        }
        for (int i = 0; i < n; i++) {
            step.userRows[i] = users.rowOf(batch.userId(i));
            step.itemRows[i] = items.rowOf(batch.movieId(i));
        }
        engine.ensureRows(users.size(), items.size());
        step.loss = Float.NaN;
        step.learningRate = schedule.current();
        for (TrainingListener l : listeners) {
            l.beforeStep(step);
        }

        for (int i = 0; i < n; i++) {
            rated.add(step.userRows[i], step.itemRows[i]);
            users.increment(step.userRows[i]);
            items.increment(step.itemRows[i]);
        }
        pairWithNegatives(batch);
        step.loss = engine.step(samples, step.learningRate);
        eventsTrained += n;
        samplesTrained += samples.size();

        for (TrainingListener l : listeners) {
            l.afterStep(step);
        }
        return step.loss;
    }

    /**
     * Implicit: each positive (target 1) followed by k negatives (target 0). Explicit: each positive with its stars,
     * and on average {@code explicit-negative-ratio} zero-rated negatives per positive.
     */
    private void pairWithNegatives(RatingBatch batch) {
        samples.clear();
        boolean implicit = config.objective() == Objective.IMPLICIT;
        for (int i = 0; i < batch.size(); i++) {
            int u = step.userRows[i];
            samples.add(u, step.itemRows[i], implicit ? 1f : batch.rating(i));
            int k;
            if (implicit) {
                k = config.negatives();
            } else {
                explicitNegativeCarry += config.negativeRatio();
                k = (int) explicitNegativeCarry;
                explicitNegativeCarry -= k;
            }
            for (int j = 0; j < k; j++) {
                int negative = sampler.draw(u, rated, items);
                if (negative >= 0) {
                    samples.add(u, negative, 0f);
                }
            }
        }
    }

    public TrainerConfig config() {
        return config;
    }

    public Engine engine() {
        return engine;
    }

    public Vocabulary users() {
        return users;
    }

    public Vocabulary items() {
        return items;
    }

    public RatedItems rated() {
        return rated;
    }

    public LearningRateSchedule schedule() {
        return schedule;
    }

    public long eventsTrained() {
        return eventsTrained;
    }

    /** Samples (positives and their negatives) trained since this trainer was created. */
    public long samplesTrained() {
        return samplesTrained;
    }

    /** Restores the event count of a resumed model. */
    public void setEventsTrained(long events) {
        this.eventsTrained = events;
    }

    @Override
    public void close() {
        engine.close();
    }
}
