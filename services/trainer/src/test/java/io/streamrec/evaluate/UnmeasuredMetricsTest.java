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
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A learning curve says "not measured" where too few positives were ranked against the whole catalogue, as in the
 * running service (one in 10,000): an empty CSV cell, never a 0 that reads as a model that finds nothing.
 */
class UnmeasuredMetricsTest {

    @Test
    void fullCatalogueRecallIsEmptyWhereTooFewWereRankedAndANumberWhereEnoughWere(@TempDir Path dir) throws Exception {
        RatingLog log = new SyntheticRatings(SyntheticConfig.of(400, 300, 30_000, 7)).log();
        Settings settings = Settings.defaults().with("trainer.dim", 16).with("evaluate.window", 5_000)
                .with("evaluate.rate", 0);

        List<CurvePoint> sparse = curve(log, settings.with("evaluate.full-ranking-rate", 0.0001));
        assertThat(sparse).isNotEmpty().allSatisfy(p -> {
            assertThat(p.fullRecall()).isNaN();
            assertThat(p.hitRate()).isBetween(0.0, 1.0);
        });
        Path csv = dir.resolve("curve.csv");
        LearningCurve.writeCsv(sparse, csv);
        assertThat(Files.readAllLines(csv).subList(1, sparse.size() + 1))
                .allSatisfy(row -> assertThat(row.split(",", -1)[5]).as(row).isEmpty());

        List<CurvePoint> dense = curve(log, settings.with("evaluate.full-ranking-rate", 0.05));
        assertThat(dense.get(dense.size() - 1).fullRecall()).isBetween(0.0, 1.0);
    }

    private static List<CurvePoint> curve(RatingLog log, Settings settings) {
        TrainerConfig config = TrainerConfig.from(settings);
        EvaluationConfig evaluation = EvaluationConfig.from(settings);
        PrequentialEvaluator evaluator = new PrequentialEvaluator(evaluation, config.seed());
        try (OnlineTrainer trainer = new OnlineTrainer(config, new JavaEngine(new ModelLayout(config)))) {
            trainer.addListener(evaluator);
            new SimulatedService(evaluation.rate(), config.batchMaxWaitMs(), new ReplayBudget(config.replay()))
                    .run(log, trainer);
        }
        return evaluator.curve();
    }
}
