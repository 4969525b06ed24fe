package io.streamrec.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Keeps a second cluster off a data directory that a running one uses. Kafka locks each log directory itself, but
 * only as the node starts, after its controller has opened the metadata log: a second {@code streamrec broker
 * --port 0} on a running broker's directory got that far, printed a 55-line stack trace, and once raised a fatal
 * fault about a corrupt record in the shared log. This OS file lock is taken before anything reads the directory,
 * and the OS drops it when the process dies, so a {@code kill -9} leaves nothing to clean up.
 */
final class DataDirLock implements AutoCloseable {
    static final String FILE = ".streamrec-broker.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private DataDirLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** @throws IllegalArgumentException when another broker (in this process or another) holds the directory */
    static DataDirLock acquire(Path dataDir) {
        Path file = dataDir.resolve(FILE);
        FileChannel channel = null;
        try {
            Files.createDirectories(dataDir);
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // held by this JVM
            }
            if (lock == null) {
                channel.close();
                throw new IllegalArgumentException(dataDir + " is in use by another running broker; stop that one"
                        + " first, or give this one another --data-dir");
            }
            return new DataDirLock(channel, lock);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new UncheckedIOException("cannot lock " + file, e);
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException ignored) {
            // the channel's close below releases it too
        }
        closeQuietly(channel);
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
