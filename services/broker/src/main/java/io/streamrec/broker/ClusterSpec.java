package io.streamrec.broker;

import io.streamrec.config.Settings;
import org.apache.logging.log4j.Level;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What to start: where the data lives, where clients connect, and how many nodes. Built from the {@code broker.*}
 * settings (documented in config/streamrec.properties).
 *
 * @param dataDir          one sub-directory per node ({@code node-1}, ...), formatted on first start, reused after
 * @param host             host name every node listens on and advertises
 * @param port             client port of node 1; node n listens on {@code port + n - 1}; 0 picks free ports
 * @param nodes            number of nodes; each is a combined broker and controller
 * @param startTimeout     how long to wait for every node to register and the registry's topics to get leaders
 * @param logLevel         level of Kafka's own server loggers
 * @param nodeJavaOptions  JVM options of each node process (multi-node mode)
 */
public record ClusterSpec(Path dataDir, String host, int port, int nodes, Duration startTimeout, String logLevel,
                          List<String> nodeJavaOptions) {

    /** More nodes than this on one machine is almost certainly a typo: each node is a JVM of about 250 MB. */
    public static final int MAX_NODES = 9;

    public ClusterSpec {
        dataDir = dataDir.toAbsolutePath().normalize();
        nodeJavaOptions = List.copyOf(nodeJavaOptions);
        if (nodes < 1 || nodes > MAX_NODES) {
            throw new IllegalArgumentException("broker.nodes must be between 1 and " + MAX_NODES + ", got " + nodes);
        }
        if (port < 0 || port + nodes - 1 > 65535) {
            throw new IllegalArgumentException("broker.port must be 0 (free ports) or a port with room for " + nodes
                    + " consecutive ports, got " + port);
        }
        if (host.isBlank()) {
            throw new IllegalArgumentException("broker.host must not be empty");
        }
        if (startTimeout.isNegative() || startTimeout.isZero()) {
            throw new IllegalArgumentException("broker.start-timeout-ms must be positive, got " + startTimeout.toMillis());
        }
        if (Level.getLevel(logLevel.toUpperCase(Locale.ROOT)) == null) {
            throw new IllegalArgumentException("broker.log-level must be one of OFF, ERROR, WARN, INFO, DEBUG, TRACE, got "
                    + logLevel);
        }
        logLevel = logLevel.toUpperCase(Locale.ROOT);
    }

    public static ClusterSpec from(Settings settings) {
        return new ClusterSpec(settings.path("broker.data-dir"), settings.text("broker.host"),
                settings.integer("broker.port"), settings.integer("broker.nodes"),
                Duration.ofMillis(settings.longInteger("broker.start-timeout-ms")), settings.text("broker.log-level"),
                Arrays.stream(settings.text("broker.node-java-options").split("\\s+")).filter(s -> !s.isEmpty()).toList());
    }

    public ClusterSpec withDataDir(Path dir) {
        return new ClusterSpec(dir, host, port, nodes, startTimeout, logLevel, nodeJavaOptions);
    }

    public ClusterSpec withNodes(int count) {
        return new ClusterSpec(dataDir, host, port, count, startTimeout, logLevel, nodeJavaOptions);
    }

    public ClusterSpec withPort(int clientPort) {
        return new ClusterSpec(dataDir, host, clientPort, nodes, startTimeout, logLevel, nodeJavaOptions);
    }
}
