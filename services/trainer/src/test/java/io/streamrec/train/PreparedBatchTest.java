package io.streamrec.train;

import io.streamrec.dataset.RatingBatch;
import io.streamrec.train.arrays.JavaEngine;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What {@link OnlineTrainer#prepare} hands the engine: each positive, then its own negatives, in batch order. */
class PreparedBatchTest {

    @Test
    void implicitPositivesAreEachFollowedByKNegativesTheirUserNeverRated() {
        TrainerConfig config = TestConfigs.config("trainer.dim", 8, "trainer.negatives", 4);
        try (OnlineTrainer trainer = new OnlineTrainer(config, new JavaEngine(new ModelLayout(config)))) {
            RatingBatch batch = new RatingBatch(300);
            for (int i = 0; i < 300; i++) {
                batch.add(i % 7, i % 250, 4f, i); // each user rates about 43 of the 250 items
            }
            Samples s = trainer.prepare(batch, new PreparedBatch()).samples;
            assertThat(s.size()).isEqualTo(300 * 5);
            for (int p = 0; p < 300; p++) {
                int at = p * 5;
                int user = trainer.users().rowOf(p % 7);
                assertThat(s.users()[at]).isEqualTo(user);
                assertThat(s.items()[at]).isEqualTo(trainer.items().rowOf(p % 250));
                assertThat(s.targets()[at]).isEqualTo(1f);
                for (int j = 1; j <= 4; j++) {
                    assertThat(s.users()[at + j]).as("a negative goes with its positive's user").isEqualTo(user);
                    assertThat(s.targets()[at + j]).isEqualTo(0f);
                    assertThat(trainer.rated().contains(user, s.items()[at + j]))
                            .as("negative %d of positive %d was rated by its user", j, p).isFalse();
                }
            }
        }
    }

    @Test
    void explicitPositivesKeepTheirStarsAndAFractionalRatioOfNegativesCarriesOver() {
        TrainerConfig config = TestConfigs.config("trainer.dim", 8, "trainer.objective", "explicit",
                "trainer.explicit-negative-ratio", 0.4);
        try (OnlineTrainer trainer = new OnlineTrainer(config, new JavaEngine(new ModelLayout(config)))) {
            RatingBatch batch = new RatingBatch(10);
            for (int i = 0; i < 10; i++) {
                batch.add(i, 100 + i, 0.5f + i % 10 * 0.5f, i);
            }
            Samples s = trainer.prepare(batch, new PreparedBatch()).samples;
            List<Integer> negativesAfter = new ArrayList<>();
            for (int at = 0, p = 0; at < s.size(); p++) {
                assertThat(s.targets()[at]).as("positive %d's stars", p).isEqualTo(0.5f + p * 0.5f);
                int user = s.users()[at];
                int negatives = 0;
                for (at++; at < s.size() && s.targets()[at] == 0f; at++, negatives++) {
                    assertThat(s.users()[at]).isEqualTo(user);
                }
                negativesAfter.add(negatives);
            }
            assertThat(negativesAfter).containsExactly(0, 0, 1, 0, 1, 0, 0, 1, 0, 1);
        }
    }
}
