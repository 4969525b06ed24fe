package io.streamrec.train;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ObjectiveTest {

    /**
     * The batch form gives each sample's gradient exactly as the one-sample form does, and the sum of their losses
     * to rounding, over scores from 0 to ±80 and enough samples that the product behind the implicit losses' one log
     * is rescaled many times.
     */
    @ParameterizedTest
    @EnumSource(Objective.class)
    void theBatchFormIsTheOneSampleFormSummed(Objective objective) {
        Random r = new Random(4);
        int n = 50_000;
        float[] scores = new float[n];
        float[] targets = new float[n + 3];
        for (int j = 0; j < n; j++) {
            scores[j] = j % 97 == 0 ? 0f : (float) (r.nextGaussian() * (j % 5 == 0 ? 30 : 2));
            targets[j + 3] = objective == Objective.IMPLICIT ? r.nextInt(2) : r.nextInt(11) * 0.5f;
        }
        float[] gradients = scores.clone();
        float scale = 1f / n;
        double loss = objective.lossesToGradients(gradients, targets, 3, n, 0f, 5.5f, scale);
        double expected = 0;
        for (int j = 0; j < n; j++) {
            expected += objective.loss(scores[j], targets[j + 3], 0f, 5.5f);
            assertThat(gradients[j]).isEqualTo(objective.gradient(scores[j], targets[j + 3], 0f, 5.5f) * scale);
        }
        assertThat(loss).isCloseTo(expected, within(1e-6 * Math.abs(expected)));
    }
}
