package io.streamrec.bench;

import io.streamrec.config.Settings;
import io.streamrec.score.model.CandidateIndex;
import io.streamrec.score.model.GraphIndex;
import io.streamrec.score.model.ItemFactors;
import io.streamrec.score.model.ModelSpec;
import io.streamrec.score.model.PartitionIndex;
import io.streamrec.score.model.Ranker;
import io.streamrec.score.model.Retriever;
import io.streamrec.score.state.ScorerConfig;

import java.io.PrintWriter;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * One user's list without Kafka: candidate retrieval (the index's search and the exact re-ranking of its
 * candidates, as the scorer's rescoring thread runs them) against a full scan of the catalogue (the scorer's exact
 * path), on {@link SyntheticModel} at {@code bench.score}'s size, in the same run. Each round times every user
 * back to back (hot: what a thread meets in a burst of lists) and again with {@value #EVICT_MB} MB touched between
 * users (cold: what a list meets between ratings, when the broker and other threads have evicted the caches). Prints
 * µs a user, their ratio and the recall@10 of retrieval against the full scan: the figures that guide the index's
 * settings ({@code scorer.retrieval.*}) before a {@code bench score} run, which costs minutes.
 */
public final class SearchBenchmark {
    private static final int EVICT_MB = 32;
    private static final long SEED = 7;

    private SearchBenchmark() {
    }

    /** What one run measured: µs a user per path, hot and cold (medians of the rounds), and recall@10. */
    public record Result(double scanHot, double scanCold, double retrievalHot, double retrievalCold, double recall) {
    }

    public static Result run(Settings settings, PrintWriter out) {
        int items = settings.integer("bench.score.items");
        int dim = settings.integer("bench.score.dim");
        int users = settings.integer("bench.search.users");
        int rounds = settings.integer("bench.search.rounds");
        int k = settings.integer("scorer.top-k");
        if (items < 1 || dim < 1 || users < 1 || rounds < 1) {
            throw new IllegalArgumentException("bench.score.items and dim, bench.search.users and rounds must be positive");
        }
        ScorerConfig.Retrieval r = ScorerConfig.from(settings).retrieval();
        SyntheticModel model = new SyntheticModel(items, dim, SEED);
        ModelSpec spec = model.spec();
        ItemFactors.Table t = model.table();
        long built = System.nanoTime();
        int width = spec.retrievalWidth();
        CandidateIndex index = r.index() == ScorerConfig.IndexKind.GRAPH
                ? GraphIndex.build(t, width, r.graphDegree(), r.beamWidth())
                : PartitionIndex.build(t, width, r.partitionSize(), r.probes(), SEED);
        out.printf(Locale.ROOT, "bench search: %,d items, d = %d (mf), %,d users; index %s (%s), built in %.1f s; "
                        + "%d candidates re-ranked, top %d%n", items, dim, users, r.index().name().toLowerCase(Locale.ROOT),
                r.index() == ScorerConfig.IndexKind.GRAPH ? "degree " + r.graphDegree() + ", beam " + r.beamWidth()
                        : "partitions of " + r.partitionSize() + ", " + r.probes() + " probes",
                (System.nanoTime() - built) / 1e9, r.candidates(), k);
        out.flush(); // the rounds take a while at full size
        SplittableRandom random = new SplittableRandom(SEED);
        float[][] rows = new float[users][];
        for (int u = 0; u < users; u++) {
            rows[u] = model.user(random);
        }

        Lists lists = new Lists(spec, t, index, r.candidates(), k);
        lists.all(rows, true, null); // warm-up: the JIT compiles both paths
        lists.all(rows, false, null);
        double[][] perRound = new double[4][rounds];
        byte[] evict = new byte[EVICT_MB << 20];
        for (int round = 0; round < rounds; round++) {
            perRound[0][round] = lists.all(rows, true, null);
            perRound[1][round] = lists.all(rows, true, evict);
            perRound[2][round] = lists.all(rows, false, null);
            perRound[3][round] = lists.all(rows, false, evict);
        }
        Result result = new Result(Median.of(perRound[0]), Median.of(perRound[1]), Median.of(perRound[2]),
                Median.of(perRound[3]), lists.recall(rows));
        out.printf(Locale.ROOT, "%-34s %12s %12s%n", "µs a user (median of " + rounds + " rounds)", "hot", "cold");
        out.printf(Locale.ROOT, "%-34s %12.1f %12.1f%n", "full scan (exact)", result.scanHot(), result.scanCold());
        out.printf(Locale.ROOT, "%-34s %12.1f %12.1f%n", "retrieval + exact re-ranking", result.retrievalHot(),
                result.retrievalCold());
        out.printf(Locale.ROOT, "%-34s %11.1fx %11.1fx%n", "full scan / retrieval", result.scanHot() / result.retrievalHot(),
                result.scanCold() / result.retrievalCold());
        out.printf(Locale.ROOT, "recall@%d of retrieval against the full scan: %.4f%n", k, result.recall());
        out.flush();
        return result;
    }

    /** Both paths for one user at a time, with the scorer's classes and their scratch. */
    private static final class Lists {
        private final ModelSpec spec;
        private final ItemFactors.Table t;
        private final CandidateIndex index;
        private final int k;
        private final Ranker ranker = new Ranker();
        private final Retriever retriever = new Retriever();
        private final int[] candidates;
        private final int[][] top;
        private final float[][] scores;
        private final int[] count = new int[1];
        private final int[][] noneRated = {new int[0]};
        private final int[] noneRatedCount = {0};
        private final float[][] one = new float[1][];

        Lists(ModelSpec spec, ItemFactors.Table t, CandidateIndex index, int candidates, int k) {
            this.spec = spec;
            this.t = t;
            this.index = index;
            this.k = k;
            this.candidates = new int[candidates];
            this.top = new int[][]{new int[k]};
            this.scores = new float[][]{new float[k]};
        }

        /** µs a user over all users; with {@code evict}, touching it between users, outside the timing. */
        double all(float[][] rows, boolean scan, byte[] evict) {
            long nanos = 0;
            for (int u = 0; u < rows.length; u++) {
                if (evict != null) {
                    for (int i = u & 63; i < evict.length; i += 64) {
                        evict[i]++;
                    }
                }
                long start = System.nanoTime();
                if (scan) {
                    scan(rows[u]);
                } else {
                    retrieve(rows[u]);
                }
                nanos += System.nanoTime() - start;
            }
            return nanos / 1e3 / rows.length;
        }

        /** The user's top K into top[0][0, count[0]). */
        void scan(float[] user) {
            one[0] = user;
            ranker.rank(spec, t, one, noneRated, noneRatedCount, 1, k, top, scores, count);
        }

        /** The same by retrieval and re-ranking. */
        void retrieve(float[] user) {
            int n = retriever.candidates(spec, t, index, user, noneRated[0], 0, candidates.length, candidates);
            if (n < 0) {
                scan(user); // the index gave up: the scorer scans such a user
                return;
            }
            count[0] = ranker.rankCandidates(spec, t, user, candidates, n, k, top[0], scores[0]);
        }

        double recall(float[][] rows) {
            double found = 0;
            for (float[] user : rows) {
                scan(user);
                Set<Integer> exact = new HashSet<>();
                for (int r = 0; r < count[0]; r++) {
                    exact.add(top[0][r]);
                }
                retrieve(user);
                for (int r = 0; r < count[0]; r++) {
                    found += exact.contains(top[0][r]) ? 1 : 0;
                }
            }
            return found / ((double) rows.length * k);
        }
    }
}
