package io.streamrec.broker;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Formats the nodes' storage on first start and reuses it after. A KRaft node refuses to start on an unformatted
 * directory, and formatting again would give it a new cluster id, so: format only when no node is formatted yet,
 * and otherwise check that the data directory holds exactly the cluster being started.
 */
final class NodeStorage {
    private static final Logger log = LoggerFactory.getLogger(NodeStorage.class);
    private static final String META = "meta.properties";

    /** The cluster's id, whether this start created it, and the data directory's lock, held until the cluster closes. */
    record Prepared(String clusterId, boolean formatted, DataDirLock lock) {
    }

    /** The cluster the data directory holds once checked or formatted. */
    private record Storage(String clusterId, boolean formatted) {
    }

    private NodeStorage() {
    }

    /**
     * Locks the data directory, checks that no node process of an earlier start still runs in it, then formats every
     * node's log directory with one new cluster id, or verifies the existing ones.
     *
     * @throws IllegalArgumentException when another broker uses the data directory, or it holds a cluster of another
     *                                  size or a broken one
     */
    static Prepared prepare(ClusterSpec spec, List<ClusterLayout.Node> nodes) {
        DataDirLock lock = DataDirLock.acquire(spec.dataDir());
        try {
            for (ClusterLayout.Node node : nodes) {
                if (DataDirLock.held(node.dir())) {
                    throw new IllegalArgumentException(node.dir() + " is still used by a node process of an earlier"
                            + " start (a node outlives a killed parent by up to 30 s); wait for it to exit, or give"
                            + " this cluster another --data-dir");
                }
            }
            Storage storage = formatOrVerify(spec, nodes);
            for (ClusterLayout.Node node : nodes) {
                Files.writeString(node.lastPort(), node.port() + "\n");
            }
            return new Prepared(storage.clusterId(), storage.formatted(), lock);
        } catch (IOException e) {
            lock.close();
            throw new UncheckedIOException("cannot write into " + spec.dataDir(), e);
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    private static Storage formatOrVerify(ClusterSpec spec, List<ClusterLayout.Node> nodes) {
        TreeMap<Integer, Properties> existing = formattedNodes(spec.dataDir());
        if (existing.isEmpty()) {
            String clusterId = Uuid.randomUuid().toString();
            for (ClusterLayout.Node node : nodes) {
                format(node, clusterId);
            }
            return new Storage(clusterId, true);
        }
        if (!existing.keySet().equals(nodes.stream().map(ClusterLayout.Node::id).collect(Collectors.toSet()))) {
            throw new IllegalArgumentException(spec.dataDir() + " holds a " + existing.size() + "-node cluster (nodes "
                    + existing.keySet() + "); start it with --nodes " + existing.size()
                    + ", or use another --data-dir for a " + nodes.size() + "-node cluster");
        }
        String clusterId = null;
        for (var e : existing.entrySet()) {
            String id = e.getValue().getProperty("cluster.id");
            String nodeId = e.getValue().getProperty("node.id");
            if (id == null || !String.valueOf(e.getKey()).equals(nodeId)) {
                throw new IllegalArgumentException(ClusterLayout.nodeDir(spec.dataDir(), e.getKey()).resolve("data")
                        .resolve(META) + " is not node " + e.getKey() + "'s (node.id=" + nodeId + ", cluster.id=" + id
                        + "); delete " + spec.dataDir() + " to start from nothing");
            }
            if (clusterId != null && !clusterId.equals(id)) {
                throw new IllegalArgumentException("the nodes under " + spec.dataDir() + " belong to different clusters ("
                        + clusterId + ", " + id + "); delete it to start from nothing");
            }
            clusterId = id;
        }
        log.debug("reusing cluster {} in {}", clusterId, spec.dataDir());
        return new Storage(clusterId, false);
    }

    private static void format(ClusterLayout.Node node, String clusterId) {
        String dir = node.logDir().toString();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            Files.createDirectories(node.logDir());
            // Static voters (controller.quorum.voters) mean no initial-controllers/standalone arguments here:
            // the formatter then picks kraft.version 0, which is what a static quorum needs.
            new Formatter()
                    .setPrintStream(new PrintStream(out, true, StandardCharsets.UTF_8))
                    .setNodeId(node.id())
                    .setClusterId(clusterId)
                    .setDirectories(List.of(dir))
                    .setMetadataLogDirectory(dir)
                    .setControllerListenerName(ClusterLayout.CONTROLLER_LISTENER)
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .run();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot format " + dir + ": " + e.getMessage()
                    + (out.size() > 0 ? "\n" + out.toString(StandardCharsets.UTF_8) : ""), e);
        }
        log.debug("formatted node {}: {}", node.id(), out.toString(StandardCharsets.UTF_8).strip());
    }

    /** The meta.properties of every formatted node under the data directory, by node number. */
    private static TreeMap<Integer, Properties> formattedNodes(Path dataDir) {
        TreeMap<Integer, Properties> found = new TreeMap<>();
        if (!Files.isDirectory(dataDir)) {
            return found;
        }
        try (Stream<Path> dirs = Files.list(dataDir)) {
            for (Path dir : dirs.toList()) {
                String name = dir.getFileName().toString();
                Path meta = dir.resolve("data").resolve(META);
                if (name.matches("node-[0-9]+") && Files.isRegularFile(meta)) {
                    found.put(Integer.parseInt(name.substring("node-".length())), read(meta));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dataDir, e);
        }
        return found;
    }

    private static Properties read(Path file) {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            Properties p = new Properties();
            p.load(r);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
