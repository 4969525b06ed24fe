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
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns the trainer's state since the last snapshot into a {@link Snapshot}: rows copied out and encoded. */
public final class SnapshotCapture {
    /** Rows exported per engine call: bounds the temporary arrays, whatever the size of the snapshot. */
    private static final int CHUNK = 8192;

    private SnapshotCapture() {
    }

    /**
     * @param version the new snapshot's version (previous + 1)
     * @param covered what the snapshot covers since the previous one: offsets, ratings trained, dead letters
     */
    public static Snapshot capture(OnlineTrainer trainer, ChangedRows changed, long version,
                                   SinceLastSnapshot.Covered covered, Map<String, Double> metrics) {
        List<ProducerRecord<byte[], byte[]>> rows = new ArrayList<>();
        int[] users = changed.drainUsers();
        int[] items = changed.drainItems();
        encode(trainer, Table.USERS, users, version, rows);
        encode(trainer, Table.ITEMS, items, version, rows);

        Engine engine = trainer.engine();
        Map<String, SnapshotManifest.DenseWeights> dense = new LinkedHashMap<>();
        Map<String, Object> config = new LinkedHashMap<>(trainer.config().describe());
        for (Map.Entry<String, DenseTensor> e : engine.exportDense().entrySet()) {
            DenseTensor t = e.getValue();
            dense.put(e.getKey(), SnapshotManifest.DenseWeights.of(t.shape(), t.values(), t.state()));
            if (e.getKey().equals("offset")) {
                config.put("globalOffset", t.values()[0]);
            }
        }
        List<SnapshotManifest.OffsetRange> ranges = new ArrayList<>();
        Map<TopicPartition, OffsetAndMetadata> offsets = new LinkedHashMap<>();
        for (Map.Entry<Integer, Long> e : covered.to().entrySet()) {
            int p = e.getKey();
            ranges.add(new SnapshotManifest.OffsetRange(p, covered.from().getOrDefault(p, e.getValue()), e.getValue()));
            offsets.put(new TopicPartition(Topics.RATINGS.name(), p), new OffsetAndMetadata(e.getValue()));
        }
        SnapshotManifest manifest = new SnapshotManifest(trainer.config().model().id(), version,
                System.currentTimeMillis(), covered.events(), trainer.eventsTrained(), covered.deadLetters().size(), ranges,
                users.length, items.length, config, dense, metrics);
        return new Snapshot(manifest, rows, covered.deadLetters(), offsets);
    }

    private static void encode(OnlineTrainer trainer, Table table, int[] rows, long version,
                               List<ProducerRecord<byte[], byte[]>> out) {
        Engine engine = trainer.engine();
        int width = engine.layout().width();
        int stateWidth = engine.layout().stateWidth();
        Vocabulary vocabulary = table == Table.USERS ? trainer.users() : trainer.items();
        String topic = table == Table.USERS ? Topics.USER_FACTORS.name() : Topics.ITEM_FACTORS.name();
        int chunk = Math.min(CHUNK, Math.max(1, rows.length));
        float[] params = new float[chunk * width];
        float[] state = new float[chunk * stateWidth];
        int[] slice = new int[chunk];
        for (int from = 0; from < rows.length; from += chunk) {
            int n = Math.min(chunk, rows.length - from);
            System.arraycopy(rows, from, slice, 0, n);
            engine.exportRows(table, slice, n, params, state);
            for (int k = 0; k < n; k++) {
                int row = slice[k];
                byte[] key = Long.toString(vocabulary.id(row)).getBytes(StandardCharsets.UTF_8);
                byte[] value = FactorRow.encode(version, vocabulary.count(row), params, k * width, width,
                        state, k * stateWidth, stateWidth);
                out.add(new ProducerRecord<>(topic, key, value));
            }
        }
    }
}
