package io.streamrec.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Collectors;

/**
 * Where each node of a cluster lives (directory, ports) and the server configuration it runs with. Every node has
 * both roles, broker and controller, and the controllers form a static quorum ({@code controller.quorum.voters}),
 * which needs no extra formatting step and lets any node be the active controller.
 */
final class ClusterLayout {
    static final String CONTROLLER_LISTENER = "CONTROLLER";

    /** One node: id (1-based), client port, controller port, and its directory under the data dir. */
    record Node(int id, int port, int controllerPort, Path dir) {
        /** Kafka's log directory (records and the metadata log). Kept apart from our files in {@link #dir}. */
        Path logDir() {
            return dir.resolve("data");
        }

        Path serverProperties() {
            return dir.resolve("server.properties");
        }

        Path log() {
            return dir.resolve("node.log");
        }

        /** The client port this node last started on, kept for the next start at port 0 ({@link #plan}). */
        Path lastPort() {
            return dir.resolve("client-port");
        }
    }

    private ClusterLayout() {
    }

    static Path nodeDir(Path dataDir, int id) {
        return dataDir.resolve("node-" + id);
    }

    /**
     * Assigns ports: the spec's client ports (checked to be free, so a second broker on the same port fails with
     * a clear message rather than deep inside Kafka), or for port 0 the port each node last started on when it is
     * free (services and scripts pointed at the broker find it again after a restart), else a free one. Controller
     * ports are always free ones: clients never see them. KafkaRaftServer does not report the port it bound, so
     * "port 0" must be resolved here, before start; another process could take a port in between, which is rare
     * enough to accept.
     */
    static List<Node> plan(ClusterSpec spec) {
        List<Integer> free = freePorts(spec.port() == 0 ? 2 * spec.nodes() : spec.nodes());
        List<Node> nodes = new ArrayList<>();
        for (int id = 1; id <= spec.nodes(); id++) {
            int port;
            if (spec.port() == 0) {
                port = lastPortIfFree(spec.host(), nodeDir(spec.dataDir(), id))
                        .orElse(free.get(spec.nodes() + id - 1));
            } else {
                port = spec.port() + id - 1;
                requireFree(spec.host(), port);
            }
            nodes.add(new Node(id, port, free.get(id - 1), nodeDir(spec.dataDir(), id)));
        }
        return nodes;
    }

    static String bootstrapServers(ClusterSpec spec, List<Node> nodes) {
        return nodes.stream().map(n -> spec.host() + ":" + n.port()).collect(Collectors.joining(","));
    }

    /** The server configuration of one node of the cluster. */
    static Properties serverProperties(ClusterSpec spec, List<Node> nodes, Node self) {
        int n = nodes.size();
        // Internal topics can have at most as many replicas as there are nodes; a majority of them must be in
        // sync for acks=all writes, so one node of three may fail without stopping writes.
        String replicas = Integer.toString(Math.min(n, 3));
        String minInSync = Integer.toString(Math.min(n, 2));
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(self.id()));
        p.put("controller.quorum.voters", nodes.stream()
                .map(v -> v.id() + "@" + spec.host() + ":" + v.controllerPort()).collect(Collectors.joining(",")));
        p.put("listeners", "PLAINTEXT://" + spec.host() + ":" + self.port() + "," + CONTROLLER_LISTENER + "://"
                + spec.host() + ":" + self.controllerPort());
        p.put("advertised.listeners", "PLAINTEXT://" + spec.host() + ":" + self.port());
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", self.logDir().toString());
        p.put("metadata.log.dir", self.logDir().toString());
        p.put("offsets.topic.replication.factor", replicas);
        p.put("transaction.state.log.replication.factor", replicas);
        p.put("transaction.state.log.min.isr", minInSync);
        p.put("share.coordinator.state.topic.replication.factor", replicas);
        p.put("share.coordinator.state.topic.min.isr", minInSync);
        p.put("default.replication.factor", replicas);
        p.put("min.insync.replicas", minInSync);
        // Topics come from the registry (schemas' Topics) only: a typo'd name fails instead of creating a topic.
        p.put("auto.create.topics.enable", "false");
        p.put("group.initial.rebalance.delay.ms", "0");
        // 50 partitions each by default, sized for coordinator load spread over many brokers; on one machine
        // they only slow the start down (created at start, see Readiness).
        p.put("offsets.topic.num.partitions", "6");
        p.put("transaction.state.log.num.partitions", "6");
        // The default is a 128 MiB heap buffer per cleaner thread, allocated at start: it dominated start-up
        // time and memory (docs/findings.md). Our compacted topics are small enough for 2 MiB.
        p.put("log.cleaner.dedupe.buffer.size", Integer.toString(2 * 1024 * 1024));
        if (n > 1) {
            // All nodes share one machine, so a missed heartbeat means a dead process, not a slow network: fence
            // a killed node after 6 s instead of 9 s so its partitions fail over sooner.
            p.put("broker.heartbeat.interval.ms", "1500");
            p.put("broker.session.timeout.ms", "6000");
            // The nodes of a ProcessCluster only ever stop all together (or are killed): a controlled shutdown
            // would hand leadership to nodes that are stopping too, and it waits up to 5 minutes for a controller's
            // approval. Stopping all at once, one node's broker was seen waiting on a quorum the other nodes had
            // already left, until it was killed. Without it, a node flushes its logs and stops without asking.
            p.put("controlled.shutdown.enable", "false");
        }
        return p;
    }

    private static Optional<Integer> lastPortIfFree(String host, Path nodeDir) {
        try {
            int port = Integer.parseInt(Files.readString(nodeDir.resolve("client-port")).strip());
            return isFree(host, port) ? Optional.of(port) : Optional.empty();
        } catch (IOException | RuntimeException e) { // none kept (a first start) or unreadable: any free port
            return Optional.empty();
        }
    }

    private static void requireFree(String host, int port) {
        if (!isFree(host, port)) {
            throw new IllegalArgumentException("port " + port + " on " + host + " is in use (another broker running?);"
                    + " choose another with --port or broker.port (0 picks a free one)");
        }
    }

    private static boolean isFree(String host, int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName(host), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Distinct free ports: all sockets are held open together, so no port is returned twice. */
    private static List<Integer> freePorts(int count) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                sockets.add(new ServerSocket(0));
            }
            return sockets.stream().map(ServerSocket::getLocalPort).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port", e);
        } finally {
            for (ServerSocket s : sockets) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // Closing a never-used listening socket cannot lose anything.
                }
            }
        }
    }
}
