package io.streamrec.broker;

import io.streamrec.contract.Topic;
import io.streamrec.contract.Topics;
import io.streamrec.kafka.TopicAdmin;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.TransactionalIdNotFoundException;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
     * Creates (or checks) every topic and waits until each registry partition's leader serves.
     *
     * @param replicationFactor replicas of each registry topic: the number of nodes
     * @throws IllegalStateException when the topics are not ready within the timeout
     */
    public static void prepare(Admin admin, int replicationFactor, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        createInternalTopics(admin, deadline);
        TopicAdmin.ensureTopics(admin, replicationFactor, Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
        awaitLeadersServing(admin, deadline);
    }

    /**
     * Makes Kafka create {@code __consumer_offsets} and {@code __transaction_state} now, by looking up a group and a
     * transaction coordinator. Kafka creates them on first use with one replica per node (up to 3), and creation
     * fails while a node is down: without this, a consumer group or transactional producer used for the first time
     * after one node of three failed would never find its coordinator.
     */
    private static void createInternalTopics(Admin admin, long deadline) {
        awaitCoordinator(admin.describeConsumerGroups(List.of(PROBE)).all(), GroupIdNotFoundException.class, deadline);
        awaitCoordinator(admin.describeTransactions(List.of(PROBE)).all(), TransactionalIdNotFoundException.class,
                deadline);
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

    /**
     * Waits until the leader of every registry partition answers a request. A partition can have a leader in the
     * metadata before that broker has taken the leadership over: a producer writing then gets NOT_LEADER_OR_FOLLOWER
     * and has to retry (KAFKA-15591; seen here on the first batch after every fresh start). Listing offsets goes
     * to the leader and is retried by the admin client until the leader serves.
     */
    private static void awaitLeadersServing(Admin admin, long deadline) {
        Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
        for (Topic<?, ?> t : Topics.ALL) {
            for (int p = 0; p < t.partitions(); p++) {
                partitions.put(new TopicPartition(t.name(), p), OffsetSpec.latest());
            }
        }
        try {
            admin.listOffsets(partitions).all().get(millisLeft(deadline), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the leaders of streamrec's topics do not serve: " + e.getCause().getMessage(),
                    e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the leaders of streamrec's topics did not serve in time", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Kafka", e);
        }
    }

    private static long millisLeft(long deadline) {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    }
}
