package io.streamrec.evaluate;

import io.streamrec.dataset.RatingLog;
import io.streamrec.train.Objective;
import io.streamrec.train.OnlineTrainer;
import io.streamrec.train.TrainerConfig;

import java.util.SplittableRandom;

/**
 * Explicit-rating accuracy on a random split (the notebook's 80/20): train on the rest in time order, then
 * predict the held-out stars. The global mean of the training ratings is the baseline in the same run.
 */
public final class RandomSplit {
    private RandomSplit() {
    }

    public static Result run(RatingLog log, OnlineTrainer trainer, EvaluationConfig config) {
        TrainerConfig c = trainer.config();
        if (c.objective() != Objective.EXPLICIT) {
            throw new IllegalArgumentException("the random-split protocol measures rating error: run it with trainer.objective=explicit");
        }
        SplittableRandom random = new SplittableRandom(c.seed() ^ 0x510E527FADE682D1L);
        boolean[] test = new boolean[log.size()];
        int testSize = 0;
        for (int i = 0; i < log.size(); i++) {
            test[i] = random.nextDouble() < config.testFraction();
            testSize += test[i] ? 1 : 0;
        }
        int[] train = new int[log.size() - testSize];
        int n = 0;
        double sum = 0;
        for (int i = 0; i < log.size(); i++) {
            if (!test[i]) {
                train[n++] = i;
                sum += log.rating(i);
            }
        }
        double mean = sum / Math.max(1, n);

        TrainingPasses.registerAll(trainer, log);
        long start = System.nanoTime();
        TrainingPasses.train(trainer, log, train, n, config.passes(), config.shuffle(), c.seed());
        double trainSeconds = (System.nanoTime() - start) / 1e9;
        ServingRoundTrip.apply(trainer, config.servingPrecision());

        int[] users = new int[testSize];
        int[] items = new int[testSize];
        float[] truth = new float[testSize];
        int t = 0;
        for (int i = 0; i < log.size(); i++) {
            if (test[i]) {
                users[t] = trainer.users().find(log.userId(i));
                items[t] = trainer.items().find(log.movieId(i));
                truth[t++] = log.rating(i);
            }
        }
        float[] scores = new float[testSize];
        trainer.engine().score(users, items, testSize, scores);
        double se = 0, ae = 0, baseline = 0;
        for (int j = 0; j < testSize; j++) {
            double e = Objective.EXPLICIT.predict(scores[j], c.ratingMin(), c.ratingMax()) - truth[j];
            se += e * e;
            ae += Math.abs(e);
            baseline += (mean - truth[j]) * (mean - truth[j]);
        }
        return new Result(testSize, n, Math.sqrt(se / testSize), ae / testSize, Math.sqrt(baseline / testSize),
                trainSeconds);
    }

    public record Result(long testRatings, long trainRatings, double rmse, double mae, double globalMeanRmse,
                         double trainSeconds) {
    }
}
