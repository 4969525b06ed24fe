package io.streamrec.score.stream;

import io.streamrec.score.model.TopKHeap;
import io.streamrec.score.state.Ids;
import io.streamrec.score.state.Trigger;
import io.streamrec.score.state.Recommender;
import io.streamrec.score.state.UserHistory;
import io.streamrec.score.state.ScorerState;
import io.streamrec.score.state.ScorerMetrics;
import io.streamrec.score.model.Ranker;
import io.streamrec.contract.ContractViolation;
import io.streamrec.contract.FactorRow;
import io.streamrec.contract.Rating;
import io.streamrec.contract.RatingCodec;
import io.streamrec.contract.Recommendation;
import io.streamrec.contract.Topics;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * The partitioned half of the scorer, one instance per task (a partition of {@code ratings} and of the
 * co-partitioned {@code model-user-factors}): keeps each user's ratings and factor row, and recomputes lists.
 *
 * <ul>
 *   <li>A rating recomputes its user's list at once, inside {@code process}: nothing waits for a timer. When the
 *       rating is older than {@code scorer.backlog-ms} (the scorer is catching up after a start or fell behind),
 *       its user joins the rescore queue instead, and waits there while backlog ratings keep coming (at most
 *       {@code scorer.backlog-wait-ms}), so a user with a hundred ratings in the backlog is ranked about once,
 *       with all of them, rather than a hundred times.</li>
 *   <li>A user factor row joins the queue; a wall-clock punctuator works the queue in batches, at most
 *       {@code scorer.rescore.round-ms} per round so ratings are not held up long. With
 *       {@code scorer.rescore.threads} (the default), the stream thread only reads the batch's state and hands it
 *       to a rescoring thread (while the rescoring threads are full, it ranks the users a rating queued itself),
 *       and sends the lists in a later round once computed: a list a rating made stale meanwhile (its own list
 *       went out at once) is dropped, so the topic never goes back to a list that may hold an item the user has
 *       rated since. A user is in one hand-over at a time. A row of snapshot v waits until v
 *       is complete on this instance ({@link ItemModel}) and until the scorer has seen as many ratings of the user as
 *       the row counts, so a list is never ranked by new user factors against old item factors, nor left holding an
 *       item the row learnt from but the scorer has not excluded yet; after {@code scorer.rescore.grace-ms} it goes
 *       anyway.</li>
 *   <li>When the item factors moved a lot ({@link ItemModel#rescoreAllGeneration()}), or moved less and then came
 *       to rest ({@link ItemModel#rescoreAtRest}, asked at every tick), every user this task knows joins the
 *       queue.</li>
 * </ul>
 * The queue is itself a changelogged store, so a snapshot's rescoring survives a crash or a rebalance. A rating
 * that arrives on another partition than its key's goes round through {@link ScorerTopology#reroutedRatings}.
 */
public final class UserProcessor implements Processor<byte[], byte[], String, byte[]> {
    public static final String HISTORIES = "user-ratings";
    public static final String ROWS = "user-factors";
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
    /** Users handed to the rescoring threads and not sent yet, at most: enough to keep them busy between two rounds. */
    private static final int MAX_HANDED_OVER = 16 * PASS;
    private static final Logger log = LoggerFactory.getLogger(UserProcessor.class);

    private final ScorerState state;
    private final Serializer<Recommendation> json = Topics.RECOMMENDATIONS.valueSerde().serializer();
    private ProcessorContext<String, byte[]> context;
    private KeyValueStore<String, byte[]> histories;
    private KeyValueStore<String, byte[]> rows;
    private RescoreQueue queue;
    private Recommender recommender;
    private int partition;
    private long startedAt;
    private long generation;
    /** When this task last took a backlog rating: while it keeps taking them, it is catching up. */
    private long lastBacklogAt = Long.MIN_VALUE / 2;
    /** Batches handed to the rescoring threads, oldest first. */
    private final ArrayDeque<Handover> handedOver = new ArrayDeque<>();
    /** Per user in a hand-over, the latest one's number and wait; a user whose list was made stale since has none. */
    private final Map<String, HandedOver> latestHandover = new HashMap<>();
    private long handovers;
    private int usersHandedOver;

    /** A user's place in a hand-over: its number, and what the user waited for. */
    private record HandedOver(long number, RescoreQueue.Waiting waiting) {
    }

    /** Queued users whose lists a rescoring thread computes. */
    private record Handover(long number, List<Map.Entry<String, RescoreQueue.Waiting>> users,
                            Future<List<Recommendation>> lists) {
    }

    private final String reroutedTopic;

    UserProcessor(ScorerState state, String reroutedTopic) {
        this.state = state;
        this.reroutedTopic = reroutedTopic;
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        histories = context.getStateStore(HISTORIES);
        rows = context.getStateStore(ROWS);
        queue = new RescoreQueue(context.getStateStore(QUEUE), state.metrics, context.currentSystemTimeMs());
        recommender = new Recommender(state);
        partition = context.taskId().partition();
        startedAt = context.currentSystemTimeMs();
        generation = state.items.rescoreAllGeneration();
        state.sentLists.arrived(partition);
        rebuildPopularity();
        context.schedule(TICK, PunctuationType.WALL_CLOCK_TIME, this::tick);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        RecordMetadata source = context.recordMetadata().orElseThrow();
        if (source.topic().equals(Topics.RATINGS.name())) {
            if (record.key() != null && source.partition() != partitionOf(record.key())) {
                reroute(record, source.offset());
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
    public static int partitionOf(byte[] key) {
        return Utils.toPositive(Utils.murmur2(key)) % Topics.USER_PARTITIONS;
    }

    /**
     * A rating that is not where its user's factors and state are goes on to the partition of its key (one more
     * hop), validated first: an invalid record is skipped here as anywhere else, never copied. What goes is the
     * rating's canonical JSON without the original headers, so the copy is small whatever the original carried (a
     * 3 MB value that a producer compressed past the broker's limit cannot be sent again uncompressed).
     */
    private void reroute(Record<byte[], byte[]> record, long offset) {
        Rating rating = validOrNull(record, offset);
        if (rating == null) {
            return;
        }
        context.forward(new Record<>(rating.key(), RatingCodec.toJson(rating), record.timestamp()),
                ScorerTopology.REROUTE_SINK);
        state.metrics.rerouted();
    }

    /** The rating, or null for an invalid record, which is skipped and counted. */
    private Rating validOrNull(Record<byte[], byte[]> record, long offset) {
        try {
            return RatingCodec.parse(record.key(), record.value(), record.timestamp());
        } catch (ContractViolation e) {
            // The trainer's consumer dead-letters invalid ratings; here they are only skipped and counted.
            state.metrics.invalid(ScorerMetrics.Input.RATINGS);
            log.debug("skipping an invalid rating at {}-{}@{}: {}", Topics.RATINGS.name(), partition, offset, e.getMessage());
            return null;
        }
    }

    private void onRating(Record<byte[], byte[]> record, long offset, boolean rerouted) {
        Rating rating = validOrNull(record, offset);
        if (rating == null) {
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
        if (live) {
            // Not `now`: Kafka Streams hands every record of a task's batch the same cached time.
            long takenAt = System.currentTimeMillis();
            state.metrics.ratingArrived(record.timestamp(), takenAt);
            state.lateness.taken(record.timestamp(), takenAt);
        }
        // A list being computed for this user on a rescoring thread is older than the one this rating brings: it will
        // not be sent, and what its user waited for joins this rating's wait.
        HandedOver stale = latestHandover.remove(key);
        if (stale != null) {
            queue.requeue(key, stale.waiting(), now);
        }
        if (now - record.timestamp() > state.config.backlog().toMillis()) {
            lastBacklogAt = now;
            queue.addRating(key, record.timestamp(), live, now);
            return;
        }
        RescoreQueue.Waiting waiting = queue.remove(key);
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
        // A list being computed for this user is still sent: it knows every rating this row does, only older
        // factors, and the row queues the user for a fresher one. (Dropping it instead starved a user whose row
        // changed in every snapshot, as continual training does: each list was stale before it was sent.)
        if (record.value() == null) {
            rows.delete(key);
            queue.add(key, Trigger.SNAPSHOT, record.timestamp(), 0, 0, now);
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
        queue.add(key, Trigger.SNAPSHOT, record.timestamp(), row.modelVersion(), row.count(), now);
    }

    /** Works the queue for at most one round: sends what the rescoring threads computed, hands over more. */
    private void tick(long now) {
        state.items.rescoreAtRest(now);
        long current = state.items.rescoreAllGeneration();
        if (current != generation) {
            generation = current;
            enqueueEveryone(now);
        }
        long deadline = System.nanoTime() + state.config.rescoreRound().toNanos();
        sendComputed(deadline);
        if (queue.isEmpty() || System.nanoTime() >= deadline) {
            return;
        }
        // While backlog ratings keep coming, their users wait (up to scorer.backlog-wait-ms) for more of theirs.
        RescoreQueue.Gate gate = new RescoreQueue.Gate(now, now - lastBacklogAt < CATCH_UP_QUIET.toMillis(),
                state.config.backlogWait().toMillis(), state.config.rescoreGrace().toMillis(), state.items.completeVersion());
        do {
            // With the rescoring threads full (of a snapshot's users, say), the stream thread ranks the users a
            // rating queued itself, never a snapshot's: a backlog with a short scorer.backlog-ms queues nearly every
            // rating, and one rescoring thread alone then kept up with fewer (bench score, 610 users at 10,000/s:
            // p50 4.4 s instead of 0.7 s).
            boolean rescorersFull = state.rescorers != null && usersHandedOver >= MAX_HANDED_OVER;
            // Histories the wait's test read, kept for the ranking: one store read and decode a user, not two.
            Map<String, UserHistory> read = new HashMap<>();
            // A user whose list is being computed stays queued until it is sent: one hand-over per user at a time.
            List<Map.Entry<String, RescoreQueue.Waiting>> due = queue.takeDue(PASS, gate, rescorersFull,
                    latestHandover::containsKey,
                    user -> {
                        UserHistory h = storedHistory(user);
                        read.put(user, h);
                        return h == null ? 0 : h.seen();
                    });
            if (due.isEmpty()) {
                return;
            }
            List<Recommender.UserState> users = new ArrayList<>(due.size());
            for (Map.Entry<String, RescoreQueue.Waiting> e : due) {
                String user = e.getKey();
                UserHistory history = read.containsKey(user) ? read.get(user) : storedHistory(user);
                users.add(new Recommender.UserState(Long.parseLong(user), history, row(user), e.getValue().trigger,
                        e.getValue().triggeredAt));
            }
            if (state.rescorers == null || rescorersFull) {
                List<Recommendation> lists = recommender.recommend(users, now);
                for (int i = 0; i < due.size(); i++) {
                    sendQueued(due.get(i), lists.get(i));
                }
            } else {
                long number = ++handovers;
                for (Map.Entry<String, RescoreQueue.Waiting> e : due) {
                    latestHandover.put(e.getKey(), new HandedOver(number, e.getValue()));
                }
                usersHandedOver += due.size();
                handedOver.add(new Handover(number, due,
                        state.rescorers.submit(() -> state.recommender().recommend(users, now))));
            }
        } while (!queue.isEmpty() && System.nanoTime() < deadline);
    }

    /**
     * Sends the lists of the hand-overs computed so far, in hand-over order, skipping those made stale since, until
     * the round's deadline: the rest wait for the next round. The first computed hand-over always goes, so a thread
     * descheduled past the deadline still makes progress; a hand-over is at most {@code PASS} lists. (Unbounded, a
     * snapshot's 500 lists went out in one burst of up to 22 ms, and ratings waited behind it; demo at 1,000/s.)
     */
    private void sendComputed(long deadline) {
        while (!handedOver.isEmpty() && handedOver.peekFirst().lists().isDone()) {
            Handover h = handedOver.pollFirst();
            usersHandedOver -= h.users().size();
            List<Recommendation> lists;
            try {
                lists = h.lists().get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException e) {
                throw new IllegalStateException("a rescoring thread failed", e.getCause());
            }
            for (int i = 0; i < lists.size(); i++) {
                String user = h.users().get(i).getKey();
                HandedOver latest = latestHandover.get(user);
                if (latest != null && latest.number() == h.number()) {
                    latestHandover.remove(user);
                    sendQueued(h.users().get(i), lists.get(i));
                } else {
                    queue.done(user);
                }
            }
            if (System.nanoTime() >= deadline) {
                return;
            }
        }
    }

    /** Sends a queued user's list, and counts the live ratings it answers. */
    private void sendQueued(Map.Entry<String, RescoreQueue.Waiting> user, Recommendation list) {
        send(list);
        queue.done(user.getKey());
        long sentAt = System.currentTimeMillis();
        for (long t : user.getValue().ratedAt) {
            state.metrics.ratingLatency(t, sentAt);
        }
    }

    /** Queues every user this task holds state for: after the item factors moved enough to reorder lists. */
    private void enqueueEveryone(long now) {
        int queued = 0;
        for (KeyValueStore<String, byte[]> store : List.of(rows, histories)) {
            try (KeyValueIterator<String, byte[]> it = store.all()) {
                while (it.hasNext()) {
                    String key = it.next().key;
                    if (!queue.contains(key)) {
                        queue.add(key, Trigger.SNAPSHOT, now, 0, 0, now);
                        queued++;
                    }
                }
            }
        }
        // No input record stands behind these entries, so nothing would queue them again after a crash: commit
        // soon, which writes them from the record cache to the changelog, instead of at the next commit interval.
        context.commit();
        log.debug("partition {}: item factors moved, {} users queued for rescoring", partition, queued);
    }

    /** Refills this partition's popularity window from its users' ratings, latest offsets last. */
    private void rebuildPopularity() {
        int window = state.config.popularityWindow();
        TopKHeap latest = new TopKHeap();
        latest.reset(window);
        try (KeyValueIterator<String, byte[]> it = histories.all()) {
            while (it.hasNext()) {
                UserHistory h = UserHistory.decode(it.next().value);
                for (int i = 0; i < h.size(); i++) {
                    latest.offer(h.movieId(i), h.offset(i));
                }
            }
        }
        long[] movieIds = new long[latest.size()];
        latest.drainDescending(movieIds, new double[movieIds.length]);
        for (int i = 0, j = movieIds.length - 1; i < j; i++, j--) {
            long newer = movieIds[i];
            movieIds[i] = movieIds[j];
            movieIds[j] = newer;
        }
        state.popularity.rebuild(partition, movieIds);
    }

    private void send(Recommendation list) {
        state.sentLists.sent(partition, list);
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
        state.sentLists.drop(partition);
        // Lists still being computed are dropped; their users are still in the queue's store for the next owner.
        handedOver.forEach(h -> h.lists().cancel(false));
        handedOver.clear();
        queue.close();
    }
}
