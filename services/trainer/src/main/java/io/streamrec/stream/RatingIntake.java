package io.streamrec.stream;

import io.streamrec.config.Settings;
import io.streamrec.contract.ContractViolation;
import io.streamrec.contract.DeadLetter;
import io.streamrec.contract.RatingCodec;
import io.streamrec.contract.Topics;
import io.streamrec.kafka.KafkaClients;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The consuming thread: polls {@code ratings} as a member of the trainer's consumer group (read_committed, no
 * auto-commit: offsets are committed only inside checkpoint transactions), validates every record at the boundary,
 * cuts mini-batches by size or by maximum wait, and prepares each for training (ids to rows, fresh negatives;
 * {@link io.streamrec.train.OnlineTrainer#prepare}) before handing it over, so the training thread only trains. Invalid records become dead letters that travel with their
 * batch, so they are written to {@code ratings-dlq} in the same transaction that commits their offsets: once.
 *
 * <p>This is the one stage that routes invalid ratings; the scorer skips them silently.
 */
final class RatingIntake implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(RatingIntake.class);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final BlockingQueue<IntakeBatch> full;
    private final BlockingQueue<IntakeBatch> empty;
    private final int batchSize;
    private final long maxWaitNanos;
    private final Coordinator coordinator;
    private final TrainerMetrics metrics;
    private final Settings settings;
    private final String groupId;
    private final RecentEventIds seen;
    /** Where each assigned partition started: the first snapshot after an assignment ranges from here. */
    final Map<Integer, Long> startPositions = new ConcurrentHashMap<>();
    private final AtomicLong lag = new AtomicLong(-1);
    private volatile ConsumerGroupMetadata groupMetadata;
    private volatile boolean running = true;
    private volatile boolean abandoned;
    private volatile Throwable failure;

    /** What the intake needs from the training side at a rebalance and at the end. */
    interface Coordinator {
        /** Trains everything handed over, publishes a snapshot of it, and returns once it is committed. */
        void snapshotAndWait();

        /** Makes a batch's ratings ready to train, here on the intake thread, while training goes on. */
        void prepare(IntakeBatch batch);

        /** Replay steps the trainer has taken so far: each batch is stamped with it when handed over. */
        long replayStepsSoFar();

        /** Checks a newly assigned partition's committed position against the model; throws when they differ. */
        void verifyPosition(int partition, long position);
    }

    /**
     * The consumer's static group membership ({@code group.instance.id}) is the transactional id: a trainer restarted
     * after a crash takes over its predecessor's membership and partitions at once, instead of waiting out the dead
     * member's session timeout (45 s by default) before the group rebalances.
     */
    RatingIntake(Settings settings, StreamingConfig config, BlockingQueue<IntakeBatch> full,
                 BlockingQueue<IntakeBatch> empty, Coordinator coordinator, TrainerMetrics metrics) {
        Properties p = KafkaClients.consumer(settings, config.groupId() + "-consumer", config.groupId());
        p.put("isolation.level", "read_committed");
        p.put("enable.auto.commit", "false");
        p.put("group.instance.id", config.transactionalId());
        if (config.trainer().batchMaxWaitMs() > 0) {
            // A fetch may wait as long as a batch does: at a light load a fetch then brings a batch's ratings instead
            // of each one alone (about 1,000 fetches a second at 1,000 ratings/s, each the broker's work too).
            p.putIfAbsent("fetch.min.bytes", Integer.toString(64 * 1024));
            p.putIfAbsent("fetch.max.wait.ms", Long.toString(config.trainer().batchMaxWaitMs()));
        }
        this.consumer = new KafkaConsumer<>(p);
        this.full = full;
        this.empty = empty;
        this.batchSize = config.trainer().batchSize();
        this.maxWaitNanos = config.trainer().batchMaxWaitMs() * 1_000_000L;
        this.coordinator = coordinator;
        this.metrics = metrics;
        this.settings = settings;
        this.groupId = config.groupId();
        this.seen = new RecentEventIds(config.dedupWindow());
        metrics.rememberingEventIds(seen::size);
    }

    ConsumerGroupMetadata groupMetadata() {
        return groupMetadata;
    }

    long lag() {
        return lag.get();
    }

    Throwable failure() {
        return failure;
    }

    /** Stops polling; the run loop hands over what it holds, has the trainer publish it, and closes. */
    void stop() {
        running = false;
        consumer.wakeup();
    }

    /** After {@link #stop()}: the trainer gave its final checkpoint up, so the wait for it fails as expected. */
    void abandon() {
        abandoned = true;
    }

    @Override
    public void run() {
        IntakeBatch batch = null;
        try {
            consumer.subscribe(List.of(Topics.RATINGS.name()), new Rebalance());
            batch = take();
            while (running) {
                long waited = batch.records == 0 ? 0 : System.nanoTime() - batch.openedNanos;
                // Rounded up: poll(0) for the last fraction of a millisecond spun this thread at about a fifth of a core
                // at 1,000 ratings/s (a 2 ms batch cut is then up to 1 ms late).
                long timeoutMs = batch.records == 0 ? 200 : Math.max(0, ceilMillis(maxWaitNanos - waited));
                ConsumerRecords<byte[], byte[]> records;
                try {
                    records = consumer.poll(Duration.ofMillis(timeoutMs));
                } catch (WakeupException e) {
                    break;
                }
                groupMetadata = consumer.groupMetadata();
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    if (batch.records == 0) {
                        batch.openedNanos = System.nanoTime();
                    }
                    take(r, batch);
                    if (batch.ratings.size() >= batchSize && fullOnceRepeatsDropped(batch)) {
                        handOver(batch);
                        batch = take();
                    }
                }
                if (batch.records > 0 && System.nanoTime() - batch.openedNanos >= maxWaitNanos) {
                    handOver(batch);
                    batch = take();
                }
                updateLag();
            }
            if (batch.records > 0) {
                handOver(batch);
            }
            coordinator.snapshotAndWait();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            if (abandoned) {
                log.debug("the rating intake stopped without the final checkpoint: {}", t.toString());
            } else {
                failure = t;
                log.error("the rating intake stopped: {}", t.toString(), t);
            }
        } finally {
            try {
                consumer.close(Duration.ofSeconds(5));
            } catch (KafkaException e) {
                if (!abandoned) {
                    throw e;
                }
                log.debug("the consumer did not close cleanly after the final checkpoint was given up: {}", e.toString());
            }
        }
    }

    private static long ceilMillis(long nanos) {
        return (nanos + 999_999L) / 1_000_000L;
    }

    private void take(ConsumerRecord<byte[], byte[]> r, IntakeBatch batch) {
        try {
            batch.add(RatingCodec.parse(r.key(), r.value(), r.timestamp()), r.timestamp());
        } catch (ContractViolation e) {
            batch.deadLetters.add(DeadLetter.of(r, e.getMessage()));
            metrics.invalid();
            if (log.isDebugEnabled()) {
                log.debug("dead letter from {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
            }
        }
        batch.taken(r.partition(), r.offset());
        metrics.consumed();
    }

    private IntakeBatch take() throws InterruptedException {
        IntakeBatch b = empty.take();
        b.clear();
        return b;
    }

    /** Whether the batch still holds a batch's worth of ratings once the repeats among them are dropped. */
    private boolean fullOnceRepeatsDropped(IntakeBatch batch) {
        metrics.repeated(batch.dropRepeats(seen));
        return batch.ratings.size() >= batchSize;
    }

    private void handOver(IntakeBatch batch) throws InterruptedException {
        metrics.repeated(batch.dropRepeats(seen));
        batch.sealOffsets();
        coordinator.prepare(batch);
        full.put(batch);
        batch.replayStepsAtHandOver = coordinator.replayStepsSoFar();
    }

    /** Ratings behind the end of the log plus those queued for training; -1 while unknown (no fetch yet). */
    private void updateLag() {
        Set<TopicPartition> assigned = consumer.assignment();
        long total = full.size() * (long) batchSize;
        for (TopicPartition tp : assigned) {
            OptionalLong behind = consumer.currentLag(tp);
            if (behind.isEmpty()) {
                lag.set(-1);
                return;
            }
            total += behind.getAsLong();
        }
        lag.set(assigned.isEmpty() ? -1 : total);
    }

    /** Runs on this thread inside poll(). */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty() || abandoned) {
                return; // abandoned: the stop gave the final checkpoint up, and the last committed one stands
            }
            log.info("partitions revoked: {}; publishing what was trained before letting them go", partitions);
            coordinator.snapshotAndWait();
            partitions.forEach(tp -> startPositions.remove(tp.partition()));
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            throw new IllegalStateException("lost partitions " + partitions + " without a chance to commit (the group"
                    + " session expired): the in-memory model has trained on ratings whose offsets now belong to"
                    + " someone else. Stopping; a restart rebuilds the model from the last committed snapshot.");
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            Set<TopicPartition> assigned = Set.copyOf(partitions);
            Map<TopicPartition, Long> positions = new HashMap<>();
            for (TopicPartition tp : assigned) {
                long position = consumer.position(tp);
                coordinator.verifyPosition(tp.partition(), position);
                startPositions.put(tp.partition(), position);
                positions.put(tp, position);
            }
            if (!assigned.isEmpty()) {
                log.info("partitions assigned: {}", assigned);
                rememberEventIdsBefore(positions);
            }
        }
    }

    /**
     * Reads back the event ids of the last ratings trained before the positions a partition is resumed from (its
     * share of {@code trainer.dedup.window}), so a repeat of a rating trained before a restart is still known.
     */
    private void rememberEventIdsBefore(Map<TopicPartition, Long> positions) {
        long perPartition = seen.window() / Topics.RATINGS.partitions();
        if (perPartition == 0) {
            return;
        }
        long start = System.nanoTime();
        long read = 0;
        try (KafkaConsumer<byte[], byte[]> reader = new KafkaConsumer<>(
                KafkaClients.consumer(settings, groupId + "-event-ids", null))) {
            reader.assign(positions.keySet());
            Map<TopicPartition, Long> beginnings = reader.beginningOffsets(positions.keySet());
            Map<TopicPartition, Long> left = new HashMap<>();
            positions.forEach((tp, position) -> {
                long from = Math.max(beginnings.get(tp), position - perPartition);
                if (from < position) {
                    reader.seek(tp, from);
                    left.put(tp, position);
                }
            });
            reader.pause(positions.keySet().stream().filter(tp -> !left.containsKey(tp)).toList());
            while (!left.isEmpty()) {
                for (ConsumerRecord<byte[], byte[]> r : reader.poll(Duration.ofMillis(500))) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    Long end = left.get(tp);
                    if (end == null || r.offset() >= end) {
                        continue;
                    }
                    read++;
                    try {
                        String id = RatingCodec.parse(r.key(), r.value(), r.timestamp()).eventId();
                        if (id != null) {
                            seen.firstTime(id);
                        }
                    } catch (ContractViolation e) {
                        // dead-lettered when it was first read
                    }
                }
                for (TopicPartition tp : Set.copyOf(left.keySet())) {
                    if (reader.position(tp) >= left.get(tp)) {
                        left.remove(tp);
                        reader.pause(Set.of(tp));
                    }
                }
            }
        }
        log.info("remembered {} event ids from the {} ratings before the resumed positions in {} ms", seen.size(), read,
                (System.nanoTime() - start) / 1_000_000);
    }
}
