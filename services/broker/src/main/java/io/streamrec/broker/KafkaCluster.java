package io.streamrec.broker;

import java.nio.file.Path;

/**
 * A running Kafka cluster started by streamrec from Kafka's own artifacts: ready (every node registered) and with
 * the registry's topics created, replicated on every node and led. Closing it shuts every node down cleanly.
 */
public interface KafkaCluster extends AutoCloseable {

    /**
     * Starts the cluster the spec describes: one node inside this JVM, or one child JVM per node for several
     * (so that a node can really die). Returns once it is ready; on failure nothing is left running.
     *
     * @throws IllegalArgumentException for a bad spec, a port in use, or a data directory of another cluster
     * @throws IllegalStateException    when the cluster does not become ready within the spec's timeout
     */
    static KafkaCluster start(ClusterSpec spec) {
        return spec.nodes() == 1 ? InProcessBroker.start(spec) : ProcessCluster.start(spec);
    }

    /** host:port of every node, comma-separated, as clients' {@code bootstrap.servers} wants it. */
    String bootstrapServers();

    /** Number of nodes. */
    int size();

    Path dataDir();

    String clusterId();

    /** True when this start formatted new storage, false when it reused the data directory's cluster. */
    boolean formatted();

    /** Stops every node cleanly (idempotent). */
    @Override
    void close();
}
