package io.streamrec.contract;

import java.util.List;

/**
 * A user's current top-K, the value of topic {@code recommendations} (schema {@code recommendation.schema.json}).
 *
 * @param modelVersion snapshot version whose item factors ranked the list, 0 before the first snapshot
 * @param generatedAt  epoch ms the list was computed
 * @param triggeredAt  produce time (epoch ms) of the record that caused it, or null
 * @param trigger      {@code rating}, {@code snapshot} or {@code request}
 * @param source       {@code model}, {@code fold-in}, {@code cluster} or {@code popularity}
 */
public record Recommendation(long userId, long modelVersion, long generatedAt, Long triggeredAt, String trigger,
                             String source, List<Item> items) {

    public Recommendation {
        items = List.copyOf(items);
    }

    public String key() {
        return Long.toString(userId);
    }

    /** One recommended movie; title is null when the catalogue has not told us yet. */
    public record Item(long movieId, String title, double score) {
    }
}
