package io.streamrec.stream;

import io.streamrec.config.Settings;
import io.streamrec.metrics.Metrics;

import java.util.LinkedHashMap;
import java.util.Map;

/** A streaming trainer in a process of its own, so a test can kill it for real: args are key=value settings. */
public final class TrainerProcess {
    public static void main(String[] args) throws InterruptedException {
        Map<String, String> flags = new LinkedHashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            flags.put(a.substring(0, eq), a.substring(eq + 1));
        }
        Settings settings = Settings.load(null, null, Map.of(), flags);
        // Dies with the test JVM: its stdin is a pipe from the parent, closed when the parent goes, however it goes.
        Thread orphanGuard = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    Thread.onSpinWait();
                }
            } catch (java.io.IOException ignored) {
                // the parent is gone either way
            }
            Runtime.getRuntime().halt(3);
        }, "orphan-guard");
        orphanGuard.setDaemon(true);
        orphanGuard.start();
        StreamingTrainer trainer = StreamingTrainer.start(settings, Metrics.inMemory().registry());
        Runtime.getRuntime().addShutdownHook(new Thread(trainer::close));
        System.out.println("trainer started at v" + trainer.snapshotVersion());
        trainer.awaitTermination();
        if (trainer.failure() != null) {
            System.exit(1);
        }
    }
}
