package io.streamrec.snapshot;

import io.streamrec.config.Settings;
import io.streamrec.contract.ContractViolation;
import io.streamrec.contract.FactorRow;
import io.streamrec.contract.Rating;
import io.streamrec.contract.RatingCodec;
import io.streamrec.contract.SnapshotManifest;
import io.streamrec.contract.Topics;
import io.streamrec.kafka.KafkaClients;
import io.streamrec.train.DenseTensor;
import io.streamrec.train.OnlineTrainer;
import io.streamrec.train.Table;
import io.streamrec.train.TrainerConfig;
import io.streamrec.train.Vocabulary;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Rebuilds a trainer from the topics alone (a new machine with an empty disk needs nothing else): the latest
 * committed checkpoint of the model, every row from the compacted checkpoint topics (parameters, optimizer state
 * and counts, so the rebuilt model is the checkpointed one), the dense weights and their state from the checkpoint
 * manifest, and each user's rated items (and the replay memory) from the ratings the model was trained on. The
 * ratings after the checkpoint's offsets are then consumed and trained again, in order: the restored model is the
 * checkpoint plus those ratings, each counted once.
 *
 * <p>Everything is read with read_committed: rows of an aborted checkpoint or serving snapshot (a trainer killed
 * mid-transaction) are invisible, and so are the aborted records' offsets. Call it after the publishers'
 * {@link SnapshotPublisher#fencePredecessors()}, so nobody commits meanwhile.
 */
public final class ModelRestorer {
    private static final Logger log = LoggerFactory.getLogger(ModelRestorer.class);
    private static final int CHUNK = 8192;
    private static final Duration POLL = Duration.ofMillis(200);

    private final Settings settings;

    public ModelRestorer(Settings settings) {
        this.settings = settings;
    }

    /**
     * The restored checkpoint; {@code manifest} is null when the model was never checkpointed.
     *
     * @param servingVersion the latest serving snapshot's version, which serving versions continue from (0: none)
     */
    public record Restored(SnapshotManifest manifest, long servingVersion, long userRows, long itemRows,
                           double seconds) {
        /** The checkpoint's number, 0 when there is none. */
        public long version() {
            return manifest == null ? 0 : manifest.version();
        }

        /** Per ratings partition, the next offset the restored model has not been trained on. */
        public Map<Integer, Long> trainedUpTo() {
            Map<Integer, Long> to = new HashMap<>();
            if (manifest != null) {
                manifest.offsets().forEach(r -> to.put(r.partition(), r.to()));
            }
            return to;
        }
    }

    public Restored restore(OnlineTrainer trainer) {
        long start = System.nanoTime();
        String model = trainer.config().model().id();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
                KafkaClients.consumer(settings, "streamrec-trainer-restore", null))) {
            SnapshotManifest served = latestManifest(consumer, Topics.SNAPSHOTS.name(), model);
            if (served != null) {
                requireCompatible(served, trainer.config());
            }
            long servingVersion = served == null ? 0 : served.version();
            SnapshotManifest manifest = latestManifest(consumer, Topics.CHECKPOINTS.name(), model);
            if (manifest == null) {
                // Never checkpointed (a first start, or a trainer killed before its first checkpoint committed): no
                // offsets were committed either, so the consumer starts from the beginning and trains everything.
                return new Restored(null, servingVersion, 0, 0, (System.nanoTime() - start) / 1e9);
            }
            requireCompatible(manifest, trainer.config());
            long users = loadRows(consumer, trainer, Table.USERS, manifest.version());
            long items = loadRows(consumer, trainer, Table.ITEMS, manifest.version());
            Map<String, DenseTensor> dense = new LinkedHashMap<>();
            manifest.dense().forEach((name, w) -> dense.put(name, new DenseTensor(
                    w.shape().stream().mapToInt(Integer::intValue).toArray(), w.values(),
                    Objects.requireNonNullElse(w.stateValues(), new float[0]))));
            trainer.engine().importDense(dense);
            trainer.setEventsTrained(manifest.eventsTotal());
            long replayed = replayRatedItems(consumer, trainer, manifest);
            Restored restored = new Restored(manifest, servingVersion, users, items,
                    (System.nanoTime() - start) / 1e9);
            log.info("restored model {} from checkpoint {} (serving v{}): {} user and {} item rows, {} events trained,"
                            + " rated items from {} ratings, in {} s", model, manifest.version(), servingVersion,
                    trainer.users().size(), trainer.items().size(), manifest.eventsTotal(), replayed,
                    String.format("%.2f", restored.seconds()));
            return restored;
        }
    }

    /** The newest committed manifest of a model on a manifest topic: read backwards from the end in growing windows. */
    static SnapshotManifest latestManifest(KafkaConsumer<byte[], byte[]> consumer, String topic, String model) {
        TopicPartition tp = new TopicPartition(topic, 0);
        consumer.assign(List.of(tp));
        long end = consumer.endOffsets(List.of(tp)).get(tp);
        long begin = consumer.beginningOffsets(List.of(tp)).get(tp);
        for (long window = 64; ; window *= 4) {
            long from = Math.max(begin, end - window);
            SnapshotManifest[] latest = {null};
            consumer.seek(tp, from);
            drain(consumer, Map.of(tp, end), r -> {
                if (model.equals(new String(r.key(), StandardCharsets.UTF_8))) {
                    latest[0] = Topics.SNAPSHOTS.valueSerde().deserializer().deserialize(topic, r.value());
                }
            });
            if (latest[0] != null || from == begin) {
                return latest[0];
            }
        }
    }

    private static void requireCompatible(SnapshotManifest manifest, TrainerConfig config) {
        Map<String, Object> published = manifest.config();
        Map<String, Object> wanted = config.describe();
        for (String key : List.of("model", "objective", "dim", "mlpDim", "layers", "optimizer")) {
            if (!Objects.equals(String.valueOf(published.get(key)), String.valueOf(wanted.get(key)))) {
                throw new IllegalStateException("the published model '" + manifest.model() + "' v" + manifest.version()
                        + " has " + key + "=" + published.get(key) + " but this trainer is configured with " + key + "="
                        + wanted.get(key) + ". Keep the model's configuration, or start on fresh topics.");
            }
        }
    }

    private long loadRows(KafkaConsumer<byte[], byte[]> consumer, OnlineTrainer trainer, Table table, long version) {
        String topic = table == Table.USERS ? Topics.USER_CHECKPOINTS.name() : Topics.ITEM_CHECKPOINTS.name();
        Vocabulary vocabulary = table == Table.USERS ? trainer.users() : trainer.items();
        int width = trainer.engine().layout().width();
        int stateWidth = trainer.engine().layout().stateWidth();
        RowImport chunk = new RowImport(trainer, table, vocabulary, width, stateWidth);
        List<TopicPartition> tps = partitions(consumer, topic);
        consumer.assign(tps);
        consumer.seekToBeginning(tps);
        Map<TopicPartition, Long> end = consumer.endOffsets(tps);
        long[] count = {0};
        drain(consumer, end, r -> {
            FactorRow row = FactorRow.decode(r.value());
            if (row.modelVersion() > version) {
                throw new IllegalStateException(topic + " holds a row of v" + row.modelVersion() + ", newer than the"
                        + " latest manifest v" + version + ": another trainer committed while this one restored");
            }
            if (row.params().length != width || row.state().length != stateWidth) {
                throw new IllegalStateException(topic + " row of width " + row.params().length + "+" + row.state().length
                        + " does not fit this model's " + width + "+" + stateWidth);
            }
            chunk.add(Long.parseLong(new String(r.key(), StandardCharsets.UTF_8)), row);
            count[0]++;
        });
        chunk.flush();
        return count[0];
    }

    /**
     * Re-reads the ratings the manifest says the model was trained on, to know what each user has rated, and to
     * refill the replay memory (partition by partition, so its "newest" are each partition's last ratings).
     */
    private long replayRatedItems(KafkaConsumer<byte[], byte[]> consumer, OnlineTrainer trainer, SnapshotManifest manifest) {
        Map<TopicPartition, Long> end = new HashMap<>();
        manifest.offsets().forEach(r -> end.put(new TopicPartition(Topics.RATINGS.name(), r.partition()), r.to()));
        consumer.assign(end.keySet());
        consumer.seekToBeginning(end.keySet());
        long[] count = {0};
        drain(consumer, end, r -> {
            if (r.offset() >= end.get(new TopicPartition(r.topic(), r.partition()))) {
                return;
            }
            try {
                Rating rating = RatingCodec.parse(r.key(), r.value(), r.timestamp());
                int u = trainer.users().find(rating.userId());
                int i = trainer.items().find(rating.movieId());
                if (u >= 0 && i >= 0) {
                    trainer.rated().add(u, i);
                    trainer.memory().add(u, i, rating.rating());
                    count[0]++;
                }
            } catch (ContractViolation ignored) {
                // dead-lettered when it was first consumed; not part of the model
            }
        });
        return count[0];
    }

    private static List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> consumer, String topic) {
        List<TopicPartition> tps = new ArrayList<>();
        for (PartitionInfo p : consumer.partitionsFor(topic)) {
            tps.add(new TopicPartition(topic, p.partition()));
        }
        return tps;
    }

    /** Polls the assigned partitions until each position reaches its end offset. */
    private static void drain(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end,
                              Consumer<ConsumerRecord<byte[], byte[]>> each) {
        while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
                each.accept(r);
            }
        }
    }

    /** Buffers decoded rows and imports them into the engine a chunk at a time. */
    private static final class RowImport {
        private final OnlineTrainer trainer;
        private final Table table;
        private final Vocabulary vocabulary;
        private final int width;
        private final int stateWidth;
        private final int[] rows = new int[CHUNK];
        private final Map<Integer, Integer> slots = new HashMap<>();
        private final float[] params;
        private final float[] state;
        private int n;

        RowImport(OnlineTrainer trainer, Table table, Vocabulary vocabulary, int width, int stateWidth) {
            this.trainer = trainer;
            this.table = table;
            this.vocabulary = vocabulary;
            this.width = width;
            this.stateWidth = stateWidth;
            this.params = new float[CHUNK * width];
            this.state = new float[CHUNK * stateWidth];
        }

        /** A compacted topic may still hold older versions of a row: the later one (in offset order) wins. */
        void add(long id, FactorRow row) {
            int r = vocabulary.rowOf(id);
            vocabulary.setCount(r, row.count());
            Integer existing = slots.putIfAbsent(r, n);
            int slot = existing != null ? existing : n++;
            rows[slot] = r;
            System.arraycopy(row.params(), 0, params, slot * width, width);
            System.arraycopy(row.state(), 0, state, slot * stateWidth, stateWidth);
            if (n == CHUNK) {
                flush();
            }
        }

        void flush() {
            slots.clear();
            if (n > 0) {
                trainer.ensureRows(trainer.users().size(), trainer.items().size());
                trainer.engine().importRows(table, rows, n, params, state);
                n = 0;
            }
        }
    }
}
