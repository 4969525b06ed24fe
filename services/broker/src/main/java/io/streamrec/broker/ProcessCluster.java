package io.streamrec.broker;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A Kafka cluster of several nodes on this machine, one child JVM per node (each a combined broker and controller,
 * static voters), so that a node can fail for real: {@link #killNode} kills its process.
 *
 * <p>A node process never outlives this one: it watches its standard input, a pipe from this JVM, and shuts down
 * when the pipe closes, which the operating system does whenever this JVM ends, even by {@code kill -9}.
 * Each node logs to {@code node-<n>/node.log} in the data directory; when a node fails, the end of its log is
 * reported.
 *
 * <p>A node that dies once the cluster is ready (killed by the kernel's OOM killer, a crash) is started again on
 * its own data and ports, after {@value #FIRST_RESTART_DELAY_MS} ms, doubling up to {@value #MAX_RESTART_DELAY_MS} ms
 * while it keeps dying within {@value #STABLE_AFTER_MS} ms of a start: one node of three may fail without stopping
 * writes, but the cluster should not stay one failure from a stop. A node that cannot start at first fails the
 * start instead, and one stopped on purpose ({@link #killNode}) stays down.
 */
public final class ProcessCluster implements KafkaCluster {
    private static final Logger log = LoggerFactory.getLogger(ProcessCluster.class);
    private static final String LOG_CONFIG = "classpath:io/streamrec/broker/node-log4j2.xml";
    private static final String RUN_MARKER = "---- streamrec: node starting ";
    private static final int LOG_TAIL_LINES = 40;
    private static final long STOP_TIMEOUT_MS = 30_000;
    static final long FIRST_RESTART_DELAY_MS = 1_000;
    static final long MAX_RESTART_DELAY_MS = 30_000;
    /** A node up this long has recovered: its next failure is restarted after the first delay again. */
    static final long STABLE_AFTER_MS = 60_000;

    private final ClusterSpec spec;
    private final List<ClusterLayout.Node> nodes;
    private final NodeStorage.Prepared storage;
    private final Map<Integer, Process> processes = new ConcurrentSkipListMap<>();
    private final Set<Integer> killed = ConcurrentHashMap.newKeySet();
    private final Map<Integer, String> failures = new ConcurrentHashMap<>();
    private final AtomicBoolean closing = new AtomicBoolean();
    /** Failures before the cluster is ready fail the start; after, nodes are restarted. */
    private volatile boolean ready;
    private final Map<Integer, Integer> restarts = new ConcurrentHashMap<>();
    private final ScheduledExecutorService restarter = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "kafka-node-restarter");
        t.setDaemon(true);
        return t;
    });

    private ProcessCluster(ClusterSpec spec, List<ClusterLayout.Node> nodes, NodeStorage.Prepared storage) {
        this.spec = spec;
        this.nodes = nodes;
        this.storage = storage;
    }

    /** Starts one process per node, formatting the data directory on first use, and returns once all are ready. */
    public static ProcessCluster start(ClusterSpec spec) {
        long started = System.nanoTime();
        List<ClusterLayout.Node> nodes = ClusterLayout.plan(spec);
        NodeStorage.Prepared storage = NodeStorage.prepare(spec, nodes);
        ProcessCluster cluster = new ProcessCluster(spec, nodes, storage);
        try {
            for (ClusterLayout.Node node : nodes) {
                cluster.launch(node);
            }
            Readiness.await(spec, nodes, started, cluster::firstFailure);
            cluster.ready = true;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
        log.info("Kafka ready at {} in {} ms ({} nodes, {} cluster {} in {})", cluster.bootstrapServers(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), nodes.size(),
                storage.formatted() ? "new" : "reused", storage.clusterId(), spec.dataDir());
        return cluster;
    }

    private void launch(ClusterLayout.Node node) {
        Properties server = ClusterLayout.serverProperties(spec, nodes, node);
        try (Writer w = Files.newBufferedWriter(node.serverProperties(), StandardCharsets.UTF_8)) {
            server.store(w, "written by streamrec for node " + node.id() + "; rewritten at every start");
            Files.writeString(node.log(), RUN_MARKER + Instant.now() + " ----\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + node.dir(), e);
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(spec.nodeJavaOptions());
        // Without an explicit configuration, whichever log4j2 file comes first on the classpath (a test's,
        // a library's) would take over the node's output.
        command.add("-Dlog4j2.configurationFile=" + LOG_CONFIG);
        command.add("-D" + NodeMain.LOG_LEVEL_PROPERTY + "=" + spec.logLevel());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(NodeMain.class.getName());
        command.add(node.serverProperties().toString());
        Process process;
        try {
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(node.log().toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start a JVM for node " + node.id() + ": " + command.get(0), e);
        }
        processes.put(node.id(), process);
        long startedAt = System.nanoTime();
        process.onExit().thenAccept(p -> {
            if (closing.get() || killed.contains(node.id())) {
                return;
            }
            String why = "Kafka node " + node.id() + " (pid " + p.pid() + ") exited with status " + p.exitValue()
                    + "; end of " + node.log() + ":\n" + logTail(node);
            if (!ready) {
                failures.put(node.id(), why);
                log.error(why);
                return;
            }
            boolean wasStable = System.nanoTime() - startedAt > TimeUnit.MILLISECONDS.toNanos(STABLE_AFTER_MS);
            int attempt = restarts.merge(node.id(), 1, (previous, one) -> wasStable ? 1 : previous + 1);
            long delay = restartDelayMs(attempt);
            log.error("{}\nrestarting node {} in {} ms (restart {} in a row)", why, node.id(), delay, attempt);
            restarter.schedule(() -> restart(node), delay, TimeUnit.MILLISECONDS);
        });
        log.debug("node {} started as pid {}: {}", node.id(), process.pid(), command);
    }

    /** The delay before the n-th restart in a row (n from 1): the first delay, doubled each time, capped. */
    static long restartDelayMs(int attempt) {
        return Math.min(MAX_RESTART_DELAY_MS, FIRST_RESTART_DELAY_MS << Math.min(attempt - 1, 20));
    }

    /** Holds {@link #close()} off while it starts a process, so none is started after close stopped the others. */
    private synchronized void restart(ClusterLayout.Node node) {
        if (closing.get() || killed.contains(node.id())) {
            return;
        }
        try {
            launch(node);
            log.info("Kafka node {} restarted as pid {}", node.id(), processes.get(node.id()).pid());
        } catch (RuntimeException e) {
            // Cannot even start a JVM (disk full, say): try again after the longest delay.
            log.error("cannot restart Kafka node {}; trying again in {} ms", node.id(), MAX_RESTART_DELAY_MS, e);
            restarter.schedule(() -> restart(node), MAX_RESTART_DELAY_MS, TimeUnit.MILLISECONDS);
        }
    }

    /** How many times in a row a node was restarted (0 before the first). */
    public int restarts(int nodeId) {
        return restarts.getOrDefault(nodeId, 0);
    }

    /**
     * Kills a node's process at once (SIGKILL, no clean shutdown) and waits until it is gone, as a crash would.
     * The rest of the cluster keeps running; {@link #close()} later stops the others.
     */
    public void killNode(int nodeId) {
        Process p = process(nodeId);
        killed.add(nodeId);
        p.destroyForcibly();
        try {
            if (!p.waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("node " + nodeId + " (pid " + p.pid() + ") survived SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while killing node " + nodeId, e);
        }
        log.info("killed Kafka node {} (pid {})", nodeId, p.pid());
    }

    /** The operating-system process id of a node. */
    public long pid(int nodeId) {
        return process(nodeId).pid();
    }

    public boolean isAlive(int nodeId) {
        return process(nodeId).isAlive();
    }

    private Process process(int nodeId) {
        Process p = processes.get(nodeId);
        if (p == null) {
            throw new IllegalArgumentException("no node " + nodeId + " (nodes are 1.." + nodes.size() + ")");
        }
        return p;
    }

    private String firstFailure() {
        return failures.isEmpty() ? null : failures.values().iterator().next();
    }

    @Override
    public String bootstrapServers() {
        return ClusterLayout.bootstrapServers(spec, nodes);
    }

    @Override
    public int size() {
        return nodes.size();
    }

    @Override
    public Path dataDir() {
        return spec.dataDir();
    }

    @Override
    public String clusterId() {
        return storage.clusterId();
    }

    @Override
    public boolean formatted() {
        return storage.formatted();
    }

    /**
     * Asks every node to shut down (SIGTERM: the node runs Kafka's clean shutdown), all at once so the controller
     * quorum stays up while the brokers hand over; a node still running after 30 s is killed.
     */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        long t = System.nanoTime();
        synchronized (this) {
            restarter.shutdownNow();
            processes.values().forEach(Process::destroy);
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_TIMEOUT_MS);
        for (var e : processes.entrySet()) {
            Process p = e.getValue();
            try {
                long left = Math.max(0, deadline - System.nanoTime());
                if (!p.waitFor(left, TimeUnit.NANOSECONDS)) {
                    log.warn("Kafka node {} (pid {}) did not stop within {} ms; killing it", e.getKey(), p.pid(),
                            STOP_TIMEOUT_MS);
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                processes.values().forEach(Process::destroyForcibly);
                return; // the data directory stays locked until this process exits: its nodes may still be dying
            }
        }
        if (processes.values().stream().noneMatch(Process::isAlive)) {
            storage.lock().close();
        } else {
            log.warn("a Kafka node of {} is still running; its data directory stays locked until this process exits",
                    spec.dataDir());
        }
        log.info("Kafka at {} stopped in {} ms", bootstrapServers(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t));
    }

    /** The node's log lines since its last start, at most the last {@value #LOG_TAIL_LINES}. */
    private static String logTail(ClusterLayout.Node node) {
        try {
            List<String> lines = Files.readAllLines(node.log(), StandardCharsets.UTF_8);
            int from = 0;
            for (int i = lines.size() - 1; i >= 0; i--) {
                if (lines.get(i).startsWith(RUN_MARKER)) {
                    from = i + 1;
                    break;
                }
            }
            from = Math.max(from, lines.size() - LOG_TAIL_LINES);
            return String.join("\n", lines.subList(from, lines.size()));
        } catch (IOException e) {
            return "(cannot read " + node.log() + ": " + e.getMessage() + ")";
        }
    }
}
