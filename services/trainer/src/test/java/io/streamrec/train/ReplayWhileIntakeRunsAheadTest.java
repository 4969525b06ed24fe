package io.streamrec.train;

import io.streamrec.dataset.RatingBatch;
import io.streamrec.train.arrays.JavaEngine;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * In the service the intake prepares batches ahead of the training thread, so the vocabularies already hold users
 * and items the engine has no row for yet. Replay steps between two batches must draw (positives and negatives)
 * only rows the engine holds. It once drew negatives from the whole item vocabulary, and the java engine stopped
 * the trainer with an ArrayIndexOutOfBoundsException (TrainerScorerEndToEndTest, CI).
 */
class ReplayWhileIntakeRunsAheadTest {
    @Test
    void replayDrawsOnlyRowsTheEngineHolds() {
        TrainerConfig config = TestConfigs.config("trainer.dim", 8, "trainer.negatives", 4);
        try (OnlineTrainer trainer = new OnlineTrainer(config, new JavaEngine(new ModelLayout(config)))) {
            RatingBatch trained = new RatingBatch(100);
            for (int i = 0; i < 100; i++) {
                trained.add(i % 10, i, 4f, i);
            }
            trainer.train(trained);

            // The intake runs ahead: thousands of new items in a batch prepared but not trained yet.
            RatingBatch waiting = new RatingBatch(5_000);
            for (int i = 0; i < 5_000; i++) {
                waiting.add(1_000 + i, 10_000 + i, 4f, 1_000 + i);
            }
            PreparedBatch prepared = trainer.prepare(waiting, new PreparedBatch());
            assertThat(trainer.items().size()).isEqualTo(5_100);

            for (int step = 0; step < 200; step++) {
                assertThat(trainer.replay(64)).isFinite();
            }
            trainer.train(prepared);
            assertThat(trainer.replay(64)).isFinite();
        }
    }
}
