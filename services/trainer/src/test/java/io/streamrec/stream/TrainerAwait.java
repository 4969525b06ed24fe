package io.streamrec.stream;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/** Waits for a condition while checking, at every look, that the trainer still runs. */
final class TrainerAwait {
    private TrainerAwait() {
    }

    static void until(StreamingTrainer trainer, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!done.getAsBoolean()) {
            assertThat(trainer.isRunning()).as("the trainer runs: %s", trainer.failure()).isTrue();
            assertThat(System.nanoTime()).as("done within 60 s").isLessThan(deadline);
            Thread.sleep(50);
        }
    }
}
