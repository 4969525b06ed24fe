package io.streamrec.score.stream;

import io.streamrec.score.state.ScorerMetrics;
import io.streamrec.score.state.Trigger;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;

/**
 * The users of one task waiting to be rescored, each once, those a rating queued ahead of those only a snapshot
 * queued, each group in arrival order: an in-memory index over a changelogged store, so a snapshot's rescoring
 * survives a crash or a rebalance. Ratings go first because a continually training trainer queues most users at
 * every snapshot: behind tens of thousands of them in one line, a rating's list waited seconds. What a waiting user waits for is the
 * {@linkplain #isDue gating policy}; how an entry is stored is {@link Waiting#encode}.
 */
final class RescoreQueue {
    private final KeyValueStore<String, byte[]> store;
    private final ScorerMetrics metrics;
    /** Users a rating queued (whatever else did too), and users only a snapshot queued: no user in both. */
    private final LinkedHashMap<String, Waiting> ratings = new LinkedHashMap<>();
    private final LinkedHashMap<String, Waiting> snapshots = new LinkedHashMap<>();

    /**
     * Loads what the store holds (after a restart or a rebalance, the queue as it was), each line in the order its
     * users were queued, none queued later than {@code now}: the store returns them by key, and another instance's
     * clock may run ahead of this one's, while {@link #take} relies on the order.
     */
    RescoreQueue(KeyValueStore<String, byte[]> store, ScorerMetrics metrics, long now) {
        this.store = store;
        this.metrics = metrics;
        List<Map.Entry<String, Waiting>> loaded = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> kv = it.next();
                Waiting w = Waiting.decode(kv.value);
                w.enqueuedAt = Math.min(w.enqueuedAt, now);
                loaded.add(Map.entry(kv.key, w));
            }
        }
        loaded.sort(Comparator.comparingLong(e -> e.getValue().enqueuedAt));
        loaded.forEach(e -> line(e.getValue().trigger).put(e.getKey(), e.getValue()));
        metrics.pendingChanged(ratings.size() + snapshots.size());
    }

    /** A user waiting in the queue. */
    static final class Waiting {
        Trigger trigger;
        long triggeredAt;
        long enqueuedAt;
        /** A snapshot-triggered user waits until this version is complete here ... */
        long awaitVersion;
        /** ... and until the scorer has seen as many of the user's ratings as the row counts. */
        int awaitCount;
        /** Produce times of live ratings folded into this wait, for the latency histogram (not persisted). */
        long[] ratedAt = new long[0];

        /** 29 bytes, little-endian: trigger ordinal, triggeredAt, enqueuedAt, awaitVersion, awaitCount. */
        byte[] encode() {
            return ByteBuffer.allocate(1 + 8 + 8 + 8 + 4).order(ByteOrder.LITTLE_ENDIAN)
                    .put((byte) trigger.ordinal()).putLong(triggeredAt).putLong(enqueuedAt).putLong(awaitVersion)
                    .putInt(awaitCount).array();
        }

        static Waiting decode(byte[] bytes) {
            ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            Waiting w = new Waiting();
            w.trigger = Trigger.values()[buf.get()];
            w.triggeredAt = buf.getLong();
            w.enqueuedAt = buf.getLong();
            w.awaitVersion = buf.getLong();
            w.awaitCount = buf.getInt();
            return w;
        }
    }

    /**
     * Queues a user, or merges the cause into their wait: a rating outranks a snapshot as the cause (subscribers match
     * a list to the rating that caused it by its time), and the awaited version and count only grow.
     */
    Waiting add(String user, Trigger trigger, long triggeredAt, long awaitVersion, int awaitCount, long now) {
        Waiting w = get(user);
        if (w == null) {
            w = new Waiting();
            w.trigger = trigger;
            w.triggeredAt = triggeredAt;
            w.enqueuedAt = now;
            line(trigger).put(user, w);
            metrics.pendingChanged(1);
        } else if (trigger == Trigger.RATING && w.trigger != Trigger.RATING) {
            w.trigger = Trigger.RATING;
            w.triggeredAt = triggeredAt;
            snapshots.remove(user);
            ratings.put(user, w);
        } else if (trigger == w.trigger) {
            w.triggeredAt = Math.max(w.triggeredAt, triggeredAt);
        }
        w.awaitVersion = Math.max(w.awaitVersion, awaitVersion);
        w.awaitCount = Math.max(w.awaitCount, awaitCount);
        store.put(user, w.encode());
        return w;
    }

    /** Queues a live rating's user, remembering when it was produced for the latency histogram. */
    void addRating(String user, long producedAt, boolean live, long now) {
        Waiting w = add(user, Trigger.RATING, producedAt, 0, 0, now);
        if (live) {
            w.ratedAt = Arrays.copyOf(w.ratedAt, w.ratedAt.length + 1);
            w.ratedAt[w.ratedAt.length - 1] = producedAt;
        }
    }

    /**
     * Queues again a taken user whose list will not be sent (a rating made it stale), keeping what they waited for:
     * a rating stays the cause, and its produce times stay counted.
     */
    void requeue(String user, Waiting taken, long now) {
        Waiting w = add(user, taken.trigger, taken.triggeredAt, taken.awaitVersion, taken.awaitCount, now);
        long[] times = Arrays.copyOf(w.ratedAt, w.ratedAt.length + taken.ratedAt.length);
        System.arraycopy(taken.ratedAt, 0, times, w.ratedAt.length, taken.ratedAt.length);
        w.ratedAt = times;
    }

    /** Takes a user out of the queue (their list is being computed anyway); null when they were not waiting. */
    Waiting remove(String user) {
        Waiting w = ratings.remove(user);
        if (w == null) {
            w = snapshots.remove(user);
        }
        if (w != null) {
            store.delete(user);
            metrics.pendingChanged(-1);
        }
        return w;
    }

    boolean contains(String user) {
        return get(user) != null;
    }

    boolean isEmpty() {
        return ratings.isEmpty() && snapshots.isEmpty();
    }

    /**
     * The gating policy, for one round of the queue.
     *
     * @param now             wall-clock milliseconds
     * @param catchingUp      whether backlog ratings are still coming: their users wait for more of theirs
     * @param backlogWaitMs   how long a backlog user waits at most for that
     * @param graceMs         how long a snapshot-triggered user waits at most for its snapshot and ratings
     * @param completeVersion the newest snapshot version whose item rows and manifest have all arrived here
     */
    record Gate(long now, boolean catchingUp, long backlogWaitMs, long graceMs, long completeVersion) {
    }

    /**
     * Whether a waiting user is due. A rating-triggered user waits while the task catches up on a backlog (so a user
     * with a hundred ratings in it is ranked once, with all of them). A user whose factor row of snapshot v arrived
     * waits until v is complete here and until the scorer has seen as many of their ratings as the row counts, so a
     * list is never ranked by new user factors against old item factors, nor left holding an item the row learnt
     * from but the scorer has not excluded yet. After the grace period everyone goes, except that ratings come
     * first: while the task catches up on late ratings, a user only a snapshot queued waits, however long. Ranking
     * snapshot users competes for the same cores (a continually training trainer touches most users every second),
     * and without this the ratings fell further behind for as long as the snapshots kept coming (bench soak: p99
     * 107 s after 3 minutes and growing).
     */
    static boolean isDue(Waiting w, Gate gate, IntSupplier seenRatings) {
        if (w.trigger == Trigger.RATING) {
            return !(gate.catchingUp() && gate.now() - w.enqueuedAt < gate.backlogWaitMs());
        }
        if (gate.catchingUp()) {
            return false;
        }
        boolean overdue = gate.now() - w.enqueuedAt >= gate.graceMs();
        return overdue || w.trigger != Trigger.SNAPSHOT
                || w.awaitVersion <= gate.completeVersion() && (w.awaitCount <= 0 || seenRatings.getAsInt() >= w.awaitCount);
    }

    /**
     * Removes and returns up to {@code max} users who are due, rating-queued ones first, each group in queue order. They stay in the store until
     * {@link #done}, so a task that closes while their lists are being computed leaves them to its next owner.
     *
     * @param ratingsOnly take only users a rating queued
     * @param busy        users not to take now (their previous list is still being computed)
     * @param seenRatings a user's ratings the scorer has seen (asked only when a snapshot-triggered user's wait needs it)
     */
    List<Map.Entry<String, Waiting>> takeDue(int max, Gate gate, boolean ratingsOnly, Predicate<String> busy,
                                             ToIntFunction<String> seenRatings) {
        List<Map.Entry<String, Waiting>> due = new ArrayList<>();
        take(ratings, due, max, gate, busy, seenRatings);
        if (!ratingsOnly && !gate.catchingUp()) { // else no snapshot-queued user is due (isDue): skip the walk over them
            take(snapshots, due, max, gate, busy, seenRatings);
        }
        metrics.pendingChanged(-due.size());
        return due;
    }

    private static void take(LinkedHashMap<String, Waiting> line, List<Map.Entry<String, Waiting>> due, int max,
                             Gate gate, Predicate<String> busy, ToIntFunction<String> seenRatings) {
        Iterator<Map.Entry<String, Waiting>> it = line.entrySet().iterator();
        while (it.hasNext() && due.size() < max) {
            Map.Entry<String, Waiting> e = it.next();
            Waiting w = e.getValue();
            IntSupplier seen = () -> seenRatings.applyAsInt(e.getKey());
            boolean rating = w.trigger == Trigger.RATING;
            if (rating && !isDue(w, gate, seen)) {
                // A rating-queued user who is not due is waiting out the backlog, and those behind them in the line
                // were queued later, so none of them is due either (except one moved over from the snapshots' line,
                // queued earlier: it goes when those ahead of it do; or one queued before the wall clock stepped
                // back). Walking on, over thousands at 10,000 ratings/s, was 14 % of the stream thread (JFR, bench
                // score), every round.
                break;
            }
            if (busy.test(e.getKey())) {
                continue;
            }
            // Asked after the cheap test: a snapshot-queued user's wait may read their history from the store.
            if (!rating && !isDue(w, gate, seen)) {
                continue;
            }
            due.add(Map.entry(e.getKey(), w));
            it.remove();
        }
    }

    private Waiting get(String user) {
        Waiting w = ratings.get(user);
        return w != null ? w : snapshots.get(user);
    }

    private LinkedHashMap<String, Waiting> line(Trigger trigger) {
        return trigger == Trigger.RATING ? ratings : snapshots;
    }

    /** A taken user's list was sent (or superseded): forgets them in the store too, unless they queued again since. */
    void done(String user) {
        if (get(user) == null) {
            store.delete(user);
        }
    }

    /** Forgets the in-memory index when the task closes (the store stays, for whoever takes the task). */
    void close() {
        metrics.pendingChanged(-(ratings.size() + snapshots.size()));
        ratings.clear();
        snapshots.clear();
    }
}
