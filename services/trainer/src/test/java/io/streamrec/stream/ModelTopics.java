package io.streamrec.stream;

import io.streamrec.config.Settings;
import io.streamrec.contract.FactorRow;
import io.streamrec.contract.SnapshotManifest;
import io.streamrec.contract.Topics;
import io.streamrec.kafka.KafkaClients;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** What the trainer committed, read back from the topics alone (read_committed: aborted transactions are invisible). */
final class ModelTopics {
    private ModelTopics() {
    }

    /**
     * Waits until no transaction is between its commit (or abort) and the markers that end it on every partition.
     * A trainer killed just after asking to commit leaves the coordinator writing the markers, partition by
     * partition: a reader meanwhile can see a checkpoint's rows committed but not yet its manifest, or the reverse.
     * (A restarting trainer never sees that: its producer's initTransactions waits for the transaction to end.)
     */
    static void awaitNoCommitInProgress(Settings settings) throws InterruptedException {
        try (Admin admin = Admin.create(KafkaClients.admin(settings, "model-topics-reader"))) {
            ListTransactionsOptions ending = new ListTransactionsOptions()
                    .filterStates(List.of(TransactionState.PREPARE_COMMIT, TransactionState.PREPARE_ABORT));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!admin.listTransactions(ending).all().get().isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("a transaction is still ending after 60 s");
                }
                Thread.sleep(50);
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot list transactions", e.getCause());
        }
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
