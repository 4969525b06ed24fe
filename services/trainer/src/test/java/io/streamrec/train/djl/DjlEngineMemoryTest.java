package io.streamrec.train.djl;

import ai.djl.ndarray.NDManager;
import io.streamrec.train.Samples;
import io.streamrec.train.Table;
import io.streamrec.train.TrainerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static io.streamrec.train.TestConfigs.config;
import static io.streamrec.train.TestSamples.samples;
import static io.streamrec.train.djl.DjlEngineTest.djl;
import static org.assertj.core.api.Assertions.assertThat;

/** The DJL engine's memory stays flat: every step's temporaries are closed with the step. */
class DjlEngineMemoryTest {

    /**
     * Every temporary of a step is closed with its batch: the engine's manager (and libtorch's system manager,
     * where detached arrays would end up) hold as many arrays after 1,000 steps as after 10, for every model.
     */
    @ParameterizedTest
    @CsvSource({"mf,adam", "gmf,rowwise-adagrad", "ncf-mlp,adagrad", "neumf,adam"})
    void stepsLeaveNoArraysBehind(String model, String optimizer) {
        TrainerConfig c = config("trainer.model", model, "trainer.optimizer", optimizer, "trainer.dim", 8,
                "trainer.mlp-dim", 4, "trainer.layers", "16,8", "trainer.dropout", 0.2);
        Samples s = samples(256, 100, 200, false, 6);
        try (DjlEngine e = djl(c)) {
            e.ensureRows(100, 200);
            for (int i = 0; i < 10; i++) {
                e.step(s, 0.01f);
            }
            int engineArrays = e.liveArrays();
            int systemArrays = systemArrays();
            for (int i = 0; i < 990; i++) {
                e.step(s, 0.01f);
            }
            float[] out = new float[3 * 200];
            e.scoreAll(new int[]{1, 2, 3}, 3, 200, out);
            e.score(s.users(), s.items(), s.size(), new float[s.size()]);
            e.loss(s);
            e.exportDense();
            e.exportRows(Table.USERS, new int[]{4}, 1, new float[c.rowWidth()], new float[e.layout().stateWidth()]);
            assertThat(e.liveArrays()).isEqualTo(engineArrays);
            assertThat(systemArrays()).isEqualTo(systemArrays);
        }
    }

    private static int systemArrays() {
        try (NDManager probe = NDManager.newBaseManager("PyTorch")) {
            return probe.getParentManager().getManagedArrays().size();
        }
    }

    /**
     * The process's native memory stays flat over thousands of steps: leaking one gathered array per step
     * (≈ 0.5 MB here) would add 600 MB over the 1,200 steps between the two measurements.
     *
     * <p>Measured as the bytes glibc's malloc has handed out and not taken back (mallinfo2: libtorch's tensors,
     * Java direct buffers, JNI), not as RSS: RSS also counts the Java heap's pages as the young generation first
     * touches them, which grew RSS by ~25 MB per 500 steps here with no native growth at all. The JVM's own
     * malloc use (JIT, GC) moves the count by up to ~20 MB either way, so each measurement is the minimum over a
     * few hundred steps, which transient spikes cannot raise and a leak can.
     */
    @Test
    void nativeMemoryStaysFlat() {
        TrainerConfig c = config("trainer.model", "mf", "trainer.optimizer", "adagrad", "trainer.dim", 64);
        Samples s = samples(2048, 20_000, 5_000, false, 8);
        try (DjlEngine e = djl(c)) {
            e.ensureRows(20_000, 5_000);
            for (int i = 0; i < 200; i++) {
                e.step(s, 0.01f);
            }
            long before = lowestNativeUse(e, s);
            for (int i = 0; i < 1_000; i++) {
                e.step(s, 0.01f);
            }
            long grown = lowestNativeUse(e, s) - before;
            assertThat(grown).as("native memory growth over 1,200 steps").isLessThan(48L << 20);
        }
    }

    /** The least native memory in use over 200 steps, sampled every 20. */
    private static long lowestNativeUse(DjlEngine e, Samples s) {
        long lowest = Long.MAX_VALUE;
        for (int i = 0; i < 200; i++) {
            e.step(s, 0.01f);
            if (i % 20 == 0) {
                lowest = Math.min(lowest, NativeHeap.inUse());
            }
        }
        return lowest;
    }
}
