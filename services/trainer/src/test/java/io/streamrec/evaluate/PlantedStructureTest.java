package io.streamrec.evaluate;

import io.streamrec.config.Settings;
import io.streamrec.dataset.RatingBatch;
import io.streamrec.dataset.RatingLog;
import io.streamrec.dataset.synthetic.SyntheticConfig;
import io.streamrec.dataset.synthetic.SyntheticRatings;
import io.streamrec.train.ModelLayout;
import io.streamrec.train.OnlineTrainer;
import io.streamrec.train.TrainerConfig;
import io.streamrec.train.arrays.JavaEngine;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The default model recovers the taste topics planted in a synthetic stream, far above popularity. */
class PlantedStructureTest {

    @Test
    void defaultModelRecoversPlantedTasteWellAbovePopularity() {
        RatingLog log = new SyntheticRatings(SyntheticConfig.of(1_500, 600, 60_000, 3)).log();
        Settings settings = Settings.defaults().with("evaluate.passes", 5).with("trainer.dim", 32);
        TrainerConfig config = TrainerConfig.from(settings);
        EvaluationConfig evaluation = EvaluationConfig.from(settings);
        try (OnlineTrainer trainer = new OnlineTrainer(config, new JavaEngine(new ModelLayout(config)))) {
            LeaveLatestOut.Result r = LeaveLatestOut.run(log, trainer, evaluation, 500);
            assertThat(r.users()).isGreaterThan(1_000);
            assertThat(r.hitRate()).as("HR@10 %s vs popularity %s", r.hitRate(), r.popularityHitRate())
                    .isGreaterThan(r.popularityHitRate() + 0.25);
            assertThat(r.ndcg()).isGreaterThan(r.popularityNdcg() + 0.15);
            assertThat(r.fullRecall()).isGreaterThan(0.1);
        }
    }

    @Test
    void prequentialModelOvertakesPopularityOnThePlantedStream() {
        RatingLog log = new SyntheticRatings(SyntheticConfig.of(1_500, 600, 60_000, 4)).log();
        Settings settings = Settings.defaults().with("trainer.dim", 32).with("trainer.batch-size", 512);
        TrainerConfig config = TrainerConfig.from(settings);
        PrequentialEvaluator evaluator = new PrequentialEvaluator(EvaluationConfig.from(settings), config.seed());
        try (OnlineTrainer trainer = new OnlineTrainer(config, new JavaEngine(new ModelLayout(config)))) {
            trainer.addListener(evaluator);
            RatingBatch batch = new RatingBatch(512);
            for (int from = 0; from < log.size(); from += 512) {
                trainer.train(batch.fill(log, from, Math.min(log.size(), from + 512)));
            }
        }
        CurvePoint last = evaluator.curve().get(evaluator.curve().size() - 1);
        assertThat(last.hitRate()).as("last window: model %s vs popularity %s", last.hitRate(), last.popularityHitRate())
                .isGreaterThan(last.popularityHitRate() + 0.15);
        assertThat(evaluator.summary().ranked()).isGreaterThan(50_000);
    }
}
