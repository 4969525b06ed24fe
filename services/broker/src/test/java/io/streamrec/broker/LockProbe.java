package io.streamrec.broker;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Run as a process of its own: exits 0 when it could lock a data directory's lock file, 3 when another process holds
 * it. The OS's file locks belong to processes, so only another process can tell whether one is really held.
 */
public final class LockProbe {
    static final int HELD = 3;

    private LockProbe() {
    }

    public static void main(String[] args) throws Exception {
        try (FileChannel channel = FileChannel.open(Path.of(args[0]).resolve(DataDirLock.FILE),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock lock = channel.tryLock();
            System.exit(lock == null ? HELD : 0);
        }
    }

    /** Runs the probe on the directory in a new JVM and returns its exit code. */
    static int run(Path dataDir) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), LockProbe.class.getName(), dataDir.toString())
                .inheritIO().start();
        return p.waitFor();
    }
}
