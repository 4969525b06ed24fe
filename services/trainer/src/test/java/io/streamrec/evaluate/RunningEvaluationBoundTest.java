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

import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The running service's bound on prequential rankings a second thins both samples; the {@code evaluate} protocols
 * have no bound and never read the clock, so their results depend on the seed alone.
 */
class RunningEvaluationBoundTest {

    @Test
    void aBoundedEvaluatorThinsBothSamplesAndAnUnboundedOneNeverReadsTheClock() {
        RatingLog log = new SyntheticRatings(SyntheticConfig.of(400, 300, 30_000, 7)).log();
        Settings settings = Settings.defaults().with("trainer.dim", 8).with("evaluate.rate", 0);
        TrainerConfig config = TrainerConfig.from(settings);
        EvaluationConfig protocol = EvaluationConfig.from(settings);
        assertThat(protocol.maxRankingsPerSecond()).as("evaluate's protocols").isZero();

        PrequentialEvaluator unbounded = new PrequentialEvaluator(protocol.withSampleRate(0.5, 0.05, 0), config.seed(),
                () -> {
                    throw new AssertionError("an unbounded evaluator read the clock");
                });
        AtomicLong now = new AtomicLong(); // 200 ms a step: 10,240 positives a second in full batches of 2,048
        PrequentialEvaluator bounded = new PrequentialEvaluator(protocol.withSampleRate(0.5, 0.05, 100), config.seed(),
                () -> now.getAndAdd(200_000_000L));
        try (OnlineTrainer trainer = new OnlineTrainer(config, new JavaEngine(new ModelLayout(config)))) {
            trainer.addListener(unbounded).addListener(bounded);
            new SimulatedService(0, config.batchMaxWaitMs(), new ReplayBudget(config.replay())).run(log, trainer);
        }
        PrequentialEvaluator.Summary all = unbounded.summary();
        PrequentialEvaluator.Summary thinned = bounded.summary();
        // The first second is ranked in full (no rate known yet), the rest at 100 a second of the 5,120 wanted.
        assertThat(all.ranked()).isGreaterThan(10_000);
        assertThat(thinned.ranked()).isPositive().isLessThan(all.ranked() / 2);
        assertThat(thinned.fullRanked()).isLessThan(all.fullRanked() / 2);
    }
}
