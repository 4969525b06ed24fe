package io.streamrec.score.state;

import io.streamrec.score.model.CandidateIndex;
import io.streamrec.score.model.Popularity;
import io.streamrec.score.model.Retriever;
import io.streamrec.score.model.ItemFactors;
import io.streamrec.score.model.Clusters;
import io.streamrec.score.model.Ranker;
import io.streamrec.score.model.FoldIn;
import io.streamrec.score.model.ModelSpec;
import io.streamrec.contract.FactorRow;
import io.streamrec.contract.Recommendation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Decides how to rank each user and builds their list. One per thread (it owns a {@link Ranker} and a
 * {@link FoldIn}); the shared state is read-only here.
 *
 * <p>How a user is ranked, first that applies:
 * <ol>
 *   <li><b>model</b>: the served model is known (a manifest arrived) and the user's factor row reflects every
 *       rating the scorer has seen from them: {@code history.seen ≤ row.count}.</li>
 *   <li><b>fold-in</b>: the model is known and the user is new (no row) or stale (seen &gt; count): their
 *       ratings not yet in the row, the latest {@code seen − count} (every one for a new user), at most
 *       {@link #MAX_FOLD_IN}, are folded into the row on the spot ({@link FoldIn}). Items without factors
 *       cannot be folded; when none of them have any, a stale user keeps their row (<b>model</b>).</li>
 *   <li><b>cluster</b>: the model cannot rank the user (no manifest yet, a model whose rows do not fit the
 *       matrix) but they have a factor row and clusters exist: their cluster's favourites.</li>
 *   <li><b>popularity</b>: everything else, such as a user whose ratings are all of items the model has not
 *       learnt yet, or anyone before the first snapshot: the recent window's most rated items.</li>
 * </ol>
 * Every list leaves out every item the user rated, whatever ranked it: precisely, every rating of theirs the
 * scorer has processed (a rating still ahead in the partition cannot be known, and recomputes the list when it is
 * processed, moments later).
 *
 * <p>How the model ranks a user: with a candidate index ({@link ItemModel#index()}), the index retrieves
 * {@code scorer.retrieval.candidates} items and the model re-ranks them exactly; the candidates stay as the user's
 * pool, and a rating- or request-triggered list re-ranks the pool alone while the user's retrieval query moved less
 * than {@code scorer.retrieval.pool-drift} since (a snapshot-triggered list always retrieves afresh). Users the index
 * cannot serve (the graph gives up on heavy raters; either kind may find fewer than K unrated items) and every user
 * without an index go through the full scan, several users at a time ({@link Ranker}).
 *
 * <p>Why compare counts to decide on fold-in: {@code count} travels inside the row it describes (FACTORS.md: the
 * ratings trained for this user so far), so the test needs nothing that could arrive out of order, unlike the
 * manifest's offsets, which sit on another topic and partition than the row. Both sides count every valid rating
 * (the same {@code RatingCodec} decides validity, and the trainer trains none twice); the history counts a
 * rating once even when replayed after a crash. When the trainer is ahead of the scorer (count &gt; seen), the
 * row already knows more than the scorer: it is used as is.
 */
public final class Recommender {
    /**
     * Most recent ratings a fold-in uses. On ml-latest-small (see {@link FoldIn}) the latest 10, 20 and 50 ratings
     * gave HR@10 0.72, 0.71 and 0.71 (within noise of each other), all of them 0.70: older ratings add cost, not
     * accuracy, and the cost grows with them (samples × steps). Ratings come in sessions, so in the demo most
     * fold-ins are of a user in mid-session with more unreflected ratings than this: 10 ratings and their negatives
     * fold in in 68 µs, 20 took 136 µs (mf, d = 64, 9,742 items), and fold-ins were 30 % of the stream thread (JFR).
     */
    static final int MAX_FOLD_IN = 10;

    private final ScorerState state;
    private final Ranker ranker = new Ranker();
    private final Retriever retriever = new Retriever();
    private int[] candidates = new int[0];
    /** A user's pool, copied out of {@link CandidatePools}. */
    private int[] pooled = new int[0];
    private float[] query = new float[0];
    private final FoldIn foldIn;
    private final int[][] excluded = new int[Ranker.BATCH][];
    private final int[] excludedCount = new int[Ranker.BATCH];
    private final float[][] vectors = new float[Ranker.BATCH][];
    private final int[][] outIndex = new int[Ranker.BATCH][];
    private final float[][] outScore = new float[Ranker.BATCH][];
    private final int[] outCount = new int[Ranker.BATCH];

    /** What is known of one user when their list is due. */
    public record UserState(long userId, UserHistory history, FactorRow row, Trigger trigger, Long triggeredAt) {
    }

    public Recommender(ScorerState state) {
        this.state = state;
        ScorerConfig c = state.config;
        this.foldIn = new FoldIn(c.foldInMethod(), c.foldInSteps(), c.foldInLearningRate(), c.foldInL2(),
                c.foldInNegatives(), c.foldInRidgeTarget());
        int k = state.config.topK();
        for (int b = 0; b < Ranker.BATCH; b++) {
            outIndex[b] = new int[k];
            outScore[b] = new float[k];
        }
    }

    public Recommendation recommend(UserState user, long nowMs) {
        return recommend(List.of(user), nowMs).get(0);
    }

    /** Lists for the users, in their order; users ranked by the model go through the ranker together. */
    public List<Recommendation> recommend(List<UserState> users, long nowMs) {
        ModelSpec spec = state.items.spec();
        ItemFactors.Table table = state.items.table().frozen();
        boolean modelUsable = spec != null && table.width == spec.width();
        Recommendation[] out = new Recommendation[users.size()];
        int[] batchUsers = new int[Ranker.BATCH];
        Source[] batchSources = new Source[Ranker.BATCH];
        int batch = 0;
        for (int i = 0; i < users.size(); i++) {
            UserState u = users.get(i);
            Source source = modelUsable ? plan(spec, table, u, batch) : null;
            if (source == null) {
                out[i] = fallback(u, nowMs);
                continue;
            }
            CandidateIndex index = state.items.index();
            if (index != null && index.covers(table) && retrieve(spec, table, index, u, batch)) {
                out[i] = list(spec, table, u, source, batch, nowMs);
                continue;
            }
            batchUsers[batch] = i;
            batchSources[batch] = source;
            batch++;
            if (batch == Ranker.BATCH) {
                rankBatch(spec, table, users, batchUsers, batchSources, batch, out, nowMs);
                batch = 0;
            }
        }
        if (batch > 0) {
            rankBatch(spec, table, users, batchUsers, batchSources, batch, out, nowMs);
        }
        for (UserState u : users) {
            state.metrics.rescored(u.trigger());
        }
        return Arrays.asList(out);
    }

    /** Picks model or fold-in and leaves the user vector and exclusions in slot b; null when the model cannot rank. */
    private Source plan(ModelSpec spec, ItemFactors.Table table, UserState u, int b) {
        UserHistory h = u.history();
        FactorRow row = u.row();
        boolean rowFits = row != null && row.params().length == spec.width();
        int rated = h == null ? 0 : h.size();
        if (excluded[b] == null || excluded[b].length < rated) {
            excluded[b] = new int[Math.max(16, rated)];
        }
        int n = 0;
        for (int i = 0; i < rated; i++) {
            int idx = table.indexOf(h.movieId(i));
            if (idx >= 0) {
                excluded[b][n++] = idx;
            }
        }
        excludedCount[b] = n;
        int unreflected = h == null ? 0 : rowFits ? h.seen() - row.count() : h.seen();
        if (rowFits && unreflected <= 0) {
            vectors[b] = row.params();
            return Source.MODEL;
        }
        // Fold in the latest `unreflected` ratings (history order is the order of each item's latest rating).
        int take = Math.min(Math.min(unreflected, rated), MAX_FOLD_IN);
        int[] items = new int[take];
        float[] stars = new float[take];
        int count = 0;
        for (int i = rated - take; i < rated; i++) {
            int idx = table.indexOf(h.movieId(i));
            if (idx >= 0) {
                items[count] = idx;
                stars[count] = h.stars(i);
                count++;
            }
        }
        if (count == 0) {
            if (rowFits) {
                vectors[b] = row.params();
                return Source.MODEL;
            }
            return null;
        }
        long seed = u.userId() * 0x9E3779B97F4A7C15L + h.seen();
        vectors[b] = foldIn.fold(spec, table, rowFits ? row.params() : null, items, stars, count, excluded[b],
                excludedCount[b], seed);
        state.metrics.foldIn(foldIn.methodFor(spec));
        return Source.FOLD_IN;
    }

    /**
     * Ranks the user of slot b by candidates, into slot b's outputs: their pool when it is still good, else what
     * the index retrieves. False when the index cannot serve them: they need the full scan.
     */
    private boolean retrieve(ModelSpec spec, ItemFactors.Table table, CandidateIndex index, UserState u, int b) {
        ScorerConfig.Retrieval r = state.items.retrieval();
        int k = state.config.topK();
        int w = spec.retrievalWidth();
        if (query.length < w) {
            query = new float[w];
        }
        spec.retrievalQuery(vectors[b], query);
        if (candidates.length < r.candidates()) {
            candidates = new int[r.candidates()];
        }
        if (pooled.length < r.candidates()) {
            pooled = new int[r.candidates()];
        }
        int inPool = u.trigger() == Trigger.SNAPSHOT ? -1
                : state.pools.reusable(u.userId(), index, query, w, r.poolDrift(), pooled);
        if (inPool >= 0) {
            int n = retriever.stillEligible(table, pooled, inPool, excluded[b], excludedCount[b], candidates);
            if (n >= k) {
                outCount[b] = ranker.rankCandidates(spec, table, vectors[b], candidates, n, k, outIndex[b], outScore[b]);
                state.metrics.ranked(ScorerMetrics.Path.POOL);
                return true;
            }
        }
        int n = retriever.candidates(spec, table, index, vectors[b], excluded[b], excludedCount[b], r.candidates(),
                candidates);
        if (n < k) {
            return false;
        }
        state.pools.put(u.userId(), index, query, w, candidates, n);
        outCount[b] = ranker.rankCandidates(spec, table, vectors[b], candidates, n, k, outIndex[b], outScore[b]);
        state.metrics.ranked(ScorerMetrics.Path.INDEX);
        return true;
    }

    private void rankBatch(ModelSpec spec, ItemFactors.Table table, List<UserState> users, int[] batchUsers,
                           Source[] sources, int count, Recommendation[] out, long nowMs) {
        int k = state.config.topK();
        ranker.rank(spec, table, vectors, excluded, excludedCount, count, k, outIndex, outScore, outCount);
        for (int b = 0; b < count; b++) {
            out[batchUsers[b]] = list(spec, table, users.get(batchUsers[b]), sources[b], b, nowMs);
            state.metrics.ranked(ScorerMetrics.Path.SCAN);
        }
    }

    /** The list in slot b's outputs; frees the slot. */
    private Recommendation list(ModelSpec spec, ItemFactors.Table table, UserState u, Source source, int b, long nowMs) {
        List<Recommendation.Item> items = new ArrayList<>(outCount[b]);
        for (int r = 0; r < outCount[b]; r++) {
            long movieId = table.movieIds[outIndex[b][r]];
            items.add(new Recommendation.Item(movieId, state.catalog.title(movieId), spec.report(outScore[b][r])));
        }
        vectors[b] = null;
        return new Recommendation(u.userId(), spec.version, nowMs, u.triggeredAt(), u.trigger().id, source.id, items);
    }

    private Recommendation fallback(UserState u, long nowMs) {
        int k = state.config.topK();
        long[] rated = sortedRated(u.history());
        Clusters clusters = state.clusters.get();
        FactorRow row = u.row();
        List<Recommendation.Item> items = new ArrayList<>(k);
        Source source;
        if (clusters != null && row != null && row.params().length >= clusters.width()) {
            source = Source.CLUSTER;
            int c = clusters.nearest(row.params());
            long[] favourites = clusters.favourites(c);
            int[] likes = clusters.likes(c);
            for (int i = 0; i < favourites.length && items.size() < k; i++) {
                if (Arrays.binarySearch(rated, favourites[i]) < 0) {
                    items.add(new Recommendation.Item(favourites[i], state.catalog.title(favourites[i]),
                            (double) likes[i] / Math.max(1, clusters.size(c))));
                }
            }
        } else {
            source = Source.POPULARITY;
            Popularity.Ranking ranking = state.popularity.ranking(nowMs);
            for (int i = 0; i < ranking.size() && items.size() < k; i++) {
                long movieId = ranking.movieIds()[i];
                if (Arrays.binarySearch(rated, movieId) < 0) {
                    items.add(new Recommendation.Item(movieId, state.catalog.title(movieId), ranking.counts()[i]));
                }
            }
        }
        state.metrics.fallback(source);
        return new Recommendation(u.userId(), state.items.version(), nowMs, u.triggeredAt(), u.trigger().id, source.id,
                items);
    }

    private static long[] sortedRated(UserHistory h) {
        if (h == null) {
            return new long[0];
        }
        long[] ids = new long[h.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = h.movieId(i);
        }
        Arrays.sort(ids);
        return ids;
    }
}
