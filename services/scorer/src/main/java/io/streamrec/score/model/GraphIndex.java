package io.streamrec.score.model;

import io.streamrec.kernel.InnerProduct;
import org.apache.lucene.search.KnnCollector;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.hnsw.HnswGraphBuilder;
import org.apache.lucene.util.hnsw.HnswGraphSearcher;
import org.apache.lucene.util.hnsw.OnHeapHnswGraph;
import org.apache.lucene.util.hnsw.RandomVectorScorer;
import org.apache.lucene.util.hnsw.RandomVectorScorerSupplier;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A maximum-inner-product index over the linear part of the item rows: an HNSW graph (Lucene's
 * {@link HnswGraphBuilder}) whose ordinals are the rows' indices in the {@link ItemFactors} table, walked with the
 * table's current rows. Immutable once built, so any number of threads search it while the global thread keeps
 * patching the rows.
 *
 * <p>Inner product is not a metric, and HNSW's neighbour selection wants one. The standard reduction (Bachrach et
 * al. 2014, "Speeding up the Xbox recommender system using a Euclidean transformation for inner-product spaces"):
 * item a ↦ [a; √(M² − ‖a‖²)] with M the largest norm, query q ↦ [q; 0]. Every item then has norm M, and
 * ‖q' − a'‖² = ‖q‖² + M² − 2 q·a, so the nearest item in the augmented space is the one of largest inner product.
 * The graph is built on the augmented items (similarity a_i·a_j + e_i·e_j, which orders pairs as Euclidean distance
 * does), and a query is walked by plain q·a, since the query's extra coordinate is 0. For MF the item bias is the
 * last coordinate of the linear part and the query carries a 1 there, so the bias is retrieved, not bolted on.
 *
 * <p>Rows move after the build (every snapshot patches some): the walk scores with the live rows, so a moved item
 * is found by its new position as long as the graph's edges still lead near it. How fast that decays with movement
 * is measured (docs/architecture.md, the scorer's retrieval) and bounds when {@link io.streamrec.score.state.ItemModel}
 * rebuilds. Items appended after the build are not in the graph; {@link Retriever} scores them exactly.
 */
public final class CandidateIndex {
    private final OnHeapHnswGraph graph;
    /** The table it was built for: its rows [0, indexed) are the graph's nodes. */
    private final long tableGeneration;
    private final int indexed;
    /** Parameters [0, width) of a row are its linear part. */
    private final int width;

    private CandidateIndex(OnHeapHnswGraph graph, long tableGeneration, int indexed, int width) {
        this.graph = graph;
        this.tableGeneration = tableGeneration;
        this.indexed = indexed;
        this.width = width;
    }

    /**
     * Builds a graph over the table's rows as they are now (one thread; the table may be patched meanwhile, which
     * only makes a few edges less apt).
     *
     * @param width    parameters [0, width) of each row are its linear part
     * @param maxConn  HNSW's M: neighbours per node (twice that on the bottom layer)
     * @param beamWidth candidates kept while inserting (efConstruction)
     */
    public static CandidateIndex build(ItemFactors.Table t, int width, int maxConn, int beamWidth) {
        int n = t.size();
        float[] rows = t.rows;
        int stride = t.width;
        double maxSquared = 0;
        for (int i = 0; i < n; i++) {
            maxSquared = Math.max(maxSquared, dot(rows, i * stride, rows, i * stride, width));
        }
        float[] extra = new float[n];
        for (int i = 0; i < n; i++) {
            extra[i] = (float) Math.sqrt(Math.max(0, maxSquared - dot(rows, i * stride, rows, i * stride, width)));
        }
        RandomVectorScorerSupplier augmented = new RandomVectorScorerSupplier() {
            @Override
            public RandomVectorScorer scorer(int node) {
                int from = node * stride;
                float e = extra[node];
                return new Scorer(n) {
                    @Override
                    public float score(int other) {
                        return dot(rows, from, rows, other * stride, width) + e * extra[other];
                    }
                };
            }

            @Override
            public RandomVectorScorerSupplier copy() {
                return this;
            }
        };
        try {
            HnswGraphBuilder builder = HnswGraphBuilder.create(augmented, maxConn, beamWidth, 42);
            return new CandidateIndex(builder.build(n), t.generation, n, width);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // never: the vectors are on the heap
        }
    }

    /** Whether this graph's ordinals are indices of the given table (not of one the matrix restarted since). */
    public boolean covers(ItemFactors.Table t) {
        return t.generation == tableGeneration && t.width >= width;
    }

    /** Rows [0, indexed) of the table are in the graph. */
    public int indexed() {
        return indexed;
    }

    public int width() {
        return width;
    }

    /**
     * The items of largest {@code query · row[0, width)} among those {@code accept} lets through, best first, as
     * far as the walk finds them.
     *
     * @param visitLimit nodes the walk may score before it gives up
     * @param out        receives table indices; its length is how many are wanted
     * @param outScore   receives their inner products with the query
     * @return how many were found, or -1 when the walk reached the visit limit (the caller should scan instead)
     */
    public int search(ItemFactors.Table t, float[] query, Bits accept, int visitLimit, int[] out, float[] outScore) {
        float[] rows = t.rows;
        int stride = t.width;
        RandomVectorScorer scorer = new Scorer(indexed) {
            @Override
            public float score(int node) {
                return dot(query, 0, rows, node * stride, width);
            }
        };
        KnnCollector found;
        try {
            found = HnswGraphSearcher.search(scorer, out.length, graph, accept, visitLimit);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (found.earlyTerminated()) {
            return -1;
        }
        ScoreDoc[] docs = found.topDocs().scoreDocs;
        for (int i = 0; i < docs.length; i++) {
            out[i] = docs[i].doc;
            outScore[i] = docs[i].score;
        }
        return docs.length;
    }

    /** Σ a[from + k]·b[at + k] for k < n: the inner product of the walk and of the re-ranking. */
    static float dot(float[] a, int from, float[] b, int at, int n) {
        return DOT.dot(a, from, b, at, n);
    }

    private static final InnerProduct DOT = InnerProduct.best();

    private abstract static class Scorer implements RandomVectorScorer {
        private final int maxOrd;

        Scorer(int maxOrd) {
            this.maxOrd = maxOrd;
        }

        @Override
        public int maxOrd() {
            return maxOrd;
        }
    }
}
