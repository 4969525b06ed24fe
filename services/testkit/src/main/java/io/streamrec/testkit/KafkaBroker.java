package io.streamrec.testkit;

import io.streamrec.files.Directories;
import io.streamrec.broker.ClusterSpec;
import io.streamrec.broker.ClusterTopics;
import io.streamrec.broker.KafkaCluster;
import io.streamrec.broker.ProcessCluster;
import io.streamrec.config.Settings;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Gives a test class a real Kafka broker of its own, ready and with the registry's topics created and led:
 * <pre>{@code
 * @RegisterExtension
 * static final KafkaBroker kafka = KafkaBroker.singleNode();
 * ... kafka.settings() ...   // Settings.defaults() pointed at the broker
 * }</pre>
 * The broker starts before the class's first test and stops after its last, so test classes never share one
 * (the registry's topic names are fixed).
 *
 * <p>Where Docker is available, a single node is the {@code apache/kafka} image at the clients' version, started
 * with Testcontainers; elsewhere (these machines) it is the embedded broker of {@code services/broker}, chosen
 * automatically, so the same tests run everywhere. {@code broker.test-engine} (env
 * {@code STREAMREC_BROKER_TEST_ENGINE}) forces one; the other {@code broker.*} settings apply from the
 * environment too (STREAMREC_BROKER_LOG_LEVEL=INFO shows the broker's logs). The three-node variant is always the embedded cluster of three
 * node processes: its point is that a test can kill a node's process ({@link #killNode}), which needs no Docker.
 */
public final class KafkaBroker implements BeforeAllCallback, AfterAllCallback {
    private static final Logger log = LoggerFactory.getLogger(KafkaBroker.class);
    /** The image matching the Kafka clients on the classpath, so both sides speak the same version. */
    static final String IMAGE = "apache/kafka:" + AppInfoParser.getVersion();
    private static final Duration TOPICS_TIMEOUT = Duration.ofSeconds(60);

    private enum Engine { AUTO, CONTAINER, EMBEDDED }

    /** Where a single node comes from; decided once per JVM, logged once. */
    private static Engine singleNodeEngine;

    private final int nodes;
    private Running running;
    private Class<?> owner;

    private KafkaBroker(int nodes) {
        this.nodes = nodes;
    }

    /** One broker: a container where Docker is available, the embedded broker otherwise. */
    public static KafkaBroker singleNode() {
        return new KafkaBroker(1);
    }

    /** Three nodes, each its own process on this machine (combined broker and controller); topics have RF 3. */
    public static KafkaBroker threeNodes() {
        return new KafkaBroker(3);
    }

    /** What runs while the test class runs, and how to stop it. */
    private record Running(String bootstrapServers, String description, KafkaCluster embedded, AutoCloseable stop) {
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        if (running != null) {
            return; // a @Nested class inherits its enclosing class's broker
        }
        owner = context.getRequiredTestClass();
        long t = System.nanoTime();
        running = nodes == 1 && chooseSingleNodeEngine() == Engine.CONTAINER ? startContainer() : startEmbedded();
        log.info("{}: Kafka for {} ready at {} in {} ms", running.description(), owner.getSimpleName(),
                running.bootstrapServers(), (System.nanoTime() - t) / 1_000_000);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (running != null && context.getRequiredTestClass() == owner) {
            Running r = running;
            running = null;
            r.stop().close();
        }
    }

    /** Settings for the code under test: the defaults, pointed at this broker, with its replication factor. */
    public Settings settings() {
        return Settings.defaults()
                .with("kafka.bootstrap.servers", bootstrapServers())
                .with("topics.replication-factor", nodes);
    }

    public String bootstrapServers() {
        return require().bootstrapServers();
    }

    /** Number of nodes. */
    public int size() {
        return nodes;
    }

    /** Which broker this is, for messages: "embedded, 1 node", "Testcontainers apache/kafka:4.3.1", ... */
    public String description() {
        return require().description();
    }

    /**
     * Kills one node's process (SIGKILL), as a crash would; only the three-node cluster has node processes.
     *
     * @param nodeId 1, 2 or 3
     */
    public void killNode(int nodeId) {
        if (!(require().embedded() instanceof ProcessCluster cluster)) {
            throw new IllegalStateException("killNode needs KafkaBroker.threeNodes(), whose nodes are processes; this is "
                    + running.description());
        }
        cluster.killNode(nodeId);
    }

    private Running require() {
        if (running == null) {
            throw new IllegalStateException("the broker is not running: register KafkaBroker in a static field with "
                    + "@RegisterExtension, and use it from tests (not from static initialisers)");
        }
        return running;
    }

    private Running startEmbedded() throws IOException {
        Path dir = Files.createTempDirectory("streamrec-kafka-");
        ClusterSpec spec = ClusterSpec.from(environmentSettings()).withDataDir(dir).withPort(0).withNodes(nodes);
        KafkaCluster cluster;
        try {
            cluster = KafkaCluster.start(spec);
        } catch (RuntimeException e) {
            Directories.deleteRecursively(dir);
            throw e;
        }
        return new Running(cluster.bootstrapServers(), "embedded, " + nodes + (nodes == 1 ? " node" : " nodes"),
                cluster, () -> {
                    cluster.close();
                    Directories.deleteRecursively(dir);
                });
    }

    private static Running startContainer() {
        KafkaContainer container = new KafkaContainer(DockerImageName.parse(IMAGE))
                // As on the embedded broker: topics come from the registry only.
                .withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false");
        container.start();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, container.getBootstrapServers()))) {
            ClusterTopics.prepare(admin, 1, TOPICS_TIMEOUT);
        } catch (RuntimeException e) {
            container.stop();
            throw e;
        }
        return new Running(container.getBootstrapServers(), "Testcontainers " + IMAGE, null, container::stop);
    }

    private static synchronized Engine chooseSingleNodeEngine() {
        if (singleNodeEngine != null) {
            return singleNodeEngine;
        }
        Engine wanted = environmentSettings().choice("broker.test-engine", Engine.class);
        String why;
        if (wanted == Engine.EMBEDDED) {
            singleNodeEngine = Engine.EMBEDDED;
            why = "broker.test-engine=embedded";
        } else if (DockerClientFactory.instance().isDockerAvailable()) {
            singleNodeEngine = Engine.CONTAINER;
            why = "Docker is available";
        } else if (wanted == Engine.CONTAINER) {
            throw new IllegalStateException("broker.test-engine=container, but Docker is not available");
        } else {
            singleNodeEngine = Engine.EMBEDDED;
            why = "Docker is not available";
        }
        log.info("integration tests use {} for single-node Kafka ({}); three-node clusters are always embedded"
                + " node processes", singleNodeEngine == Engine.CONTAINER ? "Testcontainers " + IMAGE
                : "the embedded KRaft broker", why);
        return singleNodeEngine;
    }

    /**
     * The broker's own settings may come from the environment, so a developer can, say, see a test broker's logs
     * with STREAMREC_BROKER_LOG_LEVEL=INFO; data directory, port and node count are always the test's own.
     */
    private static Settings environmentSettings() {
        return Settings.load(null, null, System.getenv(), Map.of());
    }

}
