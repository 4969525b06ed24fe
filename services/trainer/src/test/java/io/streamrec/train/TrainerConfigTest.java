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
        assertThatThrownBy(() -> config("trainer.negative-pool", -1)).hasMessageContaining("negative-pool=-1");
        assertThatThrownBy(() -> config("trainer.negative-pool", 100_000_000)).hasMessageContaining("negative-pool");
    }
}
