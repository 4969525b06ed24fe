package io.streamrec.score.state;

import io.streamrec.contract.Recommendation;
import io.streamrec.contract.Topics;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The list each user of this instance's partitions last got on {@code recommendations}, so that a query answers
 * with what the topic holds. Ranking afresh at query time gave another list whenever the item factors had moved
 * since the user's list was sent without moving enough for a full rescore (continual training moves them a little
 * in every snapshot): in the demo, 588 of 610 queried lists differed from the topic's.
 *
 * <p>Kept compact (movie ids and single-precision scores, as the topic's JSON writes them; titles are looked up
 * again when answering), about 250 bytes a user (40 MB for ml-25m's 162,541), and not changelogged: the topic is
 * the lists' durable copy. When a partition's task arrives (a start, a restart, a rebalance) its lists are read back
 * from that partition of the topic (compacted, keyed and partitioned by user like the scorer's inputs), on a thread
 * of their own: until that is done a user with no list sent from here is ranked afresh (trigger {@code request}),
 * and a list sent from here meanwhile is newer than any read back, so it stays. (Before the reading back, a scorer
 * restarted over ml-latest-small's stream answered all 610 users with a fresh ranking: the same items while the
 * model stood still, but not the topic's list.) A partition's lists are dropped when its task leaves. Written by the
 * stream threads (each for its own partitions) and the reading back, read by the query threads.
 */
public final class SentLists implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SentLists.class);
    /** A partition not read back by then (no broker) is left to the lists sent from here. */
    private static final Duration READ_BACK_LIMIT = Duration.ofMinutes(2);

    private final Map<Integer, Map<Long, Sent>> byPartition = new ConcurrentHashMap<>();
    /** A consumer of the topic for each reading back (assigned, no group); null: lists are not read back. */
    private final Supplier<Consumer<byte[], byte[]>> topicReader;
    private final Set<Consumer<byte[], byte[]>> reading = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;
    private final ExecutorService readBacks = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "scorer-sent-lists");
        t.setDaemon(true);
        return t;
    });

    /**
     * A sent list without its titles, its numbers packed in one array: model version, generatedAt, triggeredAt
     * ({@link #NOT_TRIGGERED} for none), the item count n, n movie ids, then the n scores' float bits two to a long.
     * A record with arrays of ids and scores was four objects a list, each living until the user's next list (long
     * after the young collections that copied it again and again: docs/architecture.md, "What survives a young
     * collection"); this is two. Trigger and source are the scorer's own constants (interned when read back).
     */
    private record Sent(String trigger, String source, long[] packed) {
        private static final long NOT_TRIGGERED = Long.MIN_VALUE;
        private static final int HEADER = 4;

        static Sent of(Recommendation list, boolean readBack) {
            List<Recommendation.Item> items = list.items();
            int n = items.size();
            long[] packed = new long[HEADER + n + (n + 1) / 2];
            packed[0] = list.modelVersion();
            packed[1] = list.generatedAt();
            packed[2] = list.triggeredAt() == null ? NOT_TRIGGERED : list.triggeredAt();
            packed[3] = n;
            for (int i = 0; i < n; i++) {
                Recommendation.Item item = items.get(i);
                packed[HEADER + i] = item.movieId();
                long bits = Float.floatToRawIntBits((float) item.score()) & 0xFFFF_FFFFL;
                packed[HEADER + n + i / 2] |= i % 2 == 0 ? bits : bits << 32;
            }
            return readBack ? new Sent(intern(list.trigger()), intern(list.source()), packed)
                    : new Sent(list.trigger(), list.source(), packed);
        }

        Recommendation toList(long userId, Catalog catalog) {
            int n = (int) packed[3];
            List<Recommendation.Item> items = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                long movieId = packed[HEADER + i];
                int bits = (int) (packed[HEADER + n + i / 2] >>> (i % 2 == 0 ? 0 : 32));
                items.add(new Recommendation.Item(movieId, catalog.title(movieId), Float.intBitsToFloat(bits)));
            }
            return new Recommendation(userId, packed[0], packed[1], packed[2] == NOT_TRIGGERED ? null : packed[2],
                    trigger, source, items);
        }

        private static String intern(String s) {
            return s == null ? null : s.intern();
        }
    }

    /** Lists sent from here only; nothing is read back from the topic. */
    public SentLists() {
        this(null);
    }

    /** @param topicReader makes a consumer of {@code recommendations} for reading a partition back; null: none */
    public SentLists(Supplier<Consumer<byte[], byte[]>> topicReader) {
        this.topicReader = topicReader;
    }

    /** A partition's task arrived at this instance: its lists start afresh, and are read back from the topic. */
    public void arrived(int partition) {
        Map<Long, Sent> lists = new ConcurrentHashMap<>();
        byPartition.put(partition, lists);
        if (topicReader != null && !closed) {
            readBacks.execute(() -> readBack(partition, lists));
        }
    }

    public void sent(int partition, Recommendation list) {
        byPartition.computeIfAbsent(partition, p -> new ConcurrentHashMap<>()).put(list.userId(), Sent.of(list, false));
    }

    /** The user's list on the topic, titled from the catalogue, or null when none was sent from here or read back. */
    public Recommendation latest(int partition, long userId, Catalog catalog) {
        Map<Long, Sent> lists = byPartition.get(partition);
        Sent s = lists == null ? null : lists.get(userId);
        return s == null ? null : s.toList(userId, catalog);
    }

    /** Forgets a partition's lists: its task left this instance. */
    public void drop(int partition) {
        byPartition.remove(partition);
    }

    /**
     * Stops reading back: woken, not interrupted, so a consumer under way still closes cleanly (an interrupted one
     * logs an error as its fetcher fails to close).
     */
    @Override
    public void close() {
        closed = true;
        reading.forEach(Consumer::wakeup);
        readBacks.shutdown();
    }

    /**
     * Reads the partition from the beginning to its end when the task arrived, keeping each user's last list (none
     * after a tombstone), then adds those of users with no list sent from here since. An unreadable record is
     * skipped: the topic is the lists' copy, not their source.
     */
    private void readBack(int partition, Map<Long, Sent> lists) {
        if (closed) {
            return;
        }
        TopicPartition tp = new TopicPartition(Topics.RECOMMENDATIONS.name(), partition);
        Deserializer<Recommendation> json = Topics.RECOMMENDATIONS.valueSerde().deserializer();
        Map<Long, Sent> latest = new HashMap<>();
        int unreadable = 0;
        long started = System.nanoTime();
        try (Consumer<byte[], byte[]> consumer = topicReader.get()) {
            reading.add(consumer);
            try {
                consumer.assign(List.of(tp));
                consumer.seekToBeginning(List.of(tp));
                long end = consumer.endOffsets(List.of(tp)).get(tp);
                long deadline = started + READ_BACK_LIMIT.toNanos();
                while (!closed && consumer.position(tp) < end && byPartition.get(partition) == lists) {
                    if (System.nanoTime() > deadline) {
                        log.warn("partition {} of {}: not read back within {} s; queries rank afresh the users with no "
                                + "list sent from here", partition, tp.topic(), READ_BACK_LIMIT.toSeconds());
                        return;
                    }
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        if (r.offset() >= end) {
                            break; // sent from here since: already in the lists
                        }
                        try {
                            if (r.value() == null) {
                                latest.remove(Long.parseLong(new String(r.key(), StandardCharsets.UTF_8)));
                            } else {
                                Recommendation list = json.deserialize(tp.topic(), r.value());
                                latest.put(list.userId(), Sent.of(list, true));
                            }
                        } catch (RuntimeException e) {
                            unreadable++;
                        }
                    }
                }
            } finally {
                reading.remove(consumer);
            }
        } catch (WakeupException e) {
            return; // closing
        } catch (RuntimeException e) {
            log.warn("partition {} of {} could not be read back ({}); queries rank afresh the users with no list sent "
                    + "from here", partition, tp.topic(), e.toString());
            return;
        }
        if (!closed && byPartition.get(partition) == lists) {
            latest.forEach(lists::putIfAbsent);
            log.debug("partition {}: {} users' lists read back from {} in {} ms ({} unreadable records skipped)",
                    partition, latest.size(), tp.topic(), (System.nanoTime() - started) / 1_000_000, unreadable);
        }
    }
}
