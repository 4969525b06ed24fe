package io.streamrec.broker;

import io.streamrec.config.Settings;
import io.streamrec.contract.Rating;
import io.streamrec.contract.RatingCodec;
import io.streamrec.contract.Topics;
import io.streamrec.kafka.KafkaClients;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentLinkedQueue;

/** Rating records for the broker tests: generated, produced with every failure surfaced, and read back in full. */
public final class RatingTraffic {
    private static final long BASE_TIME = 1_700_000_000_000L;

    private RatingTraffic() {
    }

    /** Distinct ratings, each with an eventId naming its batch and position, so losses and duplicates show. */
    public static List<Rating> ratings(String batch, int count) {
        List<Rating> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(new Rating(1 + i % 37, 1 + (i * 7919L) % 9000, 0.5f * (1 + i % 10), BASE_TIME + i * 1000L,
                    batch + "-" + i));
        }
        return out;
    }

    public static ProducerRecord<byte[], byte[]> record(Rating r) {
        return new ProducerRecord<>(Topics.RATINGS.name(), r.key().getBytes(StandardCharsets.UTF_8), RatingCodec.toJson(r));
    }

    /** Sends and flushes; any failed send fails the test (a dropped record must never pass unnoticed). */
    public static void produce(KafkaProducer<byte[], byte[]> producer, List<Rating> ratings) {
        ConcurrentLinkedQueue<Exception> failures = new ConcurrentLinkedQueue<>();
        for (Rating r : ratings) {
            producer.send(record(r), (meta, e) -> {
                if (e != null) {
                    failures.add(e);
                }
            });
        }
        producer.flush();
        if (!failures.isEmpty()) {
            throw new AssertionError(failures.size() + " sends failed, first: " + failures.peek(), failures.peek());
        }
    }

    public static void produce(Settings settings, List<Rating> ratings) {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(KafkaClients.producer(settings, "test-producer"))) {
            produce(producer, ratings);
        }
    }

    /**
     * Every rating in the topic up to its current end (the last stable offset under read_committed), each parsed
     * with the contract's validating parser. With a group id the consumer subscribes as a member of that group and
     * commits what it read; without, it assigns itself every partition.
     */
    public static List<Rating> readAll(Settings settings, String isolation, String groupId) {
        Properties props = KafkaClients.consumer(settings, "test-consumer", groupId);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        List<Rating> out = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            if (groupId == null) {
                List<TopicPartition> partitions = new ArrayList<>();
                for (PartitionInfo p : consumer.partitionsFor(Topics.RATINGS.name())) {
                    partitions.add(new TopicPartition(p.topic(), p.partition()));
                }
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
            } else {
                consumer.subscribe(List.of(Topics.RATINGS.name()));
            }
            Map<TopicPartition, Long> end = null;
            while (end == null || end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("did not reach the end offsets " + end + " within 60 s; read " + out.size());
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    out.add(RatingCodec.parse(r.key(), r.value(), r.timestamp()));
                }
                if (end == null && consumer.assignment().size() == Topics.RATINGS.partitions()) {
                    end = consumer.endOffsets(consumer.assignment());
                }
            }
            if (groupId != null) {
                consumer.commitSync();
            }
        }
        return out;
    }

    public static List<Rating> readAll(Settings settings, String isolation) {
        return readAll(settings, isolation, null);
    }
}
