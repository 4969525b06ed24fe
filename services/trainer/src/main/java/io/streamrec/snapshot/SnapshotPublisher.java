package io.streamrec.snapshot;

import io.streamrec.config.Settings;
import io.streamrec.contract.DeadLetter;
import io.streamrec.contract.SnapshotManifest;
import io.streamrec.contract.Topics;
import io.streamrec.kafka.KafkaClients;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;
import java.util.function.Consumer;

/**
 * Publishes serving snapshots or checkpoints, each in one Kafka transaction, so a read_committed reader sees one whole
 * or not at all: a serving snapshot's rows and manifest; a checkpoint's rows, dead letters, manifest and the consumed
 * ratings offsets ({@code sendOffsetsToTransaction}), so the offsets move only with the model they were trained into.
 * The trainer holds one publisher of each kind, with transactional ids of their own, so a long checkpoint commit
 * never holds serving snapshots back.
 *
 * <p>The transactional ids are fixed per model, so starting a trainer fences any older instance still running:
 * its next commit fails with {@link ProducerFencedException} and it stops.
 */
public final class SnapshotPublisher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SnapshotPublisher.class);
    private static final int ATTEMPTS = 3;

    /** At a normal close every transaction has ended; this only bounds a close after a failure left one pending. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    private final KafkaProducer<byte[], byte[]> producer;
    private final PublisherHealth health;
    /** {@link #abandon()} was called: what fails now fails because of it, and is neither retried nor news. */
    private volatile boolean abandoned;

    /** @param kind "serving" or "checkpoint", for {@link #health()} */
    public SnapshotPublisher(Settings settings, String transactionalId, String kind) {
        Properties p = KafkaClients.producer(settings, transactionalId);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(Topics.MAX_MANIFEST_BYTES + 64 * 1024));
        // A record batch holds at most max(batch.size, its one larger record), so dead letters (each at most
        // DeadLetter.MAX_BYTES) never add up past ratings-dlq's max.message.bytes.
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(512 * 1024));
        // Factor rows are float32 noise to a compressor: lz4 spent CPU for almost no gain on them.
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        this.producer = new KafkaProducer<>(p);
        this.health = new PublisherHealth(kind);
    }

    /** How the latest attempt went, and how many failed so far. */
    public PublisherHealth health() {
        return health;
    }

    /**
     * Registers the transactional id with the coordinator: aborts what a crashed predecessor left open and fences
     * it. Call before reading the model back, so nobody can commit a newer snapshot meanwhile.
     */
    public void fencePredecessors() {
        producer.initTransactions();
    }

    /**
     * Publishes one serving snapshot; retries transient failures after aborting.
     *
     * @throws ProducerFencedException when another trainer with the same transactional id has started
     * @throws KafkaException          when it could not be committed after retries
     */
    public void publish(ServingSnapshot snapshot) {
        transact("serving snapshot v" + snapshot.manifest().version(), () -> {
            snapshot.rows().forEach(rows -> rows.forEachRecord(producer::send));
            sendManifest(Topics.SNAPSHOTS.name(), snapshot.manifest());
        }, e -> { });
    }

    /**
     * Publishes one checkpoint with the offsets it covers; retries transient failures after aborting.
     *
     * @throws ProducerFencedException when another trainer with the same transactional id has started
     * @throws KafkaException          when it could not be committed after retries
     */
    public void publish(Checkpoint checkpoint, ConsumerGroupMetadata group) {
        boolean[] payloadRefused = {false};
        transact("checkpoint " + checkpoint.manifest().version(), () -> {
            checkpoint.rows().forEach(rows -> rows.forEachRecord(producer::send));
            for (ProducerRecord<byte[], byte[]> letter : checkpoint.deadLetters()) {
                producer.send(payloadRefused[0] ? DeadLetter.withoutPayload(letter) : letter);
            }
            sendManifest(Topics.CHECKPOINTS.name(), checkpoint.manifest());
            producer.sendOffsetsToTransaction(checkpoint.offsets(), group);
        }, e -> {
            // Dead letters are cut to fit the registry's limits, but an operator may have set ratings-dlq lower: then
            // keep the reasons and coordinates and drop the payloads, rather than fail on the same record forever.
            if (!checkpoint.deadLetters().isEmpty() && causedBy(e, RecordTooLargeException.class)) {
                payloadRefused[0] = true;
            }
        });
    }

    /**
     * commitTransaction() fails the whole transaction when any of its sends failed, so no send is left unchecked. A
     * commit that timed out (the broker unreachable for max.block.ms) may still complete, and Kafka then allows
     * nothing but committing again: aborting threw IllegalStateException and stopped the trainer on the wrong error.
     */
    private void transact(String what, Runnable sends, Consumer<KafkaException> beforeRetry) {
        KafkaException last = null;
        boolean commitTimedOut = false;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            boolean committing = false;
            try {
                if (!commitTimedOut) {
                    producer.beginTransaction();
                    sends.run();
                }
                committing = true;
                producer.commitTransaction();
                health.succeeded();
                return;
            } catch (ProducerFencedException | InvalidProducerEpochException | OutOfOrderSequenceException
                     | AuthorizationException e) {
                throw e;
            } catch (KafkaException e) {
                if (abandoned) {
                    throw e;
                }
                last = e;
                log.warn("{} attempt {} of {} failed: {}", what, attempt, ATTEMPTS, describe(e));
                health.failed(what, e);
                commitTimedOut = committing && e instanceof TimeoutException;
                if (!commitTimedOut) {
                    producer.abortTransaction();
                    beforeRetry.accept(e);
                }
            }
        }
        throw last;
    }

    /** commitTransaction's own message ("in an error state") hides the send's: name the root cause too. */
    private static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == e ? e.getMessage() : e.getMessage() + " (" + root + ")";
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private void sendManifest(String topic, SnapshotManifest manifest) {
        byte[] value = Topics.SNAPSHOTS.valueSerde().serializer().serialize(topic, manifest);
        producer.send(new ProducerRecord<>(topic, manifest.model().getBytes(StandardCharsets.UTF_8), value));
    }

    /**
     * Closes the producer at once, failing whatever it still waits for (a commit to a broker that is gone): the open
     * transaction is never committed, and the broker aborts it, or the next trainer's fencing does.
     */
    public void abandon() {
        abandoned = true;
        producer.close(Duration.ZERO);
    }

    @Override
    public void close() {
        producer.close(CLOSE_WAIT);
    }
}
