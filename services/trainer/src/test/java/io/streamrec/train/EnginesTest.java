package io.streamrec.train;

import io.streamrec.train.arrays.JavaEngine;
import io.streamrec.train.djl.DjlEngine;
import io.streamrec.train.djl.TorchRuntime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static io.streamrec.train.TestConfigs.config;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class EnginesTest {

    @ParameterizedTest(name = "engine={0} device={1} model={2} -> {3}")
    @CsvSource({
            "auto, cpu, mf, java",
            "auto, cpu, gmf, java",
            "auto, cpu, ncf-mlp, djl",
            "auto, cpu, neumf, djl",
            "djl, cpu, mf, djl",
            "java, auto, gmf, java",
    })
    void picksTheEngine(String engine, String device, String model, String expected) {
        TrainerConfig c = config("trainer.engine", engine, "trainer.device", device, "trainer.model", model,
                "trainer.dim", 8);
        assertThat(Engines.choose(c).engine().name()).isEqualToIgnoringCase(expected);
        try (Engine e = Engines.create(c)) {
            assertThat(e).isInstanceOf(expected.equals("java") ? JavaEngine.class : DjlEngine.class);
            assertThat(e.description()).startsWith(expected);
        }
    }

    @Test
    void autoDeviceIsTheCpuWithoutAGpu() {
        assumeTrue(TorchRuntime.probe().gpus().isEmpty(), "a GPU is usable here");
        try (Engine e = Engines.create(config("trainer.engine", "auto", "trainer.device", "auto", "trainer.model", "mf"))) {
            assertThat(e).isInstanceOf(JavaEngine.class);
        }
        try (Engine e = Engines.create(config("trainer.device", "auto", "trainer.model", "ncf-mlp"))) {
            assertThat(((DjlEngine) e).device().isGpu()).isFalse();
        }
    }

    @Test
    void gpuWithoutOneFailsSayingWhy() {
        TorchRuntime runtime = TorchRuntime.probe();
        assumeTrue(runtime.gpus().isEmpty(), "a GPU is usable here");
        assertThat(runtime.noGpuReason()).isNotBlank();
        assertThatThrownBy(() -> Engines.create(config("trainer.engine", "djl", "trainer.device", "gpu")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("trainer.device=gpu")
                .hasMessageContaining(runtime.noGpuReason());
        assertThatThrownBy(() -> Engines.create(config("trainer.engine", "java", "trainer.device", "gpu")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("trainer.engine=java runs on the CPU");
    }

    @Test
    void runtimeReportsVersionsFlavourAndThreads() {
        TorchRuntime runtime = TorchRuntime.probe();
        assertThat(runtime.djlVersion()).matches("\\d+\\.\\d+\\.\\d+.*");
        assertThat(runtime.libtorchVersion()).matches("\\d+\\.\\d+\\.\\d+.*");
        assertThat(runtime.flavour()).matches("cpu|cu\\d+|cuda");
        assertThat(runtime.intraOpThreads()).isEqualTo(1);
        assertThat(runtime.gpus().isEmpty()).isEqualTo(runtime.noGpuReason() != null);
        assertThat(runtime.summary()).contains("libtorch " + runtime.libtorchVersion(), runtime.flavour());
        if (runtime.flavour().equals("cpu")) {
            assertThat(runtime.noGpuReason()).contains("CPU build");
        }
    }
}
