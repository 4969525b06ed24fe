package io.streamrec.train;

import io.streamrec.dataset.RatingBatch;

/**
 * What listeners see of one training step, fresh ({@link OnlineTrainer#train}) or a replay
 * ({@link OnlineTrainer#replay}). Arrays are the trainer's reusable buffers: valid during the callback,
 * indices below {@link #size()} (rows) or {@link Samples#size()} (samples).
 */
public final class Step {
    final OnlineTrainer trainer;
    RatingBatch batch;
    int size;
    int[] userRows = new int[0];
    int[] itemRows = new int[0];
    int usersBefore;
    int itemsBefore;
    Samples samples;
    float loss = Float.NaN;
    float learningRate;

    Step(OnlineTrainer trainer) {
        this.trainer = trainer;
    }

    public OnlineTrainer trainer() {
        return trainer;
    }

    /** The fresh ratings of this step; null for a replay step. */
    public RatingBatch batch() {
        return batch;
    }

    /** Whether this step trains past ratings again ({@link OnlineTrainer#replay}) rather than fresh ones. */
    public boolean replay() {
        return batch == null;
    }

    /** Positives of the step: fresh ratings, or replayed ones. */
    public int size() {
        return size;
    }

    /** Points the step at a prepared batch of fresh ratings. */
    void fresh(PreparedBatch p) {
        batch = p.ratings;
        size = p.size();
        userRows = p.userRows;
        itemRows = p.itemRows;
        usersBefore = p.usersBefore;
        itemsBefore = p.itemsBefore;
        samples = p.samples;
    }

    /** The user row of the batch's i-th rating. */
    public int userRow(int i) {
        return userRows[i];
    }

    public int itemRow(int i) {
        return itemRows[i];
    }

    /** Whether the i-th rating's user had no row before this batch (cold start). */
    public boolean newUser(int i) {
        return userRows[i] >= usersBefore;
    }

    public boolean newItem(int i) {
        return itemRows[i] >= itemsBefore;
    }

    /** Items known before this batch: candidates for ranking its positives. */
    public int itemsBefore() {
        return itemsBefore;
    }

    /** The positives with their fresh negatives, as trained (valid in afterStep). */
    public Samples samples() {
        return samples;
    }

    /** Mean loss of the step (afterStep only). */
    public float loss() {
        return loss;
    }

    public float learningRate() {
        return learningRate;
    }
}
