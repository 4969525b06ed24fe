package io.streamrec.snapshot;

import io.streamrec.contract.SnapshotManifest;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

import java.util.List;
import java.util.Map;

/**
 * What one checkpoint transaction writes, the point a restarted trainer resumes from: every row changed since the
 * previous checkpoint with its optimizer state and count, the dead letters met since, the manifest (dense weights
 * with their state, the ratings offsets covered), and those offsets committed for the consumer group.
 */
public record Checkpoint(SnapshotManifest manifest, List<CapturedRows> rows,
                         List<ProducerRecord<byte[], byte[]>> deadLetters, Map<TopicPartition, OffsetAndMetadata> offsets) {
}
