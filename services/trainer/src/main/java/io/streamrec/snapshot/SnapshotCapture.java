package io.streamrec.snapshot;

import io.streamrec.contract.FactorRow;
import io.streamrec.contract.SnapshotManifest;
import io.streamrec.contract.Topics;
import io.streamrec.train.DenseTensor;
import io.streamrec.train.Engine;
import io.streamrec.train.OnlineTrainer;
import io.streamrec.train.Table;
import io.streamrec.train.Vocabulary;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Copies what a serving snapshot or a checkpoint needs out of the trainer, on the training thread; encoding and
 * sending happen on the publishers' threads.
 */
public final class SnapshotCapture {
    /** Rows exported per engine call: bounds the temporary arrays, whatever the size of the capture. */
    private static final int CHUNK = 8192;

    private SnapshotCapture() {
    }

    /**
     * A serving snapshot of the rows that are news to the scorers; its manifest's {@code rowsWaiting} counts those the
     * budget left for the next snapshots.
     *
     * @param refresh make every row that differs at all from what was served due ({@link ServedRows})
     * @param last    the last before the trainer stops or lets its partitions go: every row with news is served
     */
    public static ServingSnapshot serving(OnlineTrainer trainer, ChangedRows changed, ServedRows users,
                                          ServedRows items, long version, SinceLastSnapshot.Covered covered,
                                          Map<String, Double> metrics, boolean refresh,
                                          boolean last) {
        Engine engine = trainer.engine();
        CapturedRows userRows = users.select(engine, trainer.users(), changed.drainUsers(), Topics.USER_FACTORS.name(),
                version, refresh, last);
        CapturedRows itemRows = items.select(engine, trainer.items(), changed.drainItems(), Topics.ITEM_FACTORS.name(),
                version, refresh, last);
        Map<String, Double> withWaiting = new LinkedHashMap<>(metrics);
        withWaiting.put("rowsWaiting", (double) (users.waiting() + items.waiting()));
        SnapshotManifest manifest = manifest(trainer, version, covered, 0, userRows.size(), itemRows.size(), false,
                withWaiting);
        return new ServingSnapshot(manifest, List.of(userRows, itemRows));
    }

    /** A checkpoint of every row changed since the previous checkpoint, with optimizer state and counts. */
    public static Checkpoint checkpoint(OnlineTrainer trainer, ChangedRows changed, long number,
                                        SinceLastSnapshot.Covered covered, Map<String, Double> metrics) {
        CapturedRows users = withState(trainer, Table.USERS, changed.drainUsers(), Topics.USER_CHECKPOINTS.name(), number);
        CapturedRows items = withState(trainer, Table.ITEMS, changed.drainItems(), Topics.ITEM_CHECKPOINTS.name(), number);
        SnapshotManifest manifest = manifest(trainer, number, covered, covered.deadLetters().size(), users.size(),
                items.size(), true, metrics);
        Map<TopicPartition, OffsetAndMetadata> offsets = new LinkedHashMap<>();
        covered.to().forEach((p, to) -> offsets.put(new TopicPartition(Topics.RATINGS.name(), p), new OffsetAndMetadata(to)));
        return new Checkpoint(manifest, List.of(users, items), covered.deadLetters(), offsets);
    }

    private static SnapshotManifest manifest(OnlineTrainer trainer, long version, SinceLastSnapshot.Covered covered,
                                             long deadLettered, long userRows, long itemRows, boolean withState,
                                             Map<String, Double> metrics) {
        Map<String, SnapshotManifest.DenseWeights> dense = new LinkedHashMap<>();
        Map<String, Object> config = new LinkedHashMap<>(trainer.config().describe());
        for (Map.Entry<String, DenseTensor> e : trainer.engine().exportDense().entrySet()) {
            DenseTensor t = e.getValue();
            dense.put(e.getKey(), SnapshotManifest.DenseWeights.of(t.shape(), t.values(), withState ? t.state() : null));
            if (e.getKey().equals("offset")) {
                config.put("globalOffset", t.values()[0]);
            }
        }
        List<SnapshotManifest.OffsetRange> ranges = new ArrayList<>();
        covered.to().forEach((p, to) -> ranges.add(new SnapshotManifest.OffsetRange(p, covered.from().getOrDefault(p, to), to)));
        return new SnapshotManifest(trainer.config().model().id(), version, System.currentTimeMillis(),
                covered.events(), trainer.eventsTrained(), deadLettered, ranges, userRows, itemRows, config, dense,
                metrics);
    }

    private static CapturedRows withState(OnlineTrainer trainer, Table table, int[] rows, String topic, long version) {
        Engine engine = trainer.engine();
        int width = engine.layout().width();
        int stateWidth = engine.layout().stateWidth();
        Vocabulary vocabulary = table == Table.USERS ? trainer.users() : trainer.items();
        long[] ids = new long[rows.length];
        int[] counts = new int[rows.length];
        float[] params = new float[rows.length * width];
        float[] state = new float[rows.length * stateWidth];
        int chunk = Math.min(CHUNK, Math.max(1, rows.length));
        int[] slice = new int[chunk];
        float[] p = new float[chunk * width];
        float[] st = new float[chunk * stateWidth];
        for (int from = 0; from < rows.length; from += chunk) {
            int n = Math.min(chunk, rows.length - from);
            System.arraycopy(rows, from, slice, 0, n);
            engine.exportRows(table, slice, n, p, st);
            System.arraycopy(p, 0, params, from * width, n * width);
            System.arraycopy(st, 0, state, from * stateWidth, n * stateWidth);
            for (int k = 0; k < n; k++) {
                ids[from + k] = vocabulary.id(slice[k]);
                counts[from + k] = vocabulary.count(slice[k]);
            }
        }
        return new CapturedRows(topic, version, ids, counts, params, width, state, stateWidth,
                FactorRow.Precision.FLOAT32);
    }
}
