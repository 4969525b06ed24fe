package io.streamrec.stream;

import io.streamrec.config.Settings;
import io.streamrec.contract.FactorRow;
import io.streamrec.contract.SnapshotManifest;
import io.streamrec.contract.Topics;
import io.streamrec.kafka.KafkaClients;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** What the trainer committed, read back from the topics alone (read_committed: aborted transactions are invisible). */
final class ModelTopics {
    private ModelTopics() {
    }

    /** Every committed record of a topic. */
    static List<ConsumerRecord<byte[], byte[]>> readAll(Settings settings, String topic) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(KafkaClients.consumer(settings, "model-topics-reader", null))) {
            List<TopicPartition> tps = c.partitionsFor(topic).stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            c.assign(tps);
            c.seekToBeginning(tps);
            Map<TopicPartition, Long> end = c.endOffsets(tps);
            while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    /** Every manifest of model-checkpoints or model-snapshots, oldest first. */
    static List<SnapshotManifest> manifests(Settings settings, String topic) {
        List<SnapshotManifest> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : readAll(settings, topic)) {
            out.add(Topics.SNAPSHOTS.valueSerde().deserializer().deserialize(r.topic(), r.value()));
        }
        return out;
    }

    /** Each id's rating count in its latest row of a checkpoint topic. */
    static Map<Long, Integer> latestCounts(Settings settings, String topic) {
        Map<Long, Integer> counts = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : readAll(settings, topic)) {
            counts.put(Long.parseLong(new String(r.key(), StandardCharsets.UTF_8)), FactorRow.decode(r.value()).count());
        }
        return counts;
    }
}
