package io.streamrec.broker;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Entry point of one node process of a {@link ProcessCluster}: runs a formatted node from its server.properties
 * until it is told to stop (SIGTERM, Ctrl-C) or its parent goes away (standard input closes).
 */
public final class NodeMain {
    /** System property the node's log4j2 configuration reads its level from. */
    static final String LOG_LEVEL_PROPERTY = "streamrec.broker.log.level";
    private static final long ORPHAN_SHUTDOWN_MS = 30_000;
    private static final Logger log = LoggerFactory.getLogger(NodeMain.class);
    /** Referenced for the life of the process: a channel the collector reclaims closes, and drops the lock. */
    @SuppressWarnings("unused")
    private static DataDirLock nodeLock;

    private NodeMain() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: NodeMain <server.properties>");
            System.exit(2);
        }
        Properties props = new Properties();
        try (Reader r = Files.newBufferedReader(Path.of(args[0]), StandardCharsets.UTF_8)) {
            props.load(r);
        }
        // Held until this process exits, which may be up to ORPHAN_SHUTDOWN_MS after a parent killed with kill -9:
        // the next start sees it and waits rather than open a metadata log this node still writes.
        nodeLock = DataDirLock.acquire(Path.of(args[0]).toAbsolutePath().getParent());
        long started = System.nanoTime();
        KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(props), Time.SYSTEM);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            long t = System.nanoTime();
            log.info("node {} stopping", props.getProperty("node.id"));
            server.shutdown();
            server.awaitShutdown();
            log.info("node {} stopped in {} ms", props.getProperty("node.id"), (System.nanoTime() - t) / 1_000_000);
        }, "kafka-node-shutdown"));
        watchParent();
        try {
            server.startup();
        } catch (RuntimeException e) {
            log.error("node {} failed to start", props.getProperty("node.id"), e);
            System.exit(1);
        }
        log.info("node {} (pid {}) started in {} ms", props.getProperty("node.id"), ProcessHandle.current().pid(),
                (System.nanoTime() - started) / 1_000_000);
        server.awaitShutdown();
    }

    /**
     * The parent holds the write end of this process's standard input. When the parent dies, however it dies,
     * the pipe closes and the read returns end-of-file: then this node shuts down (cleanly, through the hook),
     * so no orphaned Kafka process outlives a test run or a killed command.
     */
    private static void watchParent() {
        Thread watcher = new Thread(() -> {
            try {
                System.in.transferTo(OutputStream.nullOutputStream());
            } catch (IOException e) {
                log.warn("standard input failed: {}", e.getMessage());
            }
            log.info("standard input closed: the parent is stopping or gone; shutting down");
            // Nobody is left to kill this process if the clean shutdown hangs: give it a bounded time.
            Thread deadline = new Thread(() -> {
                try {
                    Thread.sleep(ORPHAN_SHUTDOWN_MS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return; // nothing here interrupts it; if something did, the halt is given up rather than forced
                }
                log.error("clean shutdown took over {} ms without a parent; halting", ORPHAN_SHUTDOWN_MS);
                Runtime.getRuntime().halt(1);
            }, "orphan-deadline");
            deadline.setDaemon(true);
            deadline.start();
            System.exit(0);
        }, "parent-watch");
        watcher.setDaemon(true);
        watcher.start();
    }
}
