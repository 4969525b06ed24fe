package io.streamrec.score;

import io.streamrec.config.Settings;
import io.streamrec.contract.FactorRow;
import io.streamrec.contract.Movie;
import io.streamrec.contract.Rating;
import io.streamrec.contract.RatingCodec;
import io.streamrec.contract.SnapshotManifest;
import io.streamrec.contract.Topics;
import io.streamrec.kafka.KafkaClients;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Future;

/**
 * Stands in for the trainer and the replayer in integration tests: writes a snapshot the way the trainer does
 * (item rows, user rows and the manifest in one Kafka transaction), the catalogue, and ratings.
 */
final class SnapshotPublisher implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> transactional;
    private final KafkaProducer<byte[], byte[]> plain;

    SnapshotPublisher(Settings settings) {
        Properties p = KafkaClients.producer(settings, "test-trainer");
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "test-trainer-" + UUID.randomUUID());
        transactional = new KafkaProducer<>(p);
        transactional.initTransactions();
        plain = new KafkaProducer<>(KafkaClients.liveProducer(settings, "test-producer"));
    }

    void snapshot(SnapshotManifest manifest, Map<Long, float[]> items, Map<Long, float[]> users, int userCount) {
        transactional.beginTransaction();
        items.forEach((m, p) -> transactional.send(record(Topics.ITEM_FACTORS.name(), m,
                new FactorRow(manifest.version(), 10, p, new float[0]).encode())));
        users.forEach((u, p) -> transactional.send(record(Topics.USER_FACTORS.name(), u,
                new FactorRow(manifest.version(), userCount, p, new float[0]).encode())));
        transactional.send(new ProducerRecord<>(Topics.SNAPSHOTS.name(), manifest.model().getBytes(StandardCharsets.UTF_8),
                Topics.SNAPSHOTS.valueSerde().serializer().serialize(Topics.SNAPSHOTS.name(), manifest)));
        transactional.commitTransaction();
    }

    void movies(List<Movie> movies) {
        List<Future<?>> sent = new ArrayList<>();
        for (Movie m : movies) {
            sent.add(plain.send(record(Topics.MOVIES.name(), m.movieId(),
                    Topics.MOVIES.valueSerde().serializer().serialize(Topics.MOVIES.name(), m))));
        }
        await(sent);
    }

    /** Produces the ratings and waits until each is acknowledged; returns their produce (record) timestamps. */
    long[] rate(List<Rating> ratings) {
        List<Future<org.apache.kafka.clients.producer.RecordMetadata>> sent = new ArrayList<>();
        long at = 0;
        for (Rating r : ratings) {
            // Distinct produce times: lists name the rating that caused them by its time, in milliseconds.
            at = Math.max(System.currentTimeMillis(), at + 1);
            sent.add(plain.send(new ProducerRecord<>(Topics.RATINGS.name(), null, at,
                    Long.toString(r.userId()).getBytes(StandardCharsets.UTF_8), RatingCodec.toJson(r))));
        }
        long[] producedAt = new long[ratings.size()];
        for (int i = 0; i < sent.size(); i++) {
            try {
                producedAt[i] = sent.get(i).get().timestamp();
            } catch (Exception e) {
                throw new AssertionError("a rating was not acknowledged", e);
            }
        }
        return producedAt;
    }

    /**
     * Produces ratings with their event time as the record (produce) time, as if produced back then, and makes them
     * visible at once (one transaction; the scorer reads read_committed): a backlog, as a scorer finds after downtime.
     */
    void backlog(List<Rating> ratings) {
        transactional.beginTransaction();
        for (Rating r : ratings) {
            transactional.send(new ProducerRecord<>(Topics.RATINGS.name(), null, r.timestamp(),
                    Long.toString(r.userId()).getBytes(StandardCharsets.UTF_8), RatingCodec.toJson(r)));
        }
        transactional.commitTransaction();
    }

    /** Produces one rating to the given partition, as a producer with another partitioner than murmur2 would. */
    long rateOnPartition(Rating r, int partition) {
        try {
            return plain.send(new ProducerRecord<>(Topics.RATINGS.name(), partition, null,
                    Long.toString(r.userId()).getBytes(StandardCharsets.UTF_8), RatingCodec.toJson(r))).get().timestamp();
        } catch (Exception e) {
            throw new AssertionError("the rating was not acknowledged", e);
        }
    }

    void raw(String topic, byte[] key, byte[] value) {
        await(List.of(plain.send(new ProducerRecord<>(topic, key, value))));
    }

    /** As {@link #raw(String, byte[], byte[])}, but on the given partition rather than where the partitioner puts it. */
    void raw(String topic, int partition, byte[] key, byte[] value) {
        await(List.of(plain.send(new ProducerRecord<>(topic, partition, key, value))));
    }

    private static ProducerRecord<byte[], byte[]> record(String topic, long id, byte[] value) {
        return new ProducerRecord<>(topic, Long.toString(id).getBytes(StandardCharsets.UTF_8), value);
    }

    private static void await(List<? extends Future<?>> sent) {
        for (Future<?> f : sent) {
            try {
                f.get();
            } catch (Exception e) {
                throw new AssertionError("a record was not acknowledged", e);
            }
        }
    }

    @Override
    public void close() {
        transactional.close();
        plain.close();
    }
}
