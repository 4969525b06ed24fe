package io.streamrec.stream;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lowers the calling thread's CPU scheduling priority (its Linux niceness), so that continual training spends
 * mostly idle CPU: on cores it shares with a scorer or a broker in the same process or cgroup (the demo runs them
 * all in one process on two cores), the kernel gives their threads the larger share whenever they have work (a
 * weighted share, not strict priority), and the trainer gets the rest. Alone on its cores the trainer runs as fast
 * as before. Threads the caller starts afterwards inherit the niceness (Linux semantics). Java has no API for it
 * (thread priorities are ignored on Linux), so the thread finds its own id through {@code /proc/thread-self} and
 * runs {@code renice} (util-linux) once; where either is missing it logs why and keeps its priority.
 *
 * <p>Why: at 1,000 ratings/s in the demo, replay at its full budget kept both cores busy and a rating's list p99
 * went from 16 ms (replay off) to 218 ms: the scorer's stream thread got its CPU late, not too little of it. Backing
 * replay off on a CPU-load threshold instead kept the latency but starved replay (2.9 replayed positives per rating
 * instead of 139, HR@10 1.34x recent popularity down to 1.08x): the demo's other work alone keeps two cores about
 * 80 % busy. docs/architecture.md, the scorer's "Measured".
 */
final class BackgroundPriority {
    private static final Logger log = LoggerFactory.getLogger(BackgroundPriority.class);

    private BackgroundPriority() {
    }

    /** Gives the calling thread niceness {@code nice} (1-19); 0 leaves it as it is. */
    static void lowerCurrentThread(int nice) {
        if (nice <= 0) {
            return;
        }
        String thread = Thread.currentThread().getName();
        Path self = Path.of("/proc/thread-self");
        try {
            if (!Files.isSymbolicLink(self)) {
                log.info("thread {} keeps its CPU priority: no /proc/thread-self (not Linux)", thread);
                return;
            }
            String tid = Files.readSymbolicLink(self).getFileName().toString();
            Process renice = new ProcessBuilder("renice", "-n", Integer.toString(nice), "-p", tid)
                    .redirectErrorStream(true).start();
            String output = new String(renice.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!renice.waitFor(5, TimeUnit.SECONDS) || renice.exitValue() != 0) {
                log.info("thread {} keeps its CPU priority: renice failed ({})", thread, output);
                return;
            }
            log.info("thread {} (Linux thread {}) runs at niceness {}: replay takes only CPU nothing else wants",
                    thread, tid, nice);
        } catch (IOException e) {
            log.info("thread {} keeps its CPU priority: {}", thread, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
