package io.streamrec.demo;

import io.streamrec.config.Settings;
import io.streamrec.contract.ContractViolation;
import io.streamrec.contract.Recommendation;
import io.streamrec.contract.Topics;
import io.streamrec.kafka.KafkaClients;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads {@code recommendations} the way a subscriber would, from the beginning: remembers the latest list of the
 * watched users, which users have a list at all, and when the first list arrived.
 */
final class RecommendationWatch implements Runnable, AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Set<Long> watched;
    private final Map<Long, Recommendation> latest = new ConcurrentHashMap<>();
    private final Set<Long> usersWithList = ConcurrentHashMap.newKeySet();
    private final Thread thread = new Thread(this, "demo-recommendations");
    private volatile long firstArrivalMillis = -1;
    private volatile long records;

    RecommendationWatch(Settings settings, Set<Long> watched) {
        this.consumer = new KafkaConsumer<>(KafkaClients.consumer(settings, "streamrec-demo-watch", null));
        this.watched = Set.copyOf(watched);
        List<TopicPartition> tps = consumer.partitionsFor(Topics.RECOMMENDATIONS.name()).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(tps);
        consumer.seekToBeginning(tps);
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void run() {
        try {
            while (true) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (firstArrivalMillis < 0) {
                        firstArrivalMillis = System.currentTimeMillis();
                    }
                    records++;
                    try {
                        Recommendation rec = Topics.RECOMMENDATIONS.valueSerde().deserializer().deserialize(r.topic(), r.value());
                        usersWithList.add(rec.userId());
                        if (watched.contains(rec.userId())) {
                            latest.put(rec.userId(), rec);
                        }
                    } catch (ContractViolation e) {
                        // not ours to judge here; the scorer's tests hold the schema
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close();
        }
    }

    Recommendation latest(long user) {
        return latest.get(user);
    }

    int usersWithList() {
        return usersWithList.size();
    }

    boolean hasList(long user) {
        return usersWithList.contains(user);
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
