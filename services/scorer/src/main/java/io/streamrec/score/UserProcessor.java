package io.streamrec.score;

import io.streamrec.contract.ContractViolation;
import io.streamrec.contract.FactorRow;
import io.streamrec.contract.Rating;
import io.streamrec.contract.RatingCodec;
import io.streamrec.contract.Recommendation;
import io.streamrec.contract.Topics;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The partitioned half of the scorer, one instance per task (a partition of {@code ratings} and of the
 * co-partitioned {@code model-user-factors}): keeps each user's ratings and factor row, and recomputes lists.
 *
 * <ul>
 *   <li>A rating recomputes its user's list at once, inside {@code process}: nothing waits for a timer. When the
 *       rating is older than {@code scorer.backlog-ms} (the scorer is catching up after a start or fell behind),
 *       its user joins the rescore queue instead, and waits there while backlog ratings keep coming (at most
 *       {@code scorer.backlog-ms}), so a user with a hundred ratings in the backlog is ranked about once, with all
 *       of them, rather than a hundred times.</li>
 *   <li>A user factor row joins the queue; a wall-clock punctuator works the queue in batches, at most
 *       {@code scorer.rescore.round-ms} per round so ratings are not held up long. A row of snapshot v waits until v
 *       is complete on this instance ({@link ItemModel}) and until the scorer has seen as many ratings of the user as
 *       the row counts, so a list is never ranked by new user factors against old item factors, nor left holding an
 *       item the row learnt from but the scorer has not excluded yet; after {@code scorer.rescore.grace-ms} it goes
 *       anyway.</li>
 *   <li>When the item factors moved a lot ({@link ItemModel#rescoreAllGeneration()}), every user this task knows
 *       joins the queue.</li>
 * </ul>
 * The queue is itself a changelogged store, so a snapshot's rescoring survives a crash or a rebalance. A rating
 * that arrives on another partition than its key's goes round through {@link ScorerTopology#reroutedRatings}.
 */
final class UserProcessor implements Processor<byte[], byte[], String, byte[]> {
    static final String HISTORIES = "user-ratings";
    static final String ROWS = "user-factors";
    static final String QUEUE = "rescore-queue";
    /** How often the queue is looked at; rounds end after {@code scorer.rescore.round-ms}. */
    static final Duration TICK = Duration.ofMillis(5);
    /**
     * The task counts as catching up while its last backlog rating is this recent. Not one tick: on a loaded
     * machine the stream thread can be descheduled for tens of milliseconds between two polls of a backlog, and
     * a 5 ms window then ranked each backlog user about ten times instead of once (seen on 2 busy cores).
     */
    static final Duration CATCH_UP_QUIET = Duration.ofMillis(50);
    /** Users taken from the queue per pass through the recommender. */
    private static final int PASS = 4 * Ranker.BATCH;
    private static final Logger log = LoggerFactory.getLogger(UserProcessor.class);

    private final ScorerState state;
    private final Serializer<Recommendation> json = Topics.RECOMMENDATIONS.valueSerde().serializer();
    private final LinkedHashMap<String, Pending> pending = new LinkedHashMap<>();
    private ProcessorContext<String, byte[]> context;
    private KeyValueStore<String, byte[]> histories;
    private KeyValueStore<String, byte[]> rows;
    private KeyValueStore<String, byte[]> queue;
    private Recommender recommender;
    private int partition;
    private long startedAt;
    private long generation;
    /** When this task last took a backlog rating: while it keeps taking them, it is catching up. */
    private long lastBacklogAt = Long.MIN_VALUE / 2;

    private final String reroutedTopic;

    UserProcessor(ScorerState state, String reroutedTopic) {
        this.state = state;
        this.reroutedTopic = reroutedTopic;
    }

    /** A user waiting in the rescore queue. */
    private static final class Pending {
        Trigger trigger;
        long triggeredAt;
        long enqueuedAt;
        long awaitVersion;
        int awaitCount;
        /** Produce times of live ratings folded into this wait, for the latency histogram (not persisted). */
        long[] ratedAt = new long[0];

        byte[] encode() {
            return ByteBuffer.allocate(1 + 8 + 8 + 8 + 4).order(ByteOrder.LITTLE_ENDIAN)
                    .put((byte) trigger.ordinal()).putLong(triggeredAt).putLong(enqueuedAt).putLong(awaitVersion)
                    .putInt(awaitCount).array();
        }

        static Pending decode(byte[] bytes) {
            ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            Pending p = new Pending();
            p.trigger = Trigger.values()[buf.get()];
            p.triggeredAt = buf.getLong();
            p.enqueuedAt = buf.getLong();
            p.awaitVersion = buf.getLong();
            p.awaitCount = buf.getInt();
            return p;
        }
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        histories = context.getStateStore(HISTORIES);
        rows = context.getStateStore(ROWS);
        queue = context.getStateStore(QUEUE);
        recommender = new Recommender(state);
        partition = context.taskId().partition();
        startedAt = context.currentSystemTimeMs();
        generation = state.items.rescoreAllGeneration();
        rebuildPopularity();
        try (KeyValueIterator<String, byte[]> it = queue.all()) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> kv = it.next();
                pending.put(kv.key, Pending.decode(kv.value));
            }
        }
        state.metrics.pendingChanged(pending.size());
        context.schedule(TICK, PunctuationType.WALL_CLOCK_TIME, this::tick);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        RecordMetadata source = context.recordMetadata().orElseThrow();
        if (source.topic().equals(Topics.RATINGS.name())) {
            if (record.key() != null && source.partition() != partitionOf(record.key())) {
                // Not where the user's factors and state are: on to the partition of its key (one more hop).
                context.forward(record.withKey(new String(record.key(), StandardCharsets.UTF_8)), ScorerTopology.REROUTE_SINK);
                state.metrics.rerouted();
                return;
            }
            onRating(record, source.offset(), false);
        } else if (source.topic().equals(reroutedTopic)) {
            onRating(record, source.offset(), true);
        } else {
            onUserRow(record);
        }
    }

    /** The partition Kafka's default partitioner (murmur2, the Java client's) gives a key: where its user lives. */
    static int partitionOf(byte[] key) {
        return Utils.toPositive(Utils.murmur2(key)) % Topics.USER_PARTITIONS;
    }

    private void onRating(Record<byte[], byte[]> record, long offset, boolean rerouted) {
        Rating rating;
        try {
            rating = RatingCodec.parse(record.key(), record.value(), record.timestamp());
        } catch (ContractViolation e) {
            // The trainer's consumer dead-letters invalid ratings; here they are only skipped and counted.
            state.metrics.invalid(ScorerMetrics.Input.RATINGS);
            log.debug("skipping an invalid rating at {}-{}@{}: {}", Topics.RATINGS.name(), partition, offset, e.getMessage());
            return;
        }
        String key = rating.key();
        UserHistory history = history(key);
        if (history.apply(rating.movieId(), rating.rating(), offset, rerouted, record.timestamp())) {
            histories.put(key, history.encode());
            state.popularity.record(partition, rating.movieId());
        }
        boolean live = record.timestamp() >= startedAt;
        if (!live) {
            state.metrics.backlogRating();
        }
        long now = context.currentSystemTimeMs();
        if (now - record.timestamp() > state.config.backlog().toMillis()) {
            lastBacklogAt = now;
            Pending p = enqueue(key, Trigger.RATING, record.timestamp(), 0, 0, now);
            if (live) {
                p.ratedAt = java.util.Arrays.copyOf(p.ratedAt, p.ratedAt.length + 1);
                p.ratedAt[p.ratedAt.length - 1] = record.timestamp();
            }
            return;
        }
        Pending waiting = dequeue(key);
        Recommendation list = recommender.recommend(
                new Recommender.UserState(rating.userId(), history, row(key), Trigger.RATING, record.timestamp()), now);
        send(list);
        long sentAt = System.currentTimeMillis();
        if (live) {
            state.metrics.ratingLatency(record.timestamp(), sentAt);
        }
        if (waiting != null) {
            for (long t : waiting.ratedAt) {
                state.metrics.ratingLatency(t, sentAt);
            }
        }
    }

    private void onUserRow(Record<byte[], byte[]> record) {
        String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        long now = context.currentSystemTimeMs();
        if (Ids.parse(key) < 0) {
            state.metrics.invalid(ScorerMetrics.Input.USER_FACTORS);
            log.warn("skipping a user factor row whose key '{}' is not a userId", key);
            return;
        }
        if (record.value() == null) {
            rows.delete(key);
            enqueue(key, Trigger.SNAPSHOT, record.timestamp(), 0, 0, now);
            return;
        }
        FactorRow row;
        try {
            row = FactorRow.decode(record.value());
        } catch (ContractViolation e) {
            state.metrics.invalid(ScorerMetrics.Input.USER_FACTORS);
            log.warn("skipping user {}'s factor row: {}", key, e.getMessage());
            return;
        }
        // Only the parameters are needed to score: the optimizer state (as large again, or twice) is dropped.
        rows.put(key, row.state().length == 0 ? record.value()
                : new FactorRow(row.modelVersion(), row.count(), row.params(), new float[0]).encode());
        enqueue(key, Trigger.SNAPSHOT, record.timestamp(), row.modelVersion(), row.count(), now);
    }

    /** Works the queue for at most one round. */
    private void tick(long now) {
        long current = state.items.rescoreAllGeneration();
        if (current != generation) {
            generation = current;
            enqueueEveryone(now);
        }
        if (pending.isEmpty()) {
            return;
        }
        long deadline = System.nanoTime() + state.config.rescoreRound().toNanos();
        long grace = state.config.rescoreGrace().toMillis();
        long complete = state.items.completeVersion();
        // While backlog ratings keep coming, their users wait (up to scorer.backlog-ms) for more of theirs.
        boolean catchingUp = now - lastBacklogAt < CATCH_UP_QUIET.toMillis();
        long backlog = state.config.backlog().toMillis();
        do {
            List<Recommender.UserState> users = new ArrayList<>(PASS);
            List<Pending> taken = new ArrayList<>(PASS);
            Iterator<Map.Entry<String, Pending>> it = pending.entrySet().iterator();
            while (it.hasNext() && users.size() < PASS) {
                Map.Entry<String, Pending> e = it.next();
                Pending p = e.getValue();
                boolean overdue = now - p.enqueuedAt >= grace;
                if (p.trigger == Trigger.RATING && catchingUp && now - p.enqueuedAt < backlog) {
                    continue;
                }
                if (!overdue && p.trigger == Trigger.SNAPSHOT && p.awaitVersion > complete) {
                    continue;
                }
                UserHistory h = storedHistory(e.getKey());
                if (!overdue && p.trigger == Trigger.SNAPSHOT && (h == null ? 0 : h.seen()) < p.awaitCount) {
                    continue;
                }
                users.add(new Recommender.UserState(Long.parseLong(e.getKey()), h, row(e.getKey()), p.trigger,
                        p.triggeredAt));
                taken.add(p);
                it.remove();
                queue.delete(e.getKey());
            }
            if (users.isEmpty()) {
                return;
            }
            state.metrics.pendingChanged(-users.size());
            List<Recommendation> lists = recommender.recommend(users, now);
            for (Recommendation list : lists) {
                send(list);
            }
            long sentAt = System.currentTimeMillis();
            for (Pending p : taken) {
                for (long t : p.ratedAt) {
                    state.metrics.ratingLatency(t, sentAt);
                }
            }
        } while (!pending.isEmpty() && System.nanoTime() < deadline);
    }

    private Pending enqueue(String key, Trigger trigger, long triggeredAt, long awaitVersion, int awaitCount, long now) {
        Pending p = pending.get(key);
        if (p == null) {
            p = new Pending();
            p.trigger = trigger;
            p.triggeredAt = triggeredAt;
            p.enqueuedAt = now;
            pending.put(key, p);
            state.metrics.pendingChanged(1);
        } else if (trigger == Trigger.RATING && p.trigger != Trigger.RATING) {
            // The user's own action is the fresher cause, and the list reports its time, not the factor row's:
            // subscribers match a list to the rating that caused it by triggeredAt.
            p.trigger = Trigger.RATING;
            p.triggeredAt = triggeredAt;
        } else if (trigger == p.trigger) {
            p.triggeredAt = Math.max(p.triggeredAt, triggeredAt);
        }
        p.awaitVersion = Math.max(p.awaitVersion, awaitVersion);
        p.awaitCount = Math.max(p.awaitCount, awaitCount);
        queue.put(key, p.encode());
        return p;
    }

    private Pending dequeue(String key) {
        Pending p = pending.remove(key);
        if (p != null) {
            queue.delete(key);
            state.metrics.pendingChanged(-1);
        }
        return p;
    }

    /** Queues every user this task holds state for: after the item factors moved enough to reorder lists. */
    private void enqueueEveryone(long now) {
        int before = pending.size();
        for (KeyValueStore<String, byte[]> store : List.of(rows, histories)) {
            try (KeyValueIterator<String, byte[]> it = store.all()) {
                while (it.hasNext()) {
                    String key = it.next().key;
                    if (!pending.containsKey(key)) {
                        enqueue(key, Trigger.SNAPSHOT, now, 0, 0, now);
                    }
                }
            }
        }
        log.info("partition {}: item factors moved, {} users queued for rescoring", partition, pending.size() - before);
    }

    /** Refills this partition's popularity window from its users' ratings, latest offsets last. */
    private void rebuildPopularity() {
        int window = state.config.popularityWindow();
        LatestOffsets latest = new LatestOffsets(window);
        try (KeyValueIterator<String, byte[]> it = histories.all()) {
            while (it.hasNext()) {
                UserHistory h = UserHistory.decode(it.next().value);
                for (int i = 0; i < h.size(); i++) {
                    latest.offer(h.offset(i), h.movieId(i));
                }
            }
        }
        state.popularity.rebuild(partition, latest.movieIdsOldestFirst());
    }

    private void send(Recommendation list) {
        context.forward(new Record<>(list.key(), json.serialize(Topics.RECOMMENDATIONS.name(), list), list.generatedAt()),
                ScorerTopology.RECOMMENDATIONS_SINK);
    }

    private UserHistory history(String key) {
        UserHistory h = storedHistory(key);
        return h == null ? new UserHistory() : h;
    }

    private UserHistory storedHistory(String key) {
        byte[] bytes = histories.get(key);
        return bytes == null ? null : UserHistory.decode(bytes);
    }

    private FactorRow row(String key) {
        byte[] bytes = rows.get(key);
        return bytes == null ? null : FactorRow.decode(bytes);
    }

    @Override
    public void close() {
        state.popularity.drop(partition);
        state.metrics.pendingChanged(-pending.size());
        pending.clear();
    }

    /** The {@code size} entries with the highest offsets, by a min-heap on offset. */
    private static final class LatestOffsets {
        private final long[] offsets;
        private final long[] movieIds;
        private int size;

        LatestOffsets(int capacity) {
            offsets = new long[capacity];
            movieIds = new long[capacity];
        }

        void offer(long offset, long movieId) {
            if (size < offsets.length) {
                int c = size++;
                offsets[c] = offset;
                movieIds[c] = movieId;
                while (c > 0 && offsets[(c - 1) >> 1] > offsets[c]) {
                    swap(c, (c - 1) >> 1);
                    c = (c - 1) >> 1;
                }
                return;
            }
            if (offset <= offsets[0]) {
                return;
            }
            offsets[0] = offset;
            movieIds[0] = movieId;
            int c = 0;
            while (true) {
                int l = 2 * c + 1;
                if (l >= size) {
                    break;
                }
                int m = l + 1 < size && offsets[l + 1] < offsets[l] ? l + 1 : l;
                if (offsets[c] <= offsets[m]) {
                    break;
                }
                swap(c, m);
                c = m;
            }
        }

        long[] movieIdsOldestFirst() {
            Integer[] order = new Integer[size];
            for (int i = 0; i < size; i++) {
                order[i] = i;
            }
            java.util.Arrays.sort(order, (a, b) -> Long.compare(offsets[a], offsets[b]));
            long[] out = new long[size];
            for (int i = 0; i < size; i++) {
                out[i] = movieIds[order[i]];
            }
            return out;
        }

        private void swap(int a, int b) {
            long o = offsets[a];
            offsets[a] = offsets[b];
            offsets[b] = o;
            long m = movieIds[a];
            movieIds[a] = movieIds[b];
            movieIds[b] = m;
        }
    }
}
