package io.streamrec.train;

import io.streamrec.dataset.RatingBatch;
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
    /** Negatives of fresh batches, drawn where batches are prepared; replay draws its own on the training thread. */
    private final NegativeSampler freshNegatives;
    private final NegativeSampler replayNegatives;
    private final LearningRateSchedule schedule;
    private final List<TrainingListener> listeners = new ArrayList<>();
    private final ReplayMemory memory;
    private final SplittableRandom replayRandom;
    /** The batch {@link #train(RatingBatch)} prepares, and the one replay steps fill. */
    private final PreparedBatch prepared = new PreparedBatch();
    private final PreparedBatch replayed = new PreparedBatch();
    private final Step step = new Step(this);
    private long eventsTrained;
    /**
     * Rows the engine holds (of the batches trained or restored so far): replay, on the training thread, draws only these,
     * while the intake may already have added users and items of batches still waiting.
     */
    private int trainedUserRows;
    private int trainedItemRows;
    private long samplesTrained;
    private long positivesReplayed;

    public OnlineTrainer(TrainerConfig config, Engine engine) {
        this.config = config;
        this.engine = engine;
        this.freshNegatives = new NegativeSampler(config.popularityNegatives(), config.popularityAlpha(),
                config.negativePool(), config.seed());
        this.replayNegatives = new NegativeSampler(config.popularityNegatives(), config.popularityAlpha(),
                config.negativePool(), config.seed() ^ 0x3C6EF372FE94F82BL);
        this.schedule = new LearningRateSchedule(config);
        this.memory = new ReplayMemory(config.replay().recentCapacity(), config.replay().historyCapacity(), config.seed());
        this.replayRandom = new SplittableRandom(config.seed() ^ 0x2545F4914F6CDD1DL);
        listeners.add(schedule);
    }

    public OnlineTrainer addListener(TrainingListener listener) {
        listeners.add(listener);
        return this;
    }

    /** Prepares and trains one mini-batch of fresh ratings; returns its mean loss. */
    public float train(RatingBatch batch) {
        return train(prepare(batch, prepared));
    }

    /**
     * Everything a fresh batch needs before training: ids mapped to rows, what each user rated recorded, every
     * positive paired with fresh negatives (drawn after the whole batch is recorded: never an item the user rates in
     * this batch). A service calls this on its consuming thread ahead of training: that thread is then the only one
     * that writes the vocabularies' ids and the rated items, which the training thread only reads (a stale read
     * there costs at most a replayed negative the user has just rated). Counts of ratings move only when the batch
     * is trained, so they always match what the model has learnt.
     */
    public PreparedBatch prepare(RatingBatch batch, PreparedBatch into) {
        int n = batch.size();
        into.ratings = batch;
        into.usersBefore = users.size();
        into.itemsBefore = items.size();
        into.grow(n);
        for (int i = 0; i < n; i++) {
            into.userRows[i] = users.rowOf(batch.userId(i));
            into.itemRows[i] = items.rowOf(batch.movieId(i));
            into.stars[i] = batch.rating(i);
        }
        // Apart from the id lookups: each loop's random reads then overlap from one rating to the next (bench train's
        // whole path minus its step, three runs alternating: 0.36-0.42 µs a positive against 0.45-0.59).
        for (int i = 0; i < n; i++) {
            rated.add(into.userRows[i], into.itemRows[i]);
        }
        into.usersAfter = users.size();
        into.itemsAfter = items.size();
        freshNegatives.newBatch(into.itemsAfter);
        pairWithNegatives(into, n, freshNegatives, into.itemsAfter);
        return into;
    }

    /** Trains a prepared batch of fresh ratings, in the order they were prepared; returns its mean loss. */
    public float train(PreparedBatch batch) {
        step.fresh(batch);
        ensureRows(batch.usersAfter, batch.itemsAfter);
        if (eventsTrained == 0 && config.objective() == Objective.EXPLICIT) {
            startAtTheMean(batch.ratings);
        }
        step.loss = Float.NaN;
        step.learningRate = schedule.current();
        for (TrainingListener l : listeners) {
            l.beforeStep(step);
        }
        int n = batch.size();
        for (int i = 0; i < n; i++) {
            users.increment(batch.userRows[i]);
            items.increment(batch.itemRows[i]);
            memory.add(batch.userRows[i], batch.itemRows[i], batch.ratings.rating(i));
        }
        step.loss = engine.step(batch.samples, step.learningRate);
        eventsTrained += n;
        samplesTrained += batch.samples.size();
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
        replayed.ratings = null;
        replayed.usersBefore = trainedUserRows;
        replayed.itemsBefore = trainedItemRows;
        replayed.grow(positives);
        ReplayConfig c = config.replay();
        for (int j = 0; j < positives; j++) {
            int at = memory.draw(replayRandom, c.recentShare(), c.recentMeanAge());
            replayed.userRows[j] = memory.user(at);
            replayed.itemRows[j] = memory.item(at);
            replayed.stars[j] = memory.stars(at);
        }
        replayNegatives.newBatch(trainedItemRows);
        pairWithNegatives(replayed, positives, replayNegatives, trainedItemRows);
        step.fresh(replayed);
        step.size = positives;
        step.loss = Float.NaN;
        step.learningRate = schedule.current();
        for (TrainingListener l : listeners) {
            l.beforeStep(step);
        }
        step.loss = engine.step(replayed.samples, step.learningRate);
        samplesTrained += replayed.samples.size();
        positivesReplayed += positives;
        for (TrainingListener l : listeners) {
            l.afterStep(step);
        }
        return step.loss;
    }

    /**
     * Gives the engine rows for the first {@code userRows} users and {@code itemRows} items (of the vocabularies),
     * which replay may then draw. Call on the training thread.
     */
    public void ensureRows(int userRows, int itemRows) {
        engine.ensureRows(userRows, itemRows);
        trainedUserRows = Math.max(trainedUserRows, userRows);
        trainedItemRows = Math.max(trainedItemRows, itemRows);
    }

    /**
     * The batch's first n positives, each followed by its negatives, drawn from item rows [0, itemRows). Implicit: the
     * positive (target 1) and k negatives (target 0). Explicit: the positive with its stars, and on average
     * {@code explicit-negative-ratio} zero-rated negatives per positive.
     */
    private void pairWithNegatives(PreparedBatch b, int n, NegativeSampler sampler, int itemRows) {
        boolean implicit = config.objective() == Objective.IMPLICIT;
        int total = 0;
        for (int p = 0; p < n; p++) {
            b.negativeCounts[p] = implicit ? config.negatives() : sampler.howMany(config.negativeRatio());
            total += b.negativeCounts[p];
        }
        int[] negatives = b.negatives(total);
        sampler.drawAll(b.userRows, b.negativeCounts, n, rated, items, itemRows, negatives);
        Samples samples = b.samples;
        samples.clear();
        int at = 0;
        for (int p = 0; p < n; p++) {
            int u = b.userRows[p];
            samples.add(u, b.itemRows[p], implicit ? 1f : b.stars[p]);
            for (int end = at + b.negativeCounts[p]; at < end; at++) {
                if (negatives[at] >= 0) {
                    samples.add(u, negatives[at], 0f);
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
