package io.streamrec.score.model;

import io.streamrec.kernel.InnerProduct;
import org.apache.lucene.util.Bits;

/**
 * A maximum-inner-product index over the linear part of the item rows (parameters [0, width) of each row in the
 * {@link ItemFactors} table): it retrieves the candidates that the model then re-ranks exactly. Two kinds, chosen by
 * {@code scorer.retrieval.index}: {@link PartitionIndex} (k-means partitions scanned with SIMD, the default) and
 * {@link GraphIndex} (Lucene's HNSW graph); docs/architecture.md gives what each costs and finds.
 *
 * <p>Both index the rows of the table as it was built; items appended after the build are not in it, and
 * {@link Retriever} scores them exactly. Rows patched after the build are followed through {@link #patch}. Any
 * number of threads search an index while the global thread patches it.
 *
 * <p>Inner product is not a metric, and both graphs and k-means want one. The standard reduction (Bachrach et al.
 * 2014, "Speeding up the Xbox recommender system using a Euclidean transformation for inner-product spaces"): item
 * a ↦ [a; √(M² − ‖a‖²)] with M the largest norm, query q ↦ [q; 0]. Every item then has norm M, and
 * ‖q' − a'‖² = ‖q‖² + M² − 2 q·a, so the nearest item in the augmented space is the one of largest inner product.
 * For MF the item bias is the last coordinate of the linear part and the query carries a 1 there, so the bias is
 * retrieved, not bolted on.
 */
public abstract sealed class CandidateIndex permits GraphIndex, PartitionIndex {
    private static final InnerProduct DOT = InnerProduct.best();
    /** The table it was built for: its rows [0, indexed) are in the index. */
    private final long tableGeneration;
    final int indexed;
    /** Parameters [0, width) of a row are its linear part. */
    final int width;

    CandidateIndex(long tableGeneration, int indexed, int width) {
        this.tableGeneration = tableGeneration;
        this.indexed = indexed;
        this.width = width;
    }

    /** Whether the index's ordinals are indices of the given table (not of one the matrix restarted since). */
    public final boolean covers(ItemFactors.Table t) {
        return t.generation == tableGeneration && t.width >= width;
    }

    /** Rows [0, indexed) of the table are in the index. */
    public final int indexed() {
        return indexed;
    }

    /** Parameters [0, width) of a row are its linear part. */
    public final int width() {
        return width;
    }

    /**
     * The items of largest {@code query · row[0, width)} among those {@code accept} lets through, as far as the index
     * finds them, in no promised order (the caller re-ranks them).
     *
     * @param out      receives table indices; its length is how many are wanted
     * @param outScore receives their inner products with the query, as the index estimates them
     * @return how many were found, or -1 when the search gave up: the caller should scan the catalogue instead
     */
    public abstract int search(ItemFactors.Table t, float[] query, Bits accept, int[] out, float[] outScore);

    /**
     * Row {@code item} of the table changed: what the index keeps of it follows. The global thread calls it after
     * each row it writes.
     */
    public abstract void patch(ItemFactors.Table t, int item);

    /**
     * Every indexed row may have changed since the build: {@link #patch} them all. The builder calls it once the
     * index is published, while the global thread may be patching: an index that keeps a copy excludes the two, so
     * the global thread's patch of a row it wrote meanwhile comes last.
     */
    public abstract void refresh(ItemFactors.Table t);

    /**
     * The coordinate that gives each of the first {@code n} rows' linear parts the same norm M (the largest):
     * √(M² − ‖a‖²), the reduction above.
     */
    static float[] equalisingCoordinate(ItemFactors.Table t, int n, int width) {
        float[] squared = new float[n];
        float max = 0;
        for (int i = 0; i < n; i++) {
            squared[i] = DOT.dot(t.rows, i * t.width, t.rows, i * t.width, width);
            max = Math.max(max, squared[i]);
        }
        float[] extra = new float[n];
        for (int i = 0; i < n; i++) {
            extra[i] = (float) Math.sqrt(Math.max(0, max - squared[i]));
        }
        return extra;
    }
}
