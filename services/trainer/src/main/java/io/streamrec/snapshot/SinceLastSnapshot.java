package io.streamrec.snapshot;

import io.streamrec.train.Step;
import io.streamrec.train.TrainingListener;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the next snapshot will carry besides the changed rows ({@link ChangedRows}): the ratings trained and the
 * records consumed since the last one, their mean loss, the dead letters met, and per ratings partition the range of
 * offsets covered. A listener beside the training loop for what training knows; the loop reports what the intake
 * handed over. When is a snapshot due: after {@code everyEvents} trained ratings or {@code everyMs}, whichever comes
 * first, once anything was consumed or replay moved rows (or, for serving, rows are waiting: {@link #due(boolean)}).
 */
public final class SinceLastSnapshot implements TrainingListener {
    private final long everyEvents;
    private final long everyNanos;
    /** Per partition, where the last snapshot ended and how far the model has consumed since. */
    private Map<Integer, Long> from;
    private final Map<Integer, Long> to;
    private final List<ProducerRecord<byte[], byte[]>> deadLetters = new ArrayList<>();
    private long events;
    private long records;
    private double loss;
    private int steps;
    private long startedNanos = System.nanoTime();
    /** Whether replay moved rows since the last snapshot: they are published even when no rating came. */
    private boolean replayed;

    /** @param resumedAt per partition, the offset the restored model is trained up to */
    public SinceLastSnapshot(long everyEvents, long everyMs, Map<Integer, Long> resumedAt) {
        this.everyEvents = everyEvents;
        this.everyNanos = everyMs * 1_000_000L;
        this.from = new HashMap<>(resumedAt);
        this.to = new HashMap<>(resumedAt);
    }

    /** Ratings and loss of fresh steps only: replay is training, not ratings (but its rows are news to publish). */
    @Override
    public void afterStep(Step step) {
        if (step.replay()) {
            replayed = true;
            return;
        }
        events += step.size();
        loss += step.loss();
        steps++;
    }

    /** Records a batch the intake handed over: records taken (valid or not), next offsets, dead letters. */
    public void consumed(int batchRecords, Map<Integer, Long> nextOffsets, List<ProducerRecord<byte[], byte[]>> letters) {
        records += batchRecords;
        to.putAll(nextOffsets);
        deadLetters.addAll(letters);
    }

    /** A partition newly assigned at this position: snapshots cover it from here, even while it stays idle. */
    public void assigned(int partition, long position) {
        from.putIfAbsent(partition, position);
        to.putIfAbsent(partition, position);
    }

    public boolean anythingConsumed() {
        return records > 0;
    }

    public boolean due() {
        return due(false);
    }

    /** @param rowsWaiting rows are left to serve (ServedRows' budget): due on time alone, with nothing new trained */
    public boolean due(boolean rowsWaiting) {
        return (records > 0 || replayed || rowsWaiting)
                && (events >= everyEvents || System.nanoTime() - startedNanos >= everyNanos);
    }

    /** What the snapshot being taken covers; everything starts again from its end. */
    public Covered take() {
        Covered c = new Covered(new TreeMap<>(from), new TreeMap<>(to), events, List.copyOf(deadLetters),
                steps == 0 ? Double.NaN : loss / steps);
        from = new HashMap<>(to);
        deadLetters.clear();
        events = 0;
        records = 0;
        loss = 0;
        steps = 0;
        replayed = false;
        startedNanos = System.nanoTime();
        return c;
    }

    /**
     * @param from        per partition, where the previous snapshot ended
     * @param to          per partition, the next offset to consume: what the model is trained up to
     * @param events      valid ratings trained in between
     * @param deadLetters invalid records met in between
     * @param meanLoss    mean loss of the steps in between, NaN without steps
     */
    public record Covered(Map<Integer, Long> from, Map<Integer, Long> to, long events,
                          List<ProducerRecord<byte[], byte[]>> deadLetters, double meanLoss) {
    }
}
