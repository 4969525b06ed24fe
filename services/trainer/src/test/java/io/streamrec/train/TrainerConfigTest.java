package io.streamrec.train;

import org.junit.jupiter.api.Test;

import static io.streamrec.train.TestConfigs.config;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TrainerConfigTest {

    @Test
    void explicitRatingsGetTheirOwnDefaultsUnlessTheOptionIsSet() {
        TrainerConfig implicit = config();
        assertThat(implicit.optimizer()).isEqualTo(OptimizerKind.ADAGRAD);
        assertThat(implicit.learningRate()).isEqualTo(0.3f);
        assertThat(implicit.batchSize()).isEqualTo(2048);

        TrainerConfig explicit = config("trainer.objective", "explicit");
        assertThat(explicit.optimizer()).isEqualTo(OptimizerKind.ADAGRAD);
        assertThat(explicit.learningRate()).isEqualTo(0.02f);
        assertThat(explicit.biasLrScale()).isEqualTo(3f);
        assertThat(explicit.batchMaxWaitMs()).isZero();
        assertThat(explicit.l2()).isEqualTo(0.1f);
        assertThat(explicit.initStd()).isEqualTo(0.005f);
        assertThat(explicit.batchSize()).isEqualTo(256);

        TrainerConfig chosen = config("trainer.objective", "explicit", "trainer.learning-rate", 0.3,
                "trainer.batch-size", 2048);
        assertThat(chosen.learningRate()).as("set by the user, even to the implicit default").isEqualTo(0.3f);
        assertThat(chosen.batchSize()).isEqualTo(2048);
        assertThat(chosen.optimizer()).as("not set: the explicit default").isEqualTo(OptimizerKind.ADAGRAD);
    }

    @Test
    void adagradsFactorAccumulatorsAreRoundedToBfloat16UnlessFloat32IsAsked() {
        assertThat(config().roundsAccumulators()).as("the default").isTrue();
        assertThat(config("trainer.objective", "explicit").roundsAccumulators()).isTrue();
        assertThat(config("trainer.adagrad-state", "float32").roundsAccumulators()).isFalse();
        assertThat(config("trainer.optimizer", "adam").roundsAccumulators()).as("Adam's moments stay float32").isFalse();
        assertThatThrownBy(() -> config("trainer.adagrad-state", "float16"))
                .hasMessageContaining("trainer.adagrad-state").hasMessageContaining("bfloat16");
    }

    @Test
    void aNegativePoolIsZeroOrAPositiveSizeWithinBounds() {
        assertThat(config().negativePool()).as("the default, auto, for mf").isEqualTo(2048);
        assertThat(config("trainer.model", "gmf").negativePool()).isEqualTo(2048);
        assertThat(config("trainer.model", "ncf-mlp", "trainer.engine", "djl").negativePool()).as("auto, for a tower").isZero();
        assertThat(config("trainer.model", "neumf", "trainer.negative-pool", 512, "trainer.engine", "djl").negativePool()).isEqualTo(512);
        assertThat(config("trainer.negative-pool", 0).negativePool()).isZero();
        assertThatThrownBy(() -> config("trainer.negative-pool", -1))
                .hasMessage("trainer.negative-pool must be auto or in [0, 16777216], got -1");
        assertThatThrownBy(() -> config("trainer.negative-pool", 100_000_000)).hasMessageContaining("trainer.negative-pool");
    }

    @Test
    void aSettingOutOfRangeIsNamedAloneWithItsRange() {
        assertThatThrownBy(() -> config("trainer.dropout", 1.0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("trainer.dropout must be in [0, 1), got 1.0");
        assertThatThrownBy(() -> config("trainer.negatives", -1)).hasMessage("trainer.negatives must be at least 0, got -1");
        assertThatThrownBy(() -> config("trainer.bias-decay", 0))
                .hasMessage("trainer.bias-decay must be in (0, 1], got 0.0");
        assertThatThrownBy(() -> config("trainer.rating-min", 5, "trainer.rating-max", 5))
                .hasMessage("trainer.rating-max (5.0) must be above trainer.rating-min (5.0)");
        assertThatThrownBy(() -> config("trainer.objective", "explicit", "trainer.explicit.learning-rate", 0))
                .as("the key read for the explicit objective is the one named")
                .hasMessage("trainer.explicit.learning-rate must be positive, got 0.0");
        assertThatThrownBy(() -> config("trainer.batch-max-wait-ms", -2))
                .hasMessage("trainer.batch-max-wait-ms must be at least 0, got -2");
    }
}
