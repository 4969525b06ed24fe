package io.streamrec.snapshot;

import io.streamrec.config.Settings;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.Properties;

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

    private final KafkaProducer<byte[], byte[]> producer;

    public SnapshotPublisher(Settings settings, String transactionalId) {
        Properties p = KafkaClients.producer(settings, transactionalId);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(Topics.MAX_MANIFEST_BYTES + 64 * 1024));
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(512 * 1024));
        // Factor rows are float32 noise to a compressor: lz4 spent CPU for almost no gain on them.
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        this.producer = new KafkaProducer<>(p);
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
        });
    }

    /**
     * Publishes one checkpoint with the offsets it covers; retries transient failures after aborting.
     *
     * @throws ProducerFencedException when another trainer with the same transactional id has started
     * @throws KafkaException          when it could not be committed after retries
     */
    public void publish(Checkpoint checkpoint, ConsumerGroupMetadata group) {
        transact("checkpoint " + checkpoint.manifest().version(), () -> {
            checkpoint.rows().forEach(rows -> rows.forEachRecord(producer::send));
            checkpoint.deadLetters().forEach(producer::send);
            sendManifest(Topics.CHECKPOINTS.name(), checkpoint.manifest());
            producer.sendOffsetsToTransaction(checkpoint.offsets(), group);
        });
    }

    /** commitTransaction() fails the whole transaction when any of its sends failed, so no send is left unchecked. */
    private void transact(String what, Runnable sends) {
        KafkaException last = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                producer.beginTransaction();
                sends.run();
                producer.commitTransaction();
                return;
            } catch (ProducerFencedException | InvalidProducerEpochException | OutOfOrderSequenceException
                     | AuthorizationException e) {
                throw e;
            } catch (KafkaException e) {
                last = e;
                log.warn("{} attempt {} failed: {}; aborting and retrying", what, attempt, e.getMessage());
                producer.abortTransaction();
            }
        }
        throw last;
    }

    private void sendManifest(String topic, SnapshotManifest manifest) {
        byte[] value = Topics.SNAPSHOTS.valueSerde().serializer().serialize(topic, manifest);
        producer.send(new ProducerRecord<>(topic, manifest.model().getBytes(StandardCharsets.UTF_8), value));
    }

    @Override
    public void close() {
        producer.close();
    }
}
