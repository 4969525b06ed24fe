package io.streamrec.train;

import io.streamrec.train.RatingBatch;

import io.streamrec.sample.NegativeSampler;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The learner: takes ratings a mini-batch at a time, in event order, and keeps improving the embeddings. One
 * step maps ids to rows (growing the tables), lets listeners test on the batch, records what each user rated,
 * pairs every positive with fresh negatives, and has the engine train on them.
 *
 * <p>Between fresh batches it can keep training on what it has seen ({@link #replay}): past ratings drawn from its
 * {@link ReplayMemory}, each with fresh negatives. Replay is training, not events: it counts no ratings, records
 * no rated items and moves no popularity counts.
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
    private final ReplayMemory memory;
    private final SplittableRandom replayRandom;
    final Samples samples = new Samples();
    private final Step step = new Step(this);
    private long eventsTrained;
    private long samplesTrained;
    private long positivesReplayed;
    private double explicitNegativeCarry;

    public OnlineTrainer(TrainerConfig config, Engine engine) {
        this.config = config;
        this.engine = engine;
        this.sampler = new NegativeSampler(config.popularityNegatives(), config.popularityAlpha(), config.seed());
        this.schedule = new LearningRateSchedule(config);
        this.memory = new ReplayMemory(config.replay().recentCapacity(), config.replay().historyCapacity(), config.seed());
        this.replayRandom = new SplittableRandom(config.seed() ^ 0x2545F4914F6CDD1DL);
        listeners.add(schedule);
    }

    public OnlineTrainer addListener(TrainingListener listener) {
        listeners.add(listener);
        return this;
    }

    /** Trains one mini-batch of fresh ratings; returns its mean loss. */
    public float train(RatingBatch batch) {
        int n = batch.size();
        step.batch = batch;
        step.size = n;
        step.usersBefore = users.size();
        step.itemsBefore = items.size();
        step.grow(n);
        for (int i = 0; i < n; i++) {
            step.userRows[i] = users.rowOf(batch.userId(i));
            step.itemRows[i] = items.rowOf(batch.movieId(i));
        }
        engine.ensureRows(users.size(), items.size());
        if (eventsTrained == 0 && config.objective() == Objective.EXPLICIT) {
            startAtTheMean(batch);
        }
        step.loss = Float.NaN;
        step.learningRate = schedule.current();
        for (TrainingListener l : listeners) {
            l.beforeStep(step);
        }

        for (int i = 0; i < n; i++) {
            rated.add(step.userRows[i], step.itemRows[i]);
            users.increment(step.userRows[i]);
            items.increment(step.itemRows[i]);
            memory.add(step.userRows[i], step.itemRows[i], batch.rating(i));
        }
        // Negatives after every rating of the batch is recorded: never an item the user rates in this batch.
        samples.clear();
        for (int i = 0; i < n; i++) {
            addWithNegatives(step.userRows[i], step.itemRows[i], batch.rating(i));
        }
        step.loss = engine.step(samples, step.learningRate);
        eventsTrained += n;
        samplesTrained += samples.size();

        for (TrainingListener l : listeners) {
            l.afterStep(step);
        }
        return step.loss;
    }

    /**
     * An explicit model's first prediction is the mean of the first ratings it sees, not the middle of the rating
     * range: the output bias starts at the score whose prediction is that mean (the other parameters start near 0).
     */
    private void startAtTheMean(RatingBatch batch) {
        double sum = 0;
        for (int i = 0; i < batch.size(); i++) {
            sum += batch.rating(i);
        }
        double p = (sum / batch.size() - config.ratingMin()) / (config.ratingMax() - config.ratingMin());
        p = Math.min(0.99, Math.max(0.01, p));
        Map<String, DenseTensor> dense = engine.exportDense();
        dense.get(engine.layout().outputBias()).values()[0] = (float) Math.log(p / (1 - p));
        engine.importDense(dense);
    }

    /**
     * Trains one step on {@code positives} past ratings drawn from the replay memory, each with fresh negatives
     * (listeners see a step whose {@link Step#replay()} is true and whose {@link Step#batch()} is null). Returns
     * its mean loss, NaN when nothing has been trained yet.
     */
    public float replay(int positives) {
        if (memory.isEmpty()) {
            return Float.NaN;
        }
        step.batch = null;
        step.size = positives;
        step.usersBefore = users.size();
        step.itemsBefore = items.size();
        step.grow(positives);
        step.loss = Float.NaN;
        step.learningRate = schedule.current();
        ReplayConfig c = config.replay();
        samples.clear();
        for (int j = 0; j < positives; j++) {
            int at = memory.draw(replayRandom, c.recentShare(), c.recentMeanAge());
            step.userRows[j] = memory.user(at);
            step.itemRows[j] = memory.item(at);
            addWithNegatives(step.userRows[j], step.itemRows[j], memory.stars(at));
        }
        for (TrainingListener l : listeners) {
            l.beforeStep(step);
        }
        step.loss = engine.step(samples, step.learningRate);
        samplesTrained += samples.size();
        positivesReplayed += positives;
        for (TrainingListener l : listeners) {
            l.afterStep(step);
        }
        return step.loss;
    }

    /**
     * Implicit: the positive (target 1) followed by k negatives (target 0). Explicit: the positive with its stars,
     * and on average {@code explicit-negative-ratio} zero-rated negatives per positive.
     */
    private void addWithNegatives(int u, int item, float stars) {
        boolean implicit = config.objective() == Objective.IMPLICIT;
        samples.add(u, item, implicit ? 1f : stars);
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

    /** Past positives trained again by {@link #replay} since this trainer was created. */
    public long positivesReplayed() {
        return positivesReplayed;
    }

    /** What the trainer remembers for replay; a resumed trainer refills it from the ratings it restores. */
    public ReplayMemory memory() {
        return memory;
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
