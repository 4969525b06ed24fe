package io.streamrec.bench;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class CoreUseTest {
    @Test
    void chargesEachThreadsCpuToWhoItWorksFor() throws InterruptedException {
        CoreUse cores = new CoreUse(name -> name.startsWith("scorer-"), name -> name.startsWith("bench-"), "broker");
        CoreUse.Sample before = cores.sample();
        CountDownLatch spun = new CountDownLatch(1);
        CountDownLatch sampled = new CountDownLatch(1);
        Thread spinning = new Thread(() -> {
            spinFor300Ms();
            spun.countDown();
            awaitQuietly(sampled);
        }, "bench-spin");
        spinning.start();
        spun.await();
        CoreUse.Sample after = cores.sample(); // while the thread lives: an ended thread's CPU time cannot be read
        String line = cores.since(before);
        sampled.countDown();
        spinning.join();

        assertThat(after.loadGenerator() - before.loadGenerator()).as("the spinning thread's CPU")
                .isGreaterThan(TimeUnit.MILLISECONDS.toNanos(150));
        assertThat(after.scorer()).as("no scorer thread runs here").isEqualTo(before.scorer());
        assertThat(after.process() - before.process()).as("the process's CPU covers its threads'")
                .isGreaterThanOrEqualTo(after.loadGenerator() - before.loadGenerator());
        assertThat(line).startsWith("cores used: scorer 0.00, load generator ")
                .contains(", broker ").contains(", GC and JIT ")
                .endsWith(" (of " + Runtime.getRuntime().availableProcessors() + ")");
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void spinFor300Ms() {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
        long x = 0;
        while (System.nanoTime() < until) {
            x += Long.numberOfTrailingZeros(x + System.nanoTime());
        }
        if (x == 42) {
            System.out.print("");
        }
    }
}
