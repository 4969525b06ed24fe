package io.streamrec.evaluate;

import io.streamrec.config.Settings;
import io.streamrec.dataset.RatingLog;
import io.streamrec.dataset.synthetic.SyntheticConfig;
import io.streamrec.dataset.synthetic.SyntheticRatings;
import io.streamrec.train.ModelLayout;
import io.streamrec.train.OnlineTrainer;
import io.streamrec.train.ReplayBudget;
import io.streamrec.train.TrainerConfig;
import io.streamrec.train.arrays.JavaEngine;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Continual training on history, on a stream whose planted tastes change halfway: the same users and items, but
 * after the change every item belongs to another taste topic and every user to another topic. After the change the
 * model that keeps training on what it has seen (newest ratings first) must rank the new tastes better than the
 * model that trains each rating once, measured prequentially as the service would receive the stream.
 */
class ContinualTrainingTest {
    private static final int USERS = 800;
    private static final int ITEMS = 500;
    private static final int HALF = 40_000;

    @Test
    void replayLearnsChangedTastesFasterThanOnePass() {
        RatingLog log = tastesChangeHalfway();
        Settings settings = Settings.defaults().with("trainer.dim", 32).with("evaluate.sample-rate", 0.5)
                .with("evaluate.full-ranking-rate", 0.0).with("evaluate.window", 2_000);
        double withReplay = hitRateAfterTheChange(log, settings);
        double onePass = hitRateAfterTheChange(log, settings.with("trainer.replay.positives-per-second", 0));
        assertThat(withReplay).as("HR@10 after the change: with replay %s, one pass %s", withReplay, onePass)
                .isGreaterThan(onePass + 0.03);
    }

    /** Mean HR@10 of the windows that end after the change, the first window after it excluded. */
    private static double hitRateAfterTheChange(RatingLog log, Settings settings) {
        TrainerConfig config = TrainerConfig.from(settings);
        EvaluationConfig evaluation = EvaluationConfig.from(settings);
        PrequentialEvaluator evaluator = new PrequentialEvaluator(evaluation, config.seed());
        try (OnlineTrainer trainer = new OnlineTrainer(config, new JavaEngine(new ModelLayout(config)))) {
            trainer.addListener(evaluator);
            new SimulatedService(evaluation.rate(), config.batchMaxWaitMs(), new ReplayBudget(config.replay()))
                    .run(log, trainer);
        }
        return evaluator.curve().stream().filter(p -> p.events() > HALF + 2 * evaluation.window())
                .mapToDouble(CurvePoint::hitRate).average().orElseThrow();
    }

    /** Two planted streams of the same users and items, one after the other, with different tastes. */
    private static RatingLog tastesChangeHalfway() {
        RatingLog before = new SyntheticRatings(SyntheticConfig.of(USERS, ITEMS, HALF, 1)).log();
        RatingLog after = new SyntheticRatings(SyntheticConfig.of(USERS, ITEMS, HALF, 2)).log();
        long shift = before.timestamp(before.size() - 1) - after.timestamp(0) + 1;
        RatingLog.Builder b = RatingLog.builder(2 * HALF);
        for (int i = 0; i < before.size(); i++) {
            b.add(before.userId(i), before.movieId(i), before.rating(i), before.timestamp(i));
        }
        for (int i = 0; i < after.size(); i++) {
            b.add(after.userId(i), after.movieId(i), after.rating(i), after.timestamp(i) + shift);
        }
        return b.build();
    }
}
