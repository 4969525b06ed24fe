package io.streamrec.broker;

import io.streamrec.kafka.TopicAdmin;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.TransactionalIdNotFoundException;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Prepares a fresh cluster's topics so that clients can use it at once: Kafka's internal topics, the registry's
 * topics, and a serving leader for every registry partition. Used for every broker streamrec starts, embedded or
 * in a container, so tests see the same cluster either way.
 */
public final class ClusterTopics {
    /** Group and transactional id used only to look coordinators up; nothing is written under them. */
    private static final String PROBE = "streamrec-broker-readiness";

    private ClusterTopics() {
    }

    /**
     * Creates (or checks) every topic and waits until each registry partition's leader serves. Kafka's internal
     * topics and the registry's are created side by side (one after the other, each waited out its own retries:
     * about 1 s of the demo's start).
     *
     * @param replicationFactor replicas of each registry topic: the number of nodes
     * @throws IllegalStateException when the topics are not ready within the timeout
     */
    public static void prepare(Admin admin, int replicationFactor, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        // Looking a group and a transaction coordinator up makes Kafka create __consumer_offsets and
        // __transaction_state now. It creates them on first use with one replica per node (up to 3), and creation
        // fails while a node is down: without this, a consumer group or transactional producer used for the first
        // time after one node of three failed would never find its coordinator.
        KafkaFuture<?> groupCoordinator = admin.describeConsumerGroups(List.of(PROBE)).all();
        KafkaFuture<?> transactionCoordinator = admin.describeTransactions(List.of(PROBE)).all();
        // Waits until every partition's leader serves, not only until the metadata names one (TopicAdmin#awaitLeaders).
        TopicAdmin.ensureTopics(admin, replicationFactor, Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
        awaitCoordinator(groupCoordinator, GroupIdNotFoundException.class, deadline);
        awaitCoordinator(transactionCoordinator, TransactionalIdNotFoundException.class, deadline);
    }

    /** Waits for a coordinator lookup; the probe id does not exist, and by the time Kafka says so, its topic does. */
    private static void awaitCoordinator(KafkaFuture<?> lookup, Class<? extends Exception> notFound, long deadline) {
        try {
            lookup.get(millisLeft(deadline), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (!notFound.isInstance(e.getCause())) {
                throw new IllegalStateException("cannot create Kafka's internal topics: " + e.getCause().getMessage(),
                        e.getCause());
            }
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka did not create its internal topics in time", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Kafka", e);
        }
    }

    private static long millisLeft(long deadline) {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    }
}
