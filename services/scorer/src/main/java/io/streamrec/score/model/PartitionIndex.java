package io.streamrec.score.model;

import io.streamrec.kernel.InterleavedInnerProduct;
import org.apache.lucene.util.Bits;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A {@link CandidateIndex} of k-means partitions (an inverted file): the rows are clustered in the augmented space of
 * {@link CandidateIndex} into partitions of about {@code partitionSize} items, and a search scans the {@code probes}
 * partitions whose centroids have the largest inner product with the query, every row of them.
 *
 * <p>Why not only a graph: a graph walk hops between rows scattered over the heap, and between two ratings the other
 * threads on the cores evict what it touches (docs/architecture.md, the scorer's retrieval). Here each partition's
 * rows are a copy, contiguous and interleaved {@link InterleavedInnerProduct#lanes()} rows to a block, so a search
 * streams through one fused multiply-add per parameter and block, and the hardware prefetches it. The copy holds
 * int8 codes, one scale per parameter ({@link #HEADROOM} times its largest magnitude at the build, over 127), which
 * the search folds into the query: a quarter of the bytes to stream, and a scan out of cache is bound by them. The
 * codes only choose the candidates; the model re-ranks those with the float rows.
 *
 * <p>The copy follows the table: the global thread {@link #patch patches} a row's slot when the row changes, and an
 * index just built is {@link #refresh refreshed} once it serves. Rows keep the partition they were built into, so
 * as they move the partitions fit less well; {@link io.streamrec.score.state.ItemModel} rebuilds on measured drift
 * as for the graph. A search that finds fewer than it wants in its probes (a heavy rater's rated items are skipped)
 * goes on to the next-best partitions, and at worst scans them all: it never gives up.
 */
public final class PartitionIndex extends CandidateIndex {
    private static final InterleavedInnerProduct DOTS = InterleavedInnerProduct.best();
    private static final int LANES = DOTS.lanes();
    /** k-means runs on a sample of this many rows per partition, then every row goes to its nearest centroid. */
    private static final int SAMPLE_PER_PARTITION = 40;
    private static final int ITERATIONS = 10;
    /**
     * A parameter's code range covers this many times its largest magnitude at the build: rows patched later may
     * grow (beyond it they are clamped) until drift rebuilds the index.
     */
    private static final float HEADROOM = 1.5f;

    private final int probes;
    private final int partitions;
    /** The centroids' linear parts, interleaved like the rows (centroid p in slot p; the padding slots hold 0). */
    private final float[] centroids;
    /** Partition p holds slots [first[p], first[p + 1]), a whole number of blocks. */
    private final int[] first;
    /** The rows' linear parts as codes, slot s's parameter k at (s / LANES) · LANES · width + k · LANES + s % LANES. */
    private final byte[] codes;
    /** Parameter k of a row ≈ scales[k] · its code. */
    private final float[] scales;
    /** The table index in each slot; -1 for the padding that fills a partition's last block. */
    private final int[] itemAt;
    private final int[] slotOf;
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

    private PartitionIndex(long tableGeneration, int indexed, int width, int probes, float[][] centres,
                           int[] partitionOf, float[] scales) {
        super(tableGeneration, indexed, width);
        this.partitions = centres.length;
        this.probes = Math.min(probes, partitions);
        this.scales = scales;
        this.centroids = new float[roundUp(partitions) * width];
        for (int p = 0; p < partitions; p++) {
            for (int k = 0; k < width; k++) {
                centroids[at(p, k)] = centres[p][k];
            }
        }
        int[] members = new int[partitions];
        for (int p : partitionOf) {
            members[p]++;
        }
        first = new int[partitions + 1];
        for (int p = 0; p < partitions; p++) {
            first[p + 1] = first[p] + roundUp(members[p]);
        }
        codes = new byte[first[partitions] * width];
        itemAt = new int[first[partitions]];
        Arrays.fill(itemAt, -1);
        slotOf = new int[indexed];
        int[] next = Arrays.copyOf(first, partitions);
        for (int i = 0; i < indexed; i++) {
            int slot = next[partitionOf[i]]++;
            itemAt[slot] = i;
            slotOf[i] = slot;
        }
    }

    /**
     * Partitions the table's rows as they are now (one thread; rows patched meanwhile are caught by
     * {@link #refresh}, which must follow before the index is worth searching).
     *
     * @param width         parameters [0, width) of each row are its linear part
     * @param partitionSize items per partition, on average
     * @param probes        partitions a search scans
     */
    public static PartitionIndex build(ItemFactors.Table t, int width, int partitionSize, int probes, long seed) {
        int n = t.size();
        int count = Math.max(1, Math.min(n, Math.round(n / (float) partitionSize)));
        float[] extra = CandidateIndex.equalisingCoordinate(t, n, width);
        SplittableRandom random = new SplittableRandom(seed);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        int sampled = Math.min(n, count * SAMPLE_PER_PARTITION);
        float[][] sample = new float[sampled][];
        for (int i = 0; i < sampled; i++) {
            int j = i + random.nextInt(n - i);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
            sample[i] = augmented(t, order[i], width, extra);
        }
        float[][] centres = Clusters.fit(sample, count, ITERATIONS, seed);
        float[] norms = Clusters.squaredNorms(centres);
        int[] partitionOf = new int[n];
        for (int i = 0; i < n; i++) {
            partitionOf[i] = Clusters.nearest(centres, norms, augmented(t, i, width, extra));
        }
        float[] scales = new float[width];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < width; k++) {
                scales[k] = Math.max(scales[k], Math.abs(t.rows[i * t.width + k]));
            }
        }
        for (int k = 0; k < width; k++) {
            scales[k] = scales[k] > 0 ? HEADROOM * scales[k] / Byte.MAX_VALUE : 1;
        }
        PartitionIndex index = new PartitionIndex(t.generation, n, width, probes, centres, partitionOf, scales);
        index.refresh(t);
        return index;
    }

    private static float[] augmented(ItemFactors.Table t, int item, int width, float[] extra) {
        float[] a = Arrays.copyOfRange(t.rows, item * t.width, item * t.width + width + 1);
        a[width] = extra[item];
        return a;
    }

    @Override
    public int search(ItemFactors.Table t, float[] query, Bits accept, int[] out, float[] outScore) {
        Scratch s = scratch.get();
        s.fit(partitions, width);
        for (int k = 0; k < width; k++) {
            s.scaledQuery[k] = query[k] * scales[k];
        }
        for (int slot = 0; slot < partitions; slot += LANES) {
            DOTS.dots(query, centroids, slot * width, width, s.lanes);
            System.arraycopy(s.lanes, 0, s.partitionScores, slot, Math.min(LANES, partitions - slot));
        }
        s.found.reset(out.length);
        int probed = best(s, probes);
        for (int i = 0; i < probed; i++) {
            scan(s.partitionIds[i], accept, s);
        }
        if (s.found.size() < out.length && probed < partitions) {
            // Few accepted in the best partitions (a heavy rater): go on through the others, best first.
            boolean[] scanned = new boolean[partitions];
            for (int i = 0; i < probed; i++) {
                scanned[s.partitionIds[i]] = true;
            }
            int all = best(s, partitions);
            for (int i = 0; i < all && s.found.size() < out.length; i++) {
                if (!scanned[s.partitionIds[i]]) {
                    scan(s.partitionIds[i], accept, s);
                }
            }
        }
        return s.found.drain(out, outScore);
    }

    /** The {@code count} partitions of largest centroid score, best first, into the scratch's partition ids. */
    private int best(Scratch s, int count) {
        s.order.reset(count);
        for (int p = 0; p < partitions; p++) {
            s.order.offer(p, s.partitionScores[p]);
        }
        return s.order.drainDescending(s.partitionIds, s.ignored);
    }

    private void scan(int partition, Bits accept, Scratch s) {
        TopScores found = s.found;
        float threshold = found.threshold(); // in a local: it only moves when an item enters
        for (int slot = first[partition]; slot < first[partition + 1]; slot += LANES) {
            DOTS.dots(s.scaledQuery, codes, slot * width, width, s.lanes);
            for (int l = 0; l < LANES; l++) {
                float score = s.lanes[l];
                int item = itemAt[slot + l];
                // The threshold first: most rows do not beat it, and the filter costs a few lookups.
                if (score > threshold && item >= 0 && accept.get(item)) {
                    found.offer(item, score);
                    threshold = found.threshold();
                }
            }
        }
    }

    @Override
    public synchronized void patch(ItemFactors.Table t, int item) {
        if (item >= 0 && item < indexed && covers(t)) {
            int slot = slotOf[item];
            for (int k = 0; k < width; k++) {
                float code = Math.round(t.rows[item * t.width + k] / scales[k]);
                codes[at(slot, k)] = (byte) Math.max(-Byte.MAX_VALUE, Math.min(Byte.MAX_VALUE, code));
            }
        }
    }

    @Override
    public synchronized void refresh(ItemFactors.Table t) {
        for (int i = 0; i < indexed; i++) {
            patch(t, i);
        }
    }

    /** Where parameter k of the row in a slot is in an interleaved array. */
    private int at(int slot, int k) {
        return slot / LANES * LANES * width + k * LANES + slot % LANES;
    }

    private static int roundUp(int count) {
        return (count + LANES - 1) / LANES * LANES;
    }

    /** Per searching thread. */
    private static final class Scratch {
        final float[] lanes = new float[LANES];
        float[] scaledQuery = new float[0];
        float[] partitionScores = new float[0];
        int[] partitionIds = new int[0];
        float[] ignored = new float[0];
        final TopScores order = new TopScores();
        final TopScores found = new TopScores();

        void fit(int partitions, int width) {
            if (scaledQuery.length < width) {
                scaledQuery = new float[width];
            }
            if (partitionScores.length < roundUp(partitions)) {
                partitionScores = new float[roundUp(partitions)];
                partitionIds = new int[partitions];
                ignored = new float[partitions];
            }
        }
    }
}
