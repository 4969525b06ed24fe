package io.streamrec.snapshot;

import io.streamrec.config.Settings;
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
 * Publishes snapshots, each in one Kafka transaction: factor rows, dead letters, the manifest, and the consumed
 * ratings offsets ({@code sendOffsetsToTransaction}). A read_committed reader sees a snapshot whole or not at all,
 * and the offsets move only with the model they were trained into.
 *
 * <p>The transactional id is fixed per model, so starting a trainer fences any older instance still running:
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
     * Publishes one snapshot; retries transient failures after aborting.
     *
     * @throws ProducerFencedException when another trainer with the same transactional id has started
     * @throws KafkaException          when the snapshot could not be committed after retries
     */
    public void publish(Snapshot snapshot, ConsumerGroupMetadata group) {
        KafkaException last = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                write(snapshot, group);
                return;
            } catch (ProducerFencedException | InvalidProducerEpochException | OutOfOrderSequenceException
                     | AuthorizationException e) {
                throw e;
            } catch (KafkaException e) {
                last = e;
                log.warn("snapshot v{} attempt {} failed: {}; aborting and retrying", snapshot.manifest().version(),
                        attempt, e.getMessage());
                producer.abortTransaction();
            }
        }
        throw last;
    }

    /** commitTransaction() fails the whole transaction when any of its sends failed, so no send is left unchecked. */
    private void write(Snapshot snapshot, ConsumerGroupMetadata group) {
        producer.beginTransaction();
        snapshot.rows().forEach(producer::send);
        snapshot.deadLetters().forEach(producer::send);
        byte[] manifest = Topics.SNAPSHOTS.valueSerde().serializer().serialize(Topics.SNAPSHOTS.name(), snapshot.manifest());
        producer.send(new ProducerRecord<>(Topics.SNAPSHOTS.name(),
                snapshot.manifest().model().getBytes(StandardCharsets.UTF_8), manifest));
        producer.sendOffsetsToTransaction(snapshot.offsets(), group);
        producer.commitTransaction();
    }

    @Override
    public void close() {
        producer.close();
    }
}
