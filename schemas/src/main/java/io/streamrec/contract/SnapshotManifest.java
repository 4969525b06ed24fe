package io.streamrec.contract;

import java.util.List;
import java.util.Map;

/**
 * The manifest of one model snapshot, the value of topic {@code model-snapshots} (schema
 * {@code snapshot-manifest.schema.json}). It is committed in the same Kafka transaction as the factor rows it
 * describes and the ratings offsets those rows were trained up to.
 */
public record SnapshotManifest(String model, long version, long createdAt, long eventsTrained, long eventsTotal,
                               long deadLettered, List<OffsetRange> offsets, long userRows, long itemRows,
                               Map<String, Object> config, Map<String, DenseWeights> dense,
                               Map<String, Double> metrics) {

    public SnapshotManifest {
        offsets = List.copyOf(offsets);
        config = Map.copyOf(config);
        dense = Map.copyOf(dense);
        metrics = metrics == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(metrics));
    }

    /** The half-open range [from, to) of one ratings partition consumed since the previous snapshot. */
    public record OffsetRange(int partition, long from, long to) {
    }

    /**
     * A dense weight tensor, little-endian float32 in base64, with its optimizer state (same encoding, may be
     * null) so a resumed trainer continues exactly where the published one stopped.
     */
    public record DenseWeights(List<Integer> shape, String data, String state) {
        public DenseWeights {
            shape = List.copyOf(shape);
        }

        public static DenseWeights of(int[] shape, float[] values, float[] state) {
            return new DenseWeights(java.util.Arrays.stream(shape).boxed().toList(), FloatsBase64.encode(values),
                    state == null ? null : FloatsBase64.encode(state));
        }

        public float[] values() {
            return FloatsBase64.decode(data);
        }

        /** The optimizer state, or null when the manifest carries none. */
        public float[] stateValues() {
            return state == null ? null : FloatsBase64.decode(state);
        }
    }
}
