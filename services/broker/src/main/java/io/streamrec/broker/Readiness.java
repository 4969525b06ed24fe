package io.streamrec.broker;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Node;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/** Waits until a freshly started cluster can serve clients, then prepares its topics ({@link ClusterTopics}). */
final class Readiness {
    private static final long POLL_MS = 50;

    private Readiness() {
    }

    /**
     * Returns once every node's client port accepts connections, {@code describeCluster()} lists every node, and
     * the topics are prepared, each registry topic with one replica per node.
     *
     * @param failure reports why the cluster cannot become ready (a node process died), or null while it can
     * @throws IllegalStateException on failure or timeout
     */
    static void await(ClusterSpec spec, List<ClusterLayout.Node> nodes, long startNanos, Supplier<String> failure) {
        long deadline = startNanos + spec.startTimeout().toNanos();
        // Polling the port first keeps the admin client from logging a warning per refused connection while a
        // node process is still starting.
        for (ClusterLayout.Node node : nodes) {
            while (!accepts(spec.host(), node.port())) {
                check(spec, deadline, failure, "node " + node.id() + " to listen on port " + node.port());
                sleep();
            }
        }
        Set<Integer> expected = nodes.stream().map(ClusterLayout.Node::id).collect(Collectors.toSet());
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, ClusterLayout.bootstrapServers(spec, nodes));
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "streamrec-broker-readiness");
        // A fresh cluster answers "not yet" (no coordinator, no leader) for a few hundred ms; the default backoff
        // (100 ms doubling to 1 s) slept well past the answer, and everything else waits for this.
        props.put(AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, "10");
        props.put(AdminClientConfig.RETRY_BACKOFF_MAX_MS_CONFIG, "50");
        try (Admin admin = Admin.create(props)) {
            Set<Integer> registered = Set.of();
            while (!registered.containsAll(expected)) {
                check(spec, deadline, failure, "nodes " + expected + " to register (registered: " + registered + ")");
                registered = registeredNodes(admin, deadline);
                if (!registered.containsAll(expected)) {
                    sleep();
                }
            }
            ClusterTopics.prepare(admin, nodes.size(), Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
        }
        String why = failure.get();
        if (why != null) {
            throw new IllegalStateException(why);
        }
    }

    private static Set<Integer> registeredNodes(Admin admin, long deadline) {
        long waitMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
        try {
            return admin.describeCluster().nodes().get(Math.min(waitMs, 2000), TimeUnit.MILLISECONDS).stream()
                    .map(Node::id).collect(Collectors.toSet());
        } catch (ExecutionException | TimeoutException e) {
            // A node still starting refuses or times out; the caller polls until its deadline and then names the
            // nodes still missing.
            return Set.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Kafka", e);
        }
    }

    private static void check(ClusterSpec spec, long deadline, Supplier<String> failure, String waitingFor) {
        String why = failure.get();
        if (why != null) {
            throw new IllegalStateException(why);
        }
        if (System.nanoTime() > deadline) {
            throw new IllegalStateException("Kafka was not ready after " + spec.startTimeout().toMillis()
                    + " ms (broker.start-timeout-ms): still waiting for " + waitingFor);
        }
    }

    private static boolean accepts(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(POLL_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Kafka", e);
        }
    }
}
