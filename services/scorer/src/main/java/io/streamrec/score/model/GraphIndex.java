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
 * A {@link CandidateIndex} that is an HNSW graph (Lucene's {@link HnswGraphBuilder}) whose ordinals are the rows'
 * indices in the {@link ItemFactors} table, walked with the table's current rows. Immutable once built, so any number
 * of threads search it while the global thread keeps patching the rows.
 *
 * <p>HNSW's neighbour selection wants a metric, so the graph is built on the augmented items of
 * {@link CandidateIndex} (similarity a_i·a_j + e_i·e_j, which orders pairs as Euclidean distance does), and a query
 * is walked by plain q·a, since the query's extra coordinate is 0.
 *
 * <p>Rows move after the build (every snapshot patches some): the walk scores with the live rows, so a moved item
 * is found by its new position as long as the graph's edges still lead near it. How fast that decays with movement
 * is measured (docs/architecture.md, the scorer's retrieval) and bounds when {@link io.streamrec.score.state.ItemModel}
 * rebuilds.
 */
public final class GraphIndex extends CandidateIndex {
    /**
     * A walk that scores more than this share of the catalogue gives up: a graph visit costs several times what one
     * item costs in the vectorised scan ({@link Ranker}), so past it the scan is cheaper. It happens to heavy raters,
     * whose rated items the walk must step over.
     */
    private static final int VISIT_SHARE = 8;
    /** ... but a walk may always score this many nodes per candidate wanted (an unhindered one needs about 10-15). */
    private static final int VISITS_PER_CANDIDATE = 20;

    private final OnHeapHnswGraph graph;

    private GraphIndex(OnHeapHnswGraph graph, long tableGeneration, int indexed, int width) {
        super(tableGeneration, indexed, width);
        this.graph = graph;
    }

    /**
     * Builds a graph over the table's rows as they are now (one thread; the table may be patched meanwhile, which
     * only makes a few edges less apt).
     *
     * @param width    parameters [0, width) of each row are its linear part
     * @param maxConn  HNSW's M: neighbours per node (twice that on the bottom layer)
     * @param beamWidth candidates kept while inserting (efConstruction)
     */
    public static GraphIndex build(ItemFactors.Table t, int width, int maxConn, int beamWidth) {
        int n = t.size();
        float[] rows = t.rows;
        int stride = t.width;
        float[] extra = CandidateIndex.equalisingCoordinate(t, n, width);
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
            return new GraphIndex(builder.build(n), t.generation, n, width);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // never: the vectors are on the heap
        }
    }

    /** Gives up (-1) when the walk scored more than an eighth of the catalogue ({@link #VISIT_SHARE}). */
    @Override
    public int search(ItemFactors.Table t, float[] query, Bits accept, int[] out, float[] outScore) {
        int visitLimit = Math.max(VISITS_PER_CANDIDATE * out.length, indexed / VISIT_SHARE);
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

    /** The walk reads the table's live rows: nothing to patch. */
    @Override
    public void patch(ItemFactors.Table t, int item) {
    }

    @Override
    public void refresh(ItemFactors.Table t) {
    }

    private static float dot(float[] a, int from, float[] b, int at, int n) {
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
