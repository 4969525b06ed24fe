package io.streamrec.train.djl;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.engine.StandardCapabilities;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.pytorch.jni.LibUtils;
import ai.djl.util.cuda.CudaUtils;
import io.streamrec.train.TrainerConfig.DeviceKind;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What DJL's PyTorch engine has to work with in this process: versions, the libtorch flavour (cpu, cu124, ...),
 * threads, GPUs, and why there is no GPU when there is none. For the trainer's start-up line and for
 * {@code streamrec doctor}.
 *
 * @param djlVersion      the DJL API version
 * @param libtorchVersion the PyTorch version of the loaded native library
 * @param flavour         {@code cpu} or the CUDA build ({@code cu124}, ...), read from the library's directory
 * @param libraryPath     where libtorch was unpacked
 * @param intraOpThreads  libtorch's threads within one op
 * @param interOpThreads  libtorch's threads across ops
 * @param gpus            the GPU devices this libtorch can use, e.g. {@code gpu(0)}; empty without one
 * @param noGpuReason     why {@code gpus} is empty, or null when it is not
 */
public record TorchRuntime(String djlVersion, String libtorchVersion, String flavour, String libraryPath,
                           int intraOpThreads, int interOpThreads, List<String> gpus,
                           String noGpuReason) {

    private static final String ENGINE = "PyTorch";
    private static final Pattern FLAVOUR = Pattern.compile("-(cpu|cu\\d+)(-precxx11)?-");
    private static TorchRuntime probed;
    private static Integer cudaDeviceCount;

    /** One line for logs and doctor. */
    public String summary() {
        return "DJL " + djlVersion + ", libtorch " + libtorchVersion + " (" + flavour + "), " + intraOpThreads
                + " intra-op / " + interOpThreads + " inter-op threads, "
                + (gpus.isEmpty() ? "no GPU: " + noGpuReason : "GPUs " + gpus);
    }

    /**
     * Loads libtorch once per process and reports what it offers.
     *
     * @throws IllegalStateException naming the cause when the native library cannot be loaded
     */
    public static synchronized TorchRuntime probe() {
        if (probed == null) {
            Engine engine = engine();
            String path = LibUtils.getLibtorchPath();
            boolean cudaBuild = engine.hasCapability(StandardCapabilities.CUDA);
            Matcher m = FLAVOUR.matcher(path == null ? "" : path);
            String flavour = m.find() ? m.group(1) : cudaBuild ? "cuda" : "cpu";
            int visible = cudaBuild ? countCudaDevices() : 0;
            List<String> gpus = new ArrayList<>();
            for (int i = 0; i < visible; i++) {
                gpus.add(Device.gpu(i).toString());
            }
            String reason = gpus.isEmpty() ? noGpuReason(cudaBuild) : null;
            probed = new TorchRuntime(Engine.getDjlVersion(), engine.getVersion(), flavour, path,
                    JniUtils.getNumThreads(), JniUtils.getNumInteropThreads(), List.copyOf(gpus),
                    reason);
        }
        return probed;
    }

    /**
     * The device a {@code trainer.device} setting means here. {@code cpu} loads nothing; {@code auto} asks the
     * CUDA runtime first, so a machine without a GPU never loads libtorch just to find out.
     *
     * @throws IllegalStateException for {@code gpu} when no GPU is usable, saying why
     */
    public static Device device(DeviceKind kind) {
        return switch (kind) {
            case CPU -> Device.cpu();
            case AUTO -> countCudaDevices() == 0 || probe().gpus().isEmpty() ? Device.cpu() : Device.gpu(0);
            case GPU -> {
                TorchRuntime runtime = probe();
                if (runtime.gpus().isEmpty()) {
                    throw new IllegalStateException("trainer.device=gpu, but " + runtime.noGpuReason());
                }
                yield Device.gpu(0);
            }
        };
    }

    /**
     * The PyTorch engine. Before its first load, defaults the settings docs/findings.md found right for this project:
     * offline (no telemetry call, and libtorch comes from the native jar on the classpath, never a download) and
     * one intra-op and one inter-op thread (fastest on 2 cores; with 2, gathers sometimes stalled ~8 ms).
     * JVM flags set explicitly ({@code -Dai.djl.pytorch.num_threads=2}) win.
     */
    static synchronized Engine engine() {
        if (System.getenv("DJL_OFFLINE") == null) {
            defaultProperty("ai.djl.offline", "true");
        }
        defaultProperty("ai.djl.pytorch.num_threads", "1");
        defaultProperty("ai.djl.pytorch.num_interop_threads", "1");
        try {
            return Engine.getEngine(ENGINE);
        } catch (RuntimeException e) {
            throw new IllegalStateException("DJL's PyTorch engine could not load libtorch: " + e.getMessage()
                    + " (the CPU build comes from the pytorch-native-cpu jar, the GPU build from -Pgpu)", e);
        }
    }

    /**
     * GPUs the CUDA runtime reports, asked once: each question loads libcudart (~0.6 s the first time) and, on a
     * machine with the runtime but no driver, logs DJL's CudaUtils warning twice.
     */
    private static synchronized int countCudaDevices() {
        if (cudaDeviceCount == null) {
            cudaDeviceCount = CudaUtils.getGpuCount();
        }
        return cudaDeviceCount;
    }

    private static void defaultProperty(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    private static String noGpuReason(boolean cudaBuild) {
        if (!cudaBuild) {
            int seen = countCudaDevices();
            return "the libtorch on the classpath is the CPU build (pytorch-native-cpu)"
                    + (seen > 0 ? " although CUDA sees " + seen + " GPU(s); build with -Pgpu" : "");
        }
        String runtime;
        try {
            int version = CudaUtils.getCudaVersion();
            runtime = "CUDA runtime " + version / 1000 + "." + version / 10 % 10;
        } catch (RuntimeException e) {
            return "libtorch is a CUDA build, but no CUDA runtime library (libcudart) could be loaded";
        }
        return "libtorch is a CUDA build and the " + runtime + " is present, but it reports no usable device"
                + " (no GPU, or no NVIDIA driver or one older than the runtime; DJL's CudaUtils warning has CUDA's"
                + " own message)";
    }
}
