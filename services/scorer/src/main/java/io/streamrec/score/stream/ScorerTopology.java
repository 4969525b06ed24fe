package io.streamrec.score.stream;

import io.streamrec.score.state.ScorerState;
import io.streamrec.score.state.ScorerConfig;
import io.streamrec.contract.Topic;
import io.streamrec.contract.Topics;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

import java.util.Map;

/**
 * The scorer's Kafka Streams topology.
 *
 * <pre>
 *  global (every instance, all partitions):
 *    model-item-factors ─► ItemRowProcessor ─┐
 *    model-snapshots    ─► SnapshotProcessor ─┼─► ItemModel (dense matrix + spec), Catalog
 *    movies             ─► MovieProcessor ────┘
 *  partitioned (co-partitioned by userId, one task per partition):
 *    ratings ──────────────────┐
 *    <app>-rerouted-ratings ───┼─► UserProcessor [user-ratings, user-factors, rescore-queue] ─► recommendations
 *    model-user-factors ───────┘        └─ a rating on the wrong partition ─► <app>-rerouted-ratings
 * </pre>
 *
 * <p>Why global stores for the item side: every instance must score any of its users against every item, and
 * Kafka Streams' global stores give each instance all partitions of a topic, replayed through our processor
 * before any stream task runs. In Kafka 4.3.1 a global store's restore replays the records through the processor
 * rather than copying them into the store (KAFKA-7663; read in GlobalStateManagerImpl#reprocessState), which is
 * what lets the processor keep a dense matrix; the stores are in-memory and never checkpointed, so every start replays the compacted topics fully
 * (59k items × 65 floats: a few seconds). The matrix lives outside the stores (a store of rows would be a second
 * copy that nothing reads), so the global stores themselves stay empty.
 */
public final class ScorerTopology {
    static final String RECOMMENDATIONS_SINK = "recommendations-sink";
    static final String REROUTE_SINK = "rerouted-ratings-sink";

    private ScorerTopology() {
    }

    public static Topology build(ScorerState state) {
        Topology t = new Topology();
        global(t, Topics.ITEM_FACTORS, () -> new ItemRowProcessor(state));
        global(t, Topics.SNAPSHOTS, () -> new SnapshotProcessor(state));
        global(t, Topics.MOVIES, () -> new MovieProcessor(state));

        String rerouted = reroutedRatings(state.config.applicationId()).name();
        t.addSource("ratings-source", new ByteArrayDeserializer(), new ByteArrayDeserializer(), Topics.RATINGS.name());
        t.addSource("rerouted-ratings-source", new ByteArrayDeserializer(), new ByteArrayDeserializer(), rerouted);
        t.addSource("user-factors-source", new ByteArrayDeserializer(), new ByteArrayDeserializer(),
                Topics.USER_FACTORS.name());
        t.addProcessor("users", () -> new UserProcessor(state, rerouted), "ratings-source", "rerouted-ratings-source",
                "user-factors-source");
        ScorerConfig.StoreKind kind = state.config.store();
        for (String store : new String[]{UserProcessor.HISTORIES, UserProcessor.ROWS, UserProcessor.QUEUE}) {
            t.addStateStore(partitioned(store, kind), "users");
        }
        t.addSink(RECOMMENDATIONS_SINK, Topics.RECOMMENDATIONS.name(), new StringSerializer(), new ByteArraySerializer(),
                "users");
        // Written with the producer's default partitioner (murmur2 of the key), the one the contract assumes.
        t.addSink(REROUTE_SINK, rerouted, new StringSerializer(), new ByteArraySerializer(), "users");
        return t;
    }

    /**
     * The scorer's own topic for ratings that arrived on another partition than their key's: {@code ratings} and
     * {@code model-user-factors} are co-partitioned only if every producer partitions keys the way Kafka's Java
     * client does (murmur2). librdkafka-based clients (kcat, confluent-kafka for Python, Go) hash with CRC32 by
     * default: without this detour such a user's ratings and factor row land in different tasks, and the lists
     * (and queries, routed by murmur2) miss what the user rated. Measured with kcat: a list recommending a film
     * the user had just rated. Named after the application id, like Kafka Streams' own internal topics; ratings
     * from Java clients never take it.
     */
    public static Topic<byte[], byte[]> reroutedRatings(String applicationId) {
        return new Topic<>(applicationId + "-rerouted-ratings", Serdes.ByteArray(), Serdes.ByteArray(),
                Topics.USER_PARTITIONS, Topic.Cleanup.DELETE, Map.of("retention.ms", Long.toString(24 * 3600 * 1000L)),
                "Ratings the scorer moved to the partition of their key (murmur2).");
    }

    private static void global(Topology t, Topic<?, ?> topic, ProcessorSupplier<String, byte[], Void, Void> processor) {
        StoreBuilder<?> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("global-" + topic.name()),
                Serdes.String(), Serdes.ByteArray()).withLoggingDisabled();
        t.addGlobalStore(store, topic.name() + "-source", new StringDeserializer(), new ByteArrayDeserializer(),
                topic.name(), topic.name() + "-processor", processor);
    }

    /**
     * A partitioned store, changelogged, behind Kafka Streams' record cache ({@code scorer.record-cache-mb}), which
     * the Processor API leaves off unless asked. A user's rated items are rewritten whole
     * at each of their ratings, and the ratings come in sessions: replaying ml-latest-small, a rating's history
     * averaged 6 KB, so every rating sent 6 KB to RocksDB and to the changelog (6 MB/s at 1,000 ratings/s, on cores
     * the broker, the trainer and the stream thread share). Cached, a key reaches them once per commit or eviction.
     * Measured in the demo at 1,000 ratings/s (three alternating runs each, last 15 s): rating-to-list p99 25, 52
     * and 34 ms cached against 52, 143 and 96 ms with {@code kafka.streams.statestore.cache.max.bytes=0}.
     * A crash loses nothing an input record brought: what the cache held was not committed, so its records are
     * read again ({@code UserProcessor} commits at once after the one write no record brings, a rescore of everyone).
     */
    private static StoreBuilder<?> partitioned(String name, ScorerConfig.StoreKind kind) {
        KeyValueBytesStoreSupplier supplier = kind == ScorerConfig.StoreKind.ROCKSDB
                ? Stores.persistentKeyValueStore(name) : Stores.inMemoryKeyValueStore(name);
        return Stores.keyValueStoreBuilder(supplier, Serdes.String(), Serdes.ByteArray()).withCachingEnabled();
    }
}
