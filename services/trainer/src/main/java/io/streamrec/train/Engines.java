package io.streamrec.train;

import ai.djl.Device;
import io.streamrec.train.TrainerConfig.DeviceKind;
import io.streamrec.train.TrainerConfig.EngineKind;
import io.streamrec.train.arrays.JavaEngine;
import io.streamrec.train.djl.DjlEngine;
import io.streamrec.train.djl.TorchRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks and builds the engine of a configuration ({@code trainer.engine}, {@code trainer.device}):
 * <ul>
 *   <li>{@code djl}: every model, on the device {@code trainer.device} resolves to;</li>
 *   <li>{@code java}: mf and gmf on the CPU (the configuration rejects other models);</li>
 *   <li>{@code auto}: java for mf and gmf when the device resolves to the CPU (several times faster there),
 *       djl otherwise, and always djl on a GPU.</li>
 * </ul>
 * {@code trainer.device=auto} is a GPU when DJL's libtorch can use one; {@code cpu} never loads libtorch unless the
 * djl engine runs; {@code gpu} fails with the reason when there is none.
 */
public final class Engines {
    private static final Logger log = LoggerFactory.getLogger(Engines.class);

    private Engines() {
    }

    /** Which engine a configuration runs on which device (for {@code doctor}, without building anything). */
    public record Choice(EngineKind engine, Device device) {
    }

    /**
     * The engine and device of a configuration.
     *
     * @throws IllegalArgumentException for the java engine on a GPU
     * @throws IllegalStateException    for {@code trainer.device=gpu} without a usable GPU, saying why
     */
    public static Choice choose(TrainerConfig config) {
        if (config.engine() == EngineKind.JAVA && config.device() == DeviceKind.GPU) {
            throw new IllegalArgumentException("trainer.engine=java runs on the CPU; trainer.device=gpu needs "
                    + "trainer.engine=djl or auto");
        }
        Device device = config.engine() == EngineKind.JAVA ? Device.cpu() : TorchRuntime.device(config.device());
        boolean java = config.engine() == EngineKind.JAVA
                || config.engine() == EngineKind.AUTO && config.model().linear() && !device.isGpu();
        return new Choice(java ? EngineKind.JAVA : EngineKind.DJL, device);
    }

    /** The engine, with one log line saying which, on what device, and with which libtorch. */
    public static Engine create(TrainerConfig config) {
        Choice choice = choose(config);
        ModelLayout layout = new ModelLayout(config);
        boolean java = choice.engine() == EngineKind.JAVA;
        Engine engine = java ? new JavaEngine(layout) : new DjlEngine(layout, choice.device());
        log.info("trainer engine: {} for {} (trainer.engine={}, trainer.device={}){}", engine.description(),
                config.model().id(), id(config.engine()), id(config.device()), java ? "" : "; " + gpus());
        return engine;
    }

    private static String gpus() {
        TorchRuntime runtime = TorchRuntime.probe();
        return runtime.gpus().isEmpty() ? "no GPU: " + runtime.noGpuReason() : "GPUs " + runtime.gpus();
    }

    private static String id(Enum<?> e) {
        return e.name().toLowerCase(java.util.Locale.ROOT);
    }
}
