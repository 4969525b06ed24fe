package io.streamrec.contract;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The registry of every topic streamrec reads or writes: the single source of truth for names, serdes, partition
 * counts and cleanup policies. Services take their topics from here, and topic creation iterates {@link #ALL}.
 */
public final class Topics {

    /**
     * Partitions of every userId-keyed topic. They must be equal: the scorer joins ratings with user factors per
     * partition (co-partitioning), so both use the same key bytes and the same partition count.
     */
    public static final int USER_PARTITIONS = 6;

    /**
     * The largest record batch {@code ratings} and {@code ratings-dlq} take: Kafka's default, written down so the two
     * match. The broker checks it after compression, so a compressible value far larger can arrive on {@code
     * ratings}; its dead letter is cut to {@link DeadLetter#MAX_BYTES}, which fits.
     */
    public static final int RATINGS_MAX_MESSAGE_BYTES = 1_048_588;

    private static final Map<String, String> RATINGS_LOG = Map.of("retention.ms", "-1",
            "max.message.bytes", Integer.toString(RATINGS_MAX_MESSAGE_BYTES));

    public static final Topic<String, Rating> RATINGS = new Topic<>("ratings",
            Serdes.String(), new RatingSerde(), USER_PARTITIONS, Topic.Cleanup.DELETE, RATINGS_LOG,
            "Rating events from any producer, JSON, key = userId. Kept forever: it is the event log the model is"
                    + " (re)built from.");

    public static final Topic<byte[], byte[]> RATINGS_DLQ = new Topic<>("ratings-dlq",
            Serdes.ByteArray(), Serdes.ByteArray(), 1, Topic.Cleanup.DELETE, RATINGS_LOG,
            "Invalid ratings, original key and value bytes (cut to fit 1 MiB, said so in a header), reason and source"
                    + " partition/offset in headers.");

    public static final Topic<String, Movie> MOVIES = new Topic<>("movies",
            Serdes.String(), new JsonSerde<>(Movie.class, JsonSchemas.MOVIE), 3, Topic.Cleanup.COMPACT, Map.of(),
            "The catalogue, JSON, key = movieId.");

    /**
     * Compacted topics roll a segment at least this often, so the cleaner (which never touches the active segment)
     * keeps them bounded even when they are written a little every second.
     */
    private static final Map<String, String> COMPACT_HOURLY = Map.of("segment.ms", Long.toString(3_600_000L));

    public static final Topic<String, FactorRow> USER_FACTORS = new Topic<>("model-user-factors",
            Serdes.String(), new FactorRowSerde(), USER_PARTITIONS, Topic.Cleanup.COMPACT, COMPACT_HOURLY,
            "Serving user rows (parameters, float16 or int8) changed per serving snapshot, binary (FACTORS.md), key = userId;"
                    + " co-partitioned with ratings.");

    public static final Topic<String, FactorRow> ITEM_FACTORS = new Topic<>("model-item-factors",
            Serdes.String(), new FactorRowSerde(), 3, Topic.Cleanup.COMPACT, COMPACT_HOURLY,
            "Serving item rows (parameters, float16 or int8) changed per serving snapshot, binary (FACTORS.md), key = movieId.");

    public static final Topic<String, FactorRow> USER_CHECKPOINTS = new Topic<>("model-checkpoint-users",
            Serdes.String(), new FactorRowSerde(), USER_PARTITIONS, Topic.Cleanup.COMPACT, COMPACT_HOURLY,
            "User rows with optimizer state and counts changed per checkpoint, binary (FACTORS.md), key = userId.");

    public static final Topic<String, FactorRow> ITEM_CHECKPOINTS = new Topic<>("model-checkpoint-items",
            Serdes.String(), new FactorRowSerde(), 3, Topic.Cleanup.COMPACT, COMPACT_HOURLY,
            "Item rows with optimizer state and counts changed per checkpoint, binary (FACTORS.md), key = movieId.");

    /** Manifests carry MLP weights in base64; allow up to 8 MiB (the broker's default limit is 1 MiB). */
    public static final int MAX_MANIFEST_BYTES = 8 * 1024 * 1024;

    private static final Map<String, String> MANIFESTS = Map.of("segment.ms", Long.toString(3_600_000L),
            "max.message.bytes", Integer.toString(MAX_MANIFEST_BYTES));

    public static final Topic<String, SnapshotManifest> SNAPSHOTS = new Topic<>("model-snapshots",
            Serdes.String(), new JsonSerde<>(SnapshotManifest.class, JsonSchemas.SNAPSHOT_MANIFEST), 1,
            Topic.Cleanup.COMPACT, MANIFESTS,
            "One manifest per serving snapshot, JSON, key = model name; compacted to the latest per model, one"
                    + " partition keeps versions in order.");

    public static final Topic<String, SnapshotManifest> CHECKPOINTS = new Topic<>("model-checkpoints",
            Serdes.String(), new JsonSerde<>(SnapshotManifest.class, JsonSchemas.SNAPSHOT_MANIFEST), 1,
            Topic.Cleanup.COMPACT, MANIFESTS,
            "One manifest per recovery checkpoint (committed with the ratings offsets), JSON, key = model name;"
                    + " compacted to the latest per model.");

    public static final Topic<String, Recommendation> RECOMMENDATIONS = new Topic<>("recommendations",
            Serdes.String(), new JsonSerde<>(Recommendation.class, JsonSchemas.RECOMMENDATION), USER_PARTITIONS,
            Topic.Cleanup.COMPACT, Map.of(),
            "Each user's current top-K, JSON, key = userId.");

    public static final List<Topic<?, ?>> ALL = List.of(
            RATINGS, RATINGS_DLQ, MOVIES, USER_FACTORS, ITEM_FACTORS, USER_CHECKPOINTS, ITEM_CHECKPOINTS, SNAPSHOTS,
            CHECKPOINTS, RECOMMENDATIONS);

    private Topics() {
    }

    public static Optional<Topic<?, ?>> byName(String name) {
        return ALL.stream().filter(t -> t.name().equals(name)).findFirst();
    }
}
