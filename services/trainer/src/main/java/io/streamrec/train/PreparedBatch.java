package io.streamrec.train;

import io.streamrec.dataset.RatingBatch;

/**
 * A batch of fresh ratings made ready to train by {@link OnlineTrainer#prepare}: its ids mapped to rows, what each
 * user rated recorded, every positive paired with fresh negatives. Everything but training, so a service can do it
 * on its consuming thread while the training thread trains the batch before. Reusable.
 */
public final class PreparedBatch {
    RatingBatch ratings;
    int[] userRows = new int[0];
    int[] itemRows = new int[0];
    /** Each positive's stars (what it trains toward when explicit), its count of negatives, and the negatives. */
    float[] stars = new float[0];
    int[] negativeCounts = new int[0];
    int[] negatives = new int[0];
    /** Rows known before this batch (a higher row is new in it) and after it (what the tables must hold). */
    int usersBefore;
    int itemsBefore;
    int usersAfter;
    int itemsAfter;
    final Samples samples = new Samples();

    public int size() {
        return ratings == null ? 0 : ratings.size();
    }

    void grow(int n) {
        if (userRows.length < n) {
            userRows = new int[Math.max(n, userRows.length * 2)];
            itemRows = new int[userRows.length];
            stars = new float[userRows.length];
            negativeCounts = new int[userRows.length];
        }
    }

    int[] negatives(int total) {
        if (negatives.length < total) {
            negatives = new int[Math.max(total, negatives.length * 2)];
        }
        return negatives;
    }
}
