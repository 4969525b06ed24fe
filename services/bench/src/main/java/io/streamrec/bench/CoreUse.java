package io.streamrec.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Where the cores went during a phase of a benchmark: the service's threads (the scorer's, the trainer's), this
 * benchmark's own clients (the load generator), the rest of the JVM's Java threads (the embedded broker, when there
 * is one), the JVM itself (GC, JIT compilers, native code: the process's CPU less its Java threads'), and other
 * processes. On two cores the broker and the load generator take a large share at 10,000 ratings/s (about half a
 * core each on these machines), which is what a scorer with cores of its own would not pay; the line makes that
 * visible in every run.
 *
 * <p>A thread's CPU time can only be read while it lives: one that ends within the phase takes its time along
 * (counted as the JVM's then), so take the phase's last sample before its own threads stop.
 */
final class CoreUse {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final long CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux, which /proc/stat counts in

    private final String serviceName;
    private final Predicate<String> service;
    private final String loadGeneratorName;
    private final Predicate<String> loadGenerator;
    private final String otherJava;

    /**
     * @param serviceName       what the service under test is, for the printout ("scorer")
     * @param service           names of its threads
     * @param loadGeneratorName what the benchmark's own threads are, for the printout ("load generator")
     * @param loadGenerator     names of the benchmark's own threads (its producers, readers, main)
     * @param otherJava         what the remaining Java threads are, for the printout ("broker" when it is embedded)
     */
    CoreUse(String serviceName, Predicate<String> service, String loadGeneratorName, Predicate<String> loadGenerator,
            String otherJava) {
        this.serviceName = serviceName;
        this.service = service;
        this.loadGeneratorName = loadGeneratorName;
        this.loadGenerator = loadGenerator;
        this.otherJava = otherJava;
    }

    /**
     * CPU so far, in ns: the service, the load generator, other Java threads, the whole process; the machine's busy
     * time; and the service's by thread name (threads of one name summed: a thread that ends between two samples
     * takes its time along, as in the totals, so a stage whose threads are replaced reads low).
     */
    record Sample(long nanoTime, long service, long loadGenerator, long otherJava, long process, long machineBusy,
                  Map<String, Long> serviceByThread) {

        /** The service's CPU in ns from {@code before} to this sample, of its threads whose names {@code stage} accepts. */
        long serviceSince(Sample before, Predicate<String> stage) {
            return stageOf(this, stage) - stageOf(before, stage);
        }

        private static long stageOf(Sample sample, Predicate<String> stage) {
            long sum = 0;
            for (Map.Entry<String, Long> e : sample.serviceByThread.entrySet()) {
                if (stage.test(e.getKey())) {
                    sum += e.getValue();
                }
            }
            return sum;
        }
    }

    Sample sample() {
        long s = 0;
        long l = 0;
        long o = 0;
        Map<String, Long> byThread = new HashMap<>();
        long[] ids = THREADS.getAllThreadIds();
        ThreadInfo[] infos = THREADS.getThreadInfo(ids);
        for (int i = 0; i < ids.length; i++) {
            if (infos[i] == null) {
                continue;
            }
            long cpu = Math.max(0, THREADS.getThreadCpuTime(ids[i]));
            String name = infos[i].getThreadName();
            if (service.test(name)) {
                s += cpu;
                byThread.merge(name, cpu, Long::sum);
            } else if (loadGenerator.test(name)) {
                l += cpu;
            } else {
                o += cpu;
            }
        }
        return new Sample(System.nanoTime(), s, l, o, processCpuNanos(), machineBusyNanos(), byThread);
    }

    /** This process's CPU time so far, all its threads (the JVM's own included), in ns; -1 where unknown. */
    static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : -1;
    }

    /** The cores each used from {@code before} to now, as one line. */
    String since(Sample before) {
        return between(before, sample(), 0, 0);
    }

    /**
     * The cores each used from {@code before} to {@code now}, as one line, leaving out {@code leftOutNanos} of the
     * time and {@code leftOutJvmCpu} ns of the JVM's own CPU: what the benchmark spent on its own measurements in
     * between (forced collections, which stop the Java threads, so nearly all of their CPU is the JVM's).
     */
    String between(Sample before, Sample now, long leftOutNanos, long leftOutJvmCpu) {
        double seconds = (now.nanoTime() - before.nanoTime() - leftOutNanos) / 1e9;
        StringBuilder b = new StringBuilder(String.format("cores used: %s %.2f, %s %.2f, %s %.2f",
                serviceName, cores(now.service() - before.service(), seconds),
                loadGeneratorName, cores(now.loadGenerator() - before.loadGenerator(), seconds),
                otherJava, cores(now.otherJava() - before.otherJava(), seconds)));
        if (now.process() >= 0 && before.process() >= 0) {
            long javaThreads = (now.service() - before.service()) + (now.loadGenerator() - before.loadGenerator())
                    + (now.otherJava() - before.otherJava());
            b.append(String.format(", GC and JIT %.2f",
                    cores(now.process() - before.process() - javaThreads - leftOutJvmCpu, seconds)));
            if (now.machineBusy() >= 0 && before.machineBusy() >= 0) {
                b.append(String.format(", other processes %.2f", cores(now.machineBusy() - before.machineBusy()
                        - (now.process() - before.process()), seconds)));
            }
        }
        return b.append(String.format(" (of %d)", Runtime.getRuntime().availableProcessors())).toString();
    }

    private static double cores(long nanos, double seconds) {
        return Math.max(0, nanos / 1e9 / seconds);
    }

    /** Busy time of all cores so far from /proc/stat (Linux), or -1 elsewhere. */
    private static long machineBusyNanos() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/stat"));
            String[] f = lines.get(0).trim().split("\\s+"); // cpu user nice system idle iowait irq softirq steal ...
            if (!f[0].equals("cpu") || f.length < 8) {
                return -1;
            }
            long busy = 0;
            for (int i = 1; i < f.length && i <= 8; i++) {
                if (i != 4 && i != 5) { // idle and iowait are not busy
                    busy += Long.parseLong(f[i]);
                }
            }
            return busy * (1_000_000_000L / CLOCK_TICKS_PER_SECOND);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
