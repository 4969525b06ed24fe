package io.streamrec.broker;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Time;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A single-node Kafka cluster (broker and controller in one) running inside this JVM, started through Kafka's
 * public server classes only: {@code Formatter} for the storage, {@code KafkaRaftServer} for the node.
 * Ready in about 2 s; about 200 MB of the process's memory.
 */
public final class InProcessBroker implements KafkaCluster {
    private static final Logger log = LoggerFactory.getLogger(InProcessBroker.class);

    /** Kafka's server-side logger names; the clients' (org.apache.kafka.clients, .common) are left alone. */
    private static final List<String> SERVER_LOGGERS = List.of("kafka", "state.change.logger",
            "org.apache.kafka.controller", "org.apache.kafka.raft", "org.apache.kafka.metadata",
            "org.apache.kafka.image", "org.apache.kafka.server", "org.apache.kafka.storage",
            "org.apache.kafka.coordinator", "org.apache.kafka.snapshot", "org.apache.kafka.queue");

    private final KafkaRaftServer server;
    private final String bootstrapServers;
    private final Path dataDir;
    private final NodeStorage.Prepared storage;
    private final AtomicBoolean closed = new AtomicBoolean();

    private InProcessBroker(KafkaRaftServer server, String bootstrapServers, Path dataDir, NodeStorage.Prepared storage) {
        this.server = server;
        this.bootstrapServers = bootstrapServers;
        this.dataDir = dataDir;
        this.storage = storage;
    }

    /** Starts the node, formatting the data directory on first use, and returns once it is ready. */
    public static InProcessBroker start(ClusterSpec spec) {
        if (spec.nodes() != 1) {
            throw new IllegalArgumentException("an in-process broker has one node; use ProcessCluster for " + spec.nodes());
        }
        long started = System.nanoTime();
        List<ClusterLayout.Node> nodes = ClusterLayout.plan(spec);
        NodeStorage.Prepared storage = NodeStorage.prepare(spec, nodes);
        SERVER_LOGGERS.forEach(name -> Configurator.setLevel(name, Level.getLevel(spec.logLevel())));
        KafkaRaftServer server;
        try {
            server = new KafkaRaftServer(
                    new KafkaConfig(ClusterLayout.serverProperties(spec, nodes, nodes.get(0))), Time.SYSTEM);
        } catch (RuntimeException e) { // a setting Kafka refuses: nothing started, so nothing holds the directory
            storage.lock().close();
            throw e;
        }
        InProcessBroker broker = new InProcessBroker(server, ClusterLayout.bootstrapServers(spec, nodes),
                spec.dataDir(), storage);
        try {
            server.startup();
            Readiness.await(spec, nodes, started, () -> null);
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
        log.info("Kafka ready at {} in {} ms ({} cluster {} in {})", broker.bootstrapServers,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), storage.formatted() ? "new" : "reused",
                storage.clusterId(), spec.dataDir());
        return broker;
    }

    @Override
    public String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public int size() {
        return 1;
    }

    @Override
    public Path dataDir() {
        return dataDir;
    }

    @Override
    public String clusterId() {
        return storage.clusterId();
    }

    @Override
    public boolean formatted() {
        return storage.formatted();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            long t = System.nanoTime();
            try {
                server.shutdown();
                server.awaitShutdown();
            } finally {
                storage.lock().close();
            }
            log.info("Kafka at {} stopped in {} ms", bootstrapServers, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t));
        }
    }
}
