package io.streamrec.evaluate;

import io.streamrec.dataset.RatingLog;
import io.streamrec.train.OnlineTrainer;
import io.streamrec.dataset.RatingBatch;

import java.util.SplittableRandom;

/** Feeds chosen ratings of a log to a trainer, pass after pass, in mini-batches. */
final class TrainingPasses {
    private TrainingPasses() {
    }

    /**
     * Trains on {@code log[indices[0..n)]}: the first pass in the given (time) order; later passes in the same
     * order, or in a fresh random order when {@code shuffle}. Negatives are drawn afresh in every pass.
     */
    static void train(OnlineTrainer trainer, RatingLog log, int[] indices, int n, int passes, boolean shuffle,
                      long seed) {
        SplittableRandom random = new SplittableRandom(seed ^ 0x3C6EF372FE94F82BL);
        int batchSize = trainer.config().batchSize();
        RatingBatch batch = new RatingBatch(batchSize);
        int[] order = java.util.Arrays.copyOf(indices, n);
        for (int pass = 0; pass < passes; pass++) {
            if (pass > 0 && shuffle) {
                for (int i = n - 1; i > 0; i--) {
                    int j = random.nextInt(i + 1);
                    int t = order[i];
                    order[i] = order[j];
                    order[j] = t;
                }
            }
            for (int from = 0; from < n; from += batchSize) {
                batch.clear();
                int to = Math.min(n, from + batchSize);
                for (int k = from; k < to; k++) {
                    int i = order[k];
                    batch.add(log.userId(i), log.movieId(i), log.rating(i), log.timestamp(i));
                }
                trainer.train(batch);
            }
        }
    }

    /** Gives every user and item of the log a row up front, so items never trained on can still be ranked. */
    static void registerAll(OnlineTrainer trainer, RatingLog log) {
        for (int i = 0; i < log.size(); i++) {
            trainer.users().rowOf(log.userId(i));
            trainer.items().rowOf(log.movieId(i));
        }
        trainer.ensureRows(trainer.users().size(), trainer.items().size());
    }
}
