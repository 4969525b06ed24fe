package io.streamrec.evaluate;

import io.streamrec.dataset.RatingLog;
import io.streamrec.train.OnlineTrainer;
import io.streamrec.dataset.RatingBatch;
import io.streamrec.train.ReplayBudget;

/**
 * Plays a rating log to a trainer the way the streaming service receives it, on a simulated clock, so prequential
 * evaluation measures what the service delivers: rating i arrives at i / rate seconds; a batch is cut at
 * {@code trainer.batch-size} ratings or {@code trainer.batch-max-wait-ms} after its first one, as the service's
 * intake cuts it; and the time from one batch to the next pays for the replay the service would do meanwhile
 * ({@link ReplayBudget}, the same class the service spends), trained before the next batch. Deterministic for a
 * seed: nothing depends on how fast this machine is.
 */
final class SimulatedService {
    private final double rate;
    private final double maxWaitSeconds;
    private final ReplayBudget budget;

    /**
     * @param rate      ratings a second; 0 delivers everything at once, in full batches, leaving no time for replay
     * @param maxWaitMs the service's {@code trainer.batch-max-wait-ms}
     */
    SimulatedService(double rate, long maxWaitMs, ReplayBudget budget) {
        this.rate = rate;
        this.maxWaitSeconds = maxWaitMs / 1000.0;
        this.budget = budget;
    }

    /** Trains the whole log; returns the batches trained. */
    long run(RatingLog log, OnlineTrainer trainer) {
        int batchSize = trainer.config().batchSize();
        RatingBatch batch = new RatingBatch(batchSize);
        double handedOver = 0;
        long batches = 0;
        int i = 0;
        while (i < log.size()) {
            double deadline = arrival(i) + maxWaitSeconds;
            batch.clear();
            while (i < log.size() && batch.size() < batchSize && (batch.size() == 0 || arrival(i) <= deadline)) {
                batch.add(log.userId(i), log.movieId(i), log.rating(i), log.timestamp(i));
                i++;
            }
            // Handed to training when full (its last rating's arrival) or at its deadline.
            double now = rate <= 0 ? 0 : batch.size() == batchSize ? arrival(i - 1) : deadline;
            budget.elapse(now - handedOver);
            while (budget.allowsStep()) {
                trainer.replay(budget.stepPositives());
                budget.spendStep();
            }
            handedOver = now;
            trainer.train(batch);
            batches++;
        }
        return batches;
    }

    private double arrival(int i) {
        return rate <= 0 ? 0 : i / rate;
    }
}
