package io.streamrec.bench;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class CoreUseTest {
    @Test
    void chargesEachThreadsCpuToWhoItWorksFor() throws InterruptedException {
        CoreUse cores = new CoreUse("scorer", name -> name.startsWith("scorer-"), "load generator",
                name -> name.startsWith("bench-"), "broker");
        Around spin = aroundASpinningThread(cores, "bench-spin");
        long spun = spin.after().loadGenerator() - spin.before().loadGenerator();

        assertThat(spun).as("the spinning thread's CPU").isGreaterThan(TimeUnit.MILLISECONDS.toNanos(150));
        assertThat(spin.after().service()).as("no scorer thread runs here").isEqualTo(spin.before().service());
        // The process's CPU time comes in clock ticks (10 ms on Linux), its threads' in nanoseconds.
        assertThat(spin.after().process() - spin.before().process()).as("the process's CPU covers its threads'")
                .isGreaterThanOrEqualTo(spun - TimeUnit.MILLISECONDS.toNanos(20));
        assertThat(cores.between(spin.before(), spin.after(), 0, 0)).startsWith("cores used: scorer 0.00, load generator ")
                .contains(", broker ").contains(", GC and JIT ")
                .endsWith(" (of " + Runtime.getRuntime().availableProcessors() + ")");
    }

    @Test
    void leavesOutTheTimeAndJvmCpuOfTheBenchmarksOwnMeasurements() throws InterruptedException {
        CoreUse cores = new CoreUse("trainer", name -> name.startsWith("trainer-"), "benchmark",
                name -> name.startsWith("bench-"), "broker");
        Around spin = aroundASpinningThread(cores, "trainer-spin");
        CoreUse.Sample before = spin.before();
        CoreUse.Sample after = spin.after();
        assertThat(after.serviceSince(before, name -> name.equals("trainer-spin")))
                .as("a stage of the service: its threads by name").isEqualTo(after.service() - before.service())
                .isGreaterThan(TimeUnit.MILLISECONDS.toNanos(150));
        assertThat(after.serviceSince(before, name -> name.equals("trainer-other"))).isZero();
        long elapsed = after.nanoTime() - before.nanoTime();
        long jvmCpu = Math.max(0, after.process() - before.process() - (after.service() - before.service())
                - (after.loadGenerator() - before.loadGenerator()) - (after.otherJava() - before.otherJava()));

        double whole = trainerCores(cores.between(before, after, 0, 0));
        double half = trainerCores(cores.between(before, after, elapsed / 2, 0));
        assertThat(whole).as("the spinning thread's CPU over the interval")
                .isCloseTo((after.service() - before.service()) / (double) elapsed, within(0.01));
        assertThat(half).as("the same CPU over half the time").isCloseTo(2 * whole, within(0.02));
        assertThat(cores.between(before, after, 0, jvmCpu)).as("the JVM's own CPU, all of it left out")
                .contains(", GC and JIT 0.00,");
    }

    /**
     * Samples before and after a thread of this name spins for 300 ms of its own CPU, the second while the thread
     * still lives: an ended thread's CPU time cannot be read.
     */
    private static Around aroundASpinningThread(CoreUse cores, String name) throws InterruptedException {
        CoreUse.Sample before = cores.sample();
        CountDownLatch spun = new CountDownLatch(1);
        CountDownLatch sampled = new CountDownLatch(1);
        Thread spinning = new Thread(() -> {
            spinFor300MsOfCpu();
            spun.countDown();
            awaitQuietly(sampled);
        }, name);
        spinning.start();
        spun.await();
        CoreUse.Sample after = cores.sample();
        sampled.countDown();
        spinning.join();
        return new Around(before, after);
    }

    private record Around(CoreUse.Sample before, CoreUse.Sample after) {
    }

    private static double trainerCores(String line) {
        Matcher m = Pattern.compile("^cores used: trainer (\\d+\\.\\d+), benchmark ").matcher(line);
        assertThat(m.find()).as(line).isTrue();
        return Double.parseDouble(m.group(1));
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * CPU time rather than wall time: on a loaded machine (CI beside other work) 300 ms of wall time gave the thread
     * 43 ms of CPU once, and the test failed on the machine's load rather than on the code.
     */
    private static void spinFor300MsOfCpu() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long start = threads.getCurrentThreadCpuTime();
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        long x = 0;
        while (threads.getCurrentThreadCpuTime() - start < TimeUnit.MILLISECONDS.toNanos(300) && System.nanoTime() < giveUp) {
            for (int i = 0; i < 10_000; i++) {
                x += Long.numberOfTrailingZeros(x + i);
            }
        }
        if (x == 42) {
            System.out.print("");
        }
    }
}
