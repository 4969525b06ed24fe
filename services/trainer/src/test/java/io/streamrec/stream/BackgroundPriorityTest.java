package io.streamrec.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** trainer.replay.nice: the calling thread gets the niceness and other running threads keep theirs; read back from the kernel. */
class BackgroundPriorityTest {

    @Test
    void lowersTheCallingThread() throws Exception {
        assumeTrue(Files.isSymbolicLink(Path.of("/proc/thread-self")), "Linux only");
        assumeTrue(onPath("renice"), "renice (util-linux) installed");
        int before = niceOfCurrentThread();
        assumeTrue(before == 0, "the JVM runs at niceness 0");
        AtomicInteger lowered = new AtomicInteger(Integer.MIN_VALUE);
        Thread t = new Thread(() -> {
            BackgroundPriority.lowerCurrentThread(7);
            try {
                lowered.set(niceOfCurrentThread());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        t.start();
        t.join();
        assertEquals(7, lowered.get(), "the thread that asked runs at the niceness it asked for");
        assertEquals(0, niceOfCurrentThread(), "other threads keep theirs");
    }

    @Test
    void zeroLeavesThePriority() throws Exception {
        assumeTrue(Files.isSymbolicLink(Path.of("/proc/thread-self")), "Linux only");
        int before = niceOfCurrentThread();
        BackgroundPriority.lowerCurrentThread(0);
        assertEquals(before, niceOfCurrentThread());
    }

    private static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    /** Field 19 of /proc/thread-self/stat, after the command name (which may hold spaces) in parentheses. */
    private static int niceOfCurrentThread() throws IOException {
        String stat = Files.readString(Path.of("/proc/thread-self/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Integer.parseInt(fields[16]);
    }
}
