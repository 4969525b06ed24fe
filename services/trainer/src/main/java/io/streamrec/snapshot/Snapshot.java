package io.streamrec.snapshot;

import io.streamrec.contract.SnapshotManifest;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

import java.util.List;
import java.util.Map;

/**
 * Everything one snapshot transaction writes, captured on the training thread so training can go on while it is
 * published: the changed factor rows already encoded, the dead letters since the last snapshot, the manifest,
 * and the ratings offsets the model has been trained up to.
 */
public record Snapshot(SnapshotManifest manifest, List<ProducerRecord<byte[], byte[]>> rows,
                       List<ProducerRecord<byte[], byte[]>> deadLetters, Map<TopicPartition, OffsetAndMetadata> offsets) {
}
