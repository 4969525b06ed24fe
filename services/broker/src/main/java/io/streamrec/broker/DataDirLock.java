package io.streamrec.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;

/**
 * Keeps a second cluster off a directory that a running one uses. Kafka locks each log directory itself, but only as
 * the node starts, after its controller has opened the metadata log: a second {@code streamrec broker --port 0} on a
 * running broker's directory got that far, printed a 55-line stack trace, and once raised a fatal fault about a
 * corrupt record in the shared log. This OS file lock is taken before anything reads the directory, and the OS drops
 * it when the process dies. Used for a cluster's data directory ({@link NodeStorage}) and, inside each node process
 * of a {@link ProcessCluster}, for that node's directory ({@link NodeMain}): such a node outlives a parent killed
 * with {@code kill -9} for a while, and holds its own directory until it exits.
 *
 * <p>The OS's locks belong to the process, and closing any channel on a locked file drops the process's lock on it
 * (POSIX). So a second attempt from this JVM must not open the file at all: the directories this JVM holds are
 * kept in {@link #HELD} and refused before any channel is opened.
 */
final class DataDirLock implements AutoCloseable {
    static final String FILE = ".streamrec-broker.lock";
    private static final Set<Path> HELD = new HashSet<>();

    private final Path dir;
    /** Holds the lock: it lasts as long as the channel is open. */
    private final FileChannel channel;

    private DataDirLock(Path dir, FileChannel channel) {
        this.dir = dir;
        this.channel = channel;
    }

    /** @throws IllegalArgumentException when another broker (in this process or another) holds the directory */
    static DataDirLock acquire(Path dir) {
        Path file = dir.resolve(FILE);
        FileChannel channel = null;
        synchronized (HELD) {
            try {
                Files.createDirectories(dir);
                Path key = dir.toRealPath();
                if (HELD.contains(key)) {
                    throw inUse(dir);
                }
                channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                if (channel.tryLock() == null) {
                    channel.close();
                    throw inUse(dir);
                }
                HELD.add(key);
                return new DataDirLock(key, channel);
            } catch (IOException e) {
                closeQuietly(channel);
                throw new UncheckedIOException("cannot lock " + file, e);
            }
        }
    }

    /** Whether a process holds the directory's lock now, this one included. */
    static boolean held(Path dir) {
        if (!Files.isRegularFile(dir.resolve(FILE))) {
            return false;
        }
        try (DataDirLock ignored = acquire(dir)) {
            return false;
        } catch (IllegalArgumentException e) {
            return true;
        }
    }

    private static IllegalArgumentException inUse(Path dir) {
        return new IllegalArgumentException(dir + " is in use by another running broker; stop that one first, or"
                + " give this one another --data-dir");
    }

    @Override
    public void close() {
        synchronized (HELD) {
            if (HELD.remove(dir)) {
                closeQuietly(channel); // releases the lock with it
            }
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing more to release
            }
        }
    }
}
