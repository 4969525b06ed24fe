package io.streamrec.snapshot;

import io.streamrec.train.Samples;
import io.streamrec.train.Step;
import io.streamrec.train.TrainingListener;

/**
 * Remembers which rows the steps since the last drain updated: the users of the positives and every item a sample
 * touched, negatives included (their rows move too), replayed or fresh. Serving snapshots and checkpoints each keep
 * one: a checkpoint writes exactly the rows changed since the previous checkpoint, and a serving snapshot chooses
 * among those changed since the previous serving snapshot ({@link ServedRows}), so the cost grows with what
 * changed, not with the model.
 */
public final class ChangedRows implements TrainingListener {
    private final RowSet users = new RowSet();
    private final RowSet items = new RowSet();

    @Override
    public void afterStep(Step step) {
        Samples s = step.samples();
        int[] u = s.users();
        int[] i = s.items();
        for (int j = 0; j < s.size(); j++) {
            users.mark(u[j]);
            items.mark(i[j]);
        }
    }

    /** The changed user rows since the last drain, in first-change order; clears them. */
    public int[] drainUsers() {
        return users.drain();
    }

    public int[] drainItems() {
        return items.drain();
    }

    public int pendingUsers() {
        return users.size();
    }

    public int pendingItems() {
        return items.size();
    }
}
