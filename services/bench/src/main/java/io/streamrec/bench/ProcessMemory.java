package io.streamrec.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the benchmarks sample of this process's memory. */
final class ProcessMemory {
    private ProcessMemory() {
    }

    /**
     * Heap in use right after a full collection: the live set. Sampling it forces a GC (a few hundred ms, left
     * out of the throughput figures); without one, G1 may never collect the old generation during the run and
     * "used" would mostly be garbage.
     */
    static long heapAfterFullGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Resident set size of this process (Linux), or -1 elsewhere. */
    static long rss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
