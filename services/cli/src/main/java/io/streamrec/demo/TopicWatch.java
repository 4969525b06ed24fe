package io.streamrec.demo;

import io.streamrec.config.Settings;
import io.streamrec.contract.ContractViolation;
import io.streamrec.contract.Rating;
import io.streamrec.contract.RatingCodec;
import io.streamrec.contract.Recommendation;
import io.streamrec.contract.Topics;
import io.streamrec.kafka.KafkaClients;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads {@code recommendations} and {@code ratings} the way a subscriber would, from the beginning: the latest
 * list of the watched users, which users have a list at all, when the first list arrived, and every valid rating
 * of the watched users, whoever produced it (the replay, or kcat from outside).
 */
final class TopicWatch implements Runnable, AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final WatchedUsers watched;
    private final Set<String> watchedKeys;
    private final Map<Long, Recommendation> latest = new ConcurrentHashMap<>();
    /** Keys (userIds) whose list was read and valid at least once. */
    private final Set<String> usersWithList = ConcurrentHashMap.newKeySet();
    private final Thread thread = new Thread(this, "demo-topic-watch");
    private volatile long firstArrivalMillis = -1;
    private volatile long records;

    TopicWatch(Settings settings, WatchedUsers watched) {
        Properties config = KafkaClients.consumer(settings, "streamrec-demo-watch", null);
        // The dashboard redraws a few times a second: a fetch may wait 50 ms for more, rather than one per list.
        config.putIfAbsent("fetch.min.bytes", Integer.toString(1024 * 1024));
        config.putIfAbsent("fetch.max.wait.ms", "50");
        this.consumer = new KafkaConsumer<>(config);
        this.watched = watched;
        this.watchedKeys = Set.copyOf(watched.users().stream().map(String::valueOf).toList());
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of(Topics.RECOMMENDATIONS.name(), Topics.RATINGS.name())) {
            consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void run() {
        try {
            while (true) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.topic().equals(Topics.RATINGS.name())) {
                        rating(r);
                    } else {
                        recommendation(r);
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close();
        }
    }

    private void rating(ConsumerRecord<byte[], byte[]> r) {
        if (r.key() == null || !watchedKeys.contains(new String(r.key(), StandardCharsets.US_ASCII))) {
            return;
        }
        try {
            Rating rating = RatingCodec.parse(r.key(), r.value(), r.timestamp());
            watched.onRating(rating.userId(), rating.movieId(), rating.rating());
        } catch (ContractViolation e) {
            // dead-lettered by the trainer, not a rating
        }
    }

    private void recommendation(ConsumerRecord<byte[], byte[]> r) {
        if (firstArrivalMillis < 0) {
            firstArrivalMillis = System.currentTimeMillis();
        }
        try {
            read(r);
        } finally {
            records++;   // after the record is taken in: whoever sees the count sees its effect
        }
    }

    private void read(ConsumerRecord<byte[], byte[]> r) {
        String key = r.key() == null ? null : new String(r.key(), StandardCharsets.US_ASCII);
        // Lists are keyed by userId (as the scorer writes them), so only a watched user's lists and each user's first
        // valid one need parsing: the dashboard shows the ones and counts the others. Parsing and validating every
        // list took this thread 8 % as many CPU samples as the scorer's stream thread (JFR, demo at 1,000 ratings/s),
        // on the cores they share.
        if (key != null && usersWithList.contains(key) && !watchedKeys.contains(key)) {
            return;
        }
        try {
            Recommendation rec = Topics.RECOMMENDATIONS.valueSerde().deserializer().deserialize(r.topic(), r.value());
            if (rec == null) {
                return;   // a tombstone (someone deleted a list): nothing to show
            }
            usersWithList.add(rec.key());
            if (watchedKeys.contains(rec.key())) {
                latest.put(rec.userId(), rec);
            }
        } catch (ContractViolation e) {
            // not ours to judge here; the scorer's tests hold the schema
        }
    }

    Recommendation latest(long user) {
        return latest.get(user);
    }

    int usersWithList() {
        return usersWithList.size();
    }

    long records() {
        return records;
    }

    /** Epoch ms the first list arrived, or -1. */
    long firstArrivalMillis() {
        return firstArrivalMillis;
    }

    @Override
    public void close() throws InterruptedException {
        consumer.wakeup();
        thread.join(5000);
    }
}
