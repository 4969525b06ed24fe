package io.streamrec.stream;

import io.streamrec.contract.Rating;
import io.streamrec.train.PreparedBatch;
import io.streamrec.dataset.RatingBatch;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the consuming thread hands the training thread: valid ratings in consumption order, prepared to train, the
 * dead letters met on the way, and per partition the next offset after the last record taken (valid or not). Recycled through a
 * pool, so the number of batches in flight is bounded by construction.
 */
final class IntakeBatch {
    final RatingBatch ratings;
    /**
     * Each rating's event-id {@link RecentEventIds#fingerprint} (0 when it has none) and produce time (Kafka record
     * timestamp), read by {@link #dropRepeats}.
     */
    private long[] eventIds;
    private long[] produceTimes;
    /** Ratings before this one are checked for repeats. */
    private int checked;
    /** The ratings made ready to train on the intake thread (ids mapped, negatives drawn). */
    final PreparedBatch prepared = new PreparedBatch();
    final List<ProducerRecord<byte[], byte[]>> deadLetters = new ArrayList<>();
    /** Complete once {@link #sealOffsets()} has run (at the hand-over). */
    final Map<Integer, Long> nextOffsets = new HashMap<>();
    /** Records taken, valid and invalid. */
    int records;
    /**
     * The partition of the records being taken and the offset after the last one: a poll returns each partition's
     * records together, so the map is written once per run rather than once per record (a boxed put per record was
     * a tenth of the intake thread's samples, bench stream under JFR).
     */
    private int runPartition = -1;
    private long runNextOffset;
    /** Produce time of the oldest rating checked and kept, for the ingest-lag metric. */
    long oldestProduceTime = Long.MAX_VALUE;
    long openedNanos;
    /**
     * The trainer's replay steps so far just after this batch was handed over (-1 until then): how many it waited
     * behind is counted. Written after the hand-over so a descheduled intake never inflates the count.
     */
    volatile long replayStepsAtHandOver = -1;

    IntakeBatch(int capacity) {
        ratings = new RatingBatch(capacity);
        eventIds = new long[capacity];
        produceTimes = new long[capacity];
    }

    /** A valid rating, produced at {@code produceTime}; whether it repeats an earlier one is settled by {@link #dropRepeats}. */
    void add(Rating rating, long produceTime) {
        int at = ratings.size();
        ratings.add(rating.userId(), rating.movieId(), rating.rating(), rating.timestamp());
        if (at == eventIds.length) {
            eventIds = Arrays.copyOf(eventIds, Math.max(16, at * 2));
            produceTimes = Arrays.copyOf(produceTimes, eventIds.length);
        }
        eventIds[at] = rating.eventId() == null ? 0 : RecentEventIds.fingerprint(rating.eventId());
        produceTimes[at] = produceTime;
    }

    /**
     * Drops the ratings added since the last call whose event id was seen within the window (this batch's earlier
     * ratings included), records the others' ids, and returns how many were dropped. The intake calls it when a
     * batch looks full and at every cut, so a batch is still cut at its size in ratings that are not repeats. In one
     * loop over many ratings the lookups' cache misses overlap (see {@link RecentEventIds#firstTime(long)}): per
     * record, between parses, the check was a fifth of the intake thread's samples in {@code bench stream}
     * (async-profiler).
     */
    int dropRepeats(RecentEventIds seen) {
        long[] ids = eventIds;
        long[] produced = produceTimes;
        int dropped = ratings.retain(checked, i -> {
            if (ids[i] != 0 && !seen.firstTime(ids[i])) {
                return false;
            }
            oldestProduceTime = Math.min(oldestProduceTime, produced[i]);
            return true;
        });
        checked = ratings.size();
        return dropped;
    }

    /** Counts a record taken (valid or not) at its partition and offset. */
    void taken(int partition, long offset) {
        if (partition != runPartition) {
            sealOffsets();
            runPartition = partition;
        }
        runNextOffset = offset + 1;
        records++;
    }

    /** Brings {@link #nextOffsets} up to date with the records taken. */
    void sealOffsets() {
        if (runPartition >= 0) {
            nextOffsets.put(runPartition, runNextOffset);
        }
    }

    void clear() {
        ratings.clear();
        checked = 0;
        deadLetters.clear();
        nextOffsets.clear();
        runPartition = -1;
        records = 0;
        oldestProduceTime = Long.MAX_VALUE;
        replayStepsAtHandOver = -1;
    }
}
