package io.streamrec.evaluate;

import io.streamrec.train.Engine;
import io.streamrec.train.Objective;
import io.streamrec.train.OnlineTrainer;
import io.streamrec.train.RatedItems;
import io.streamrec.train.Step;
import io.streamrec.train.TrainerConfig;
import io.streamrec.train.TrainingListener;
import io.streamrec.train.Vocabulary;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Prequential (test-then-train) evaluation: before a batch is trained, each sampled positive of it is ranked by
 * the model as it stands, against {@code candidates} items the user has not rated (HR@K, NDCG@K), and a sample
 * of positives against the whole catalogue (recall@K, NDCG@K). In explicit mode every positive's predicted
 * stars are compared with the truth (RMSE, MAE). The all-time and recent-window popularity baselines rank the
 * same candidates in the same run. Its own random stream keeps training independent of evaluation.
 */
public final class PrequentialEvaluator implements TrainingListener {
    /**
     * What a status line says while no rating has been ranked. A rating is ranked only once its user has more than
     * twice {@code evaluate.candidates} unrated items to draw them from ({@code choose}): never in a catalogue of
     * 200 items, for example, which a user trying a small synthetic stream would otherwise wait on.
     */
    public static final String NONE_RANKED = "n/a (none ranked yet: a rating is ranked once its user has more than"
            + " 2 x evaluate.candidates unrated items seen)";

    /**
     * Full-catalogue rankings a window needs before its recall is reported. A service ranks one positive in 10,000
     * against the whole catalogue (trainer.prequential-full-ranking-rate; fewer above
     * trainer.prequential-max-rankings-per-second), so a window of the demo held a handful,
     * all misses, and its curve read a flat 0; below 100 a recall near 0.05 is noise (standard error above 0.02),
     * so the window reports it as not measured (NaN, an empty CSV cell, no line in a chart).
     */
    static final int MIN_FULL_RANKINGS = 100;

    private final EvaluationConfig config;
    private final SampleBudget budget;
    private final SplittableRandom random;
    /**
     * Ties get streams of their own, so every model of a seed meets the very same candidates and the baselines come
     * out the same whatever model runs beside them.
     */
    private final SplittableRandom ties;
    private final SplittableRandom baselineTies;
    private final RecentPopularity recent;
    private final RankMetrics model;
    private final RankMetrics popularity;
    private final RankMetrics recentPopularity;
    private final RankMetrics full;
    private final RankMetrics warm;
    private final RankMetrics warmRecentPopularity;
    private final MovingAverage windowHit;
    private final MovingAverage windowGain;
    private final MovingAverage windowPopularityHit;
    private final MovingAverage windowRecentHit;
    private final MovingAverage windowFullHit;
    private final MovingAverage windowFullGain;
    private final MovingAverage windowSquaredError;
    private final MovingAverage windowAbsoluteError;
    private final List<CurvePoint> curve = new ArrayList<>();
    private final List<Consumer<CurvePoint>> windowListeners = new ArrayList<>();
    private final RatingBaselines baselines = new RatingBaselines();
    private double squaredErrors;
    private double absoluteErrors;
    private long rated;
    private double lossSinceCurvePoint;
    private int stepsSinceCurvePoint;
    private long nextCurvePoint;
    private long eventsTrained;
    private double lastLearningRate;

    private int[] pairUsers = new int[0];
    private int[] pairItems = new int[0];
    private float[] scores = new float[0];
    private int[] evaluated = new int[0];
    private float[] catalogueScores = new float[0];

    public PrequentialEvaluator(EvaluationConfig config, long seed) {
        this(config, seed, System::nanoTime);
    }

    /** @param nanoClock times the bound on rankings a second ({@link EvaluationConfig#maxRankingsPerSecond()}) */
    PrequentialEvaluator(EvaluationConfig config, long seed, LongSupplier nanoClock) {
        this.config = config;
        this.budget = new SampleBudget(config.maxRankingsPerSecond(), config.sampleRate() + config.fullRankingRate(),
                nanoClock);
        this.random = new SplittableRandom(seed ^ 0x6A09E667F3BCC909L);
        this.ties = random.split();
        this.baselineTies = random.split();
        this.recent = new RecentPopularity(config.recentWindow());
        int k = config.topK();
        this.model = new RankMetrics(k);
        this.popularity = new RankMetrics(k);
        this.recentPopularity = new RankMetrics(k);
        this.full = new RankMetrics(k);
        this.warm = new RankMetrics(k);
        this.warmRecentPopularity = new RankMetrics(k);
        int w = config.window();
        this.windowHit = new MovingAverage(w);
        this.windowGain = new MovingAverage(w);
        this.windowPopularityHit = new MovingAverage(w);
        this.windowRecentHit = new MovingAverage(w);
        this.windowFullHit = new MovingAverage(w);
        this.windowFullGain = new MovingAverage(w);
        this.windowSquaredError = new MovingAverage(w);
        this.windowAbsoluteError = new MovingAverage(w);
        this.nextCurvePoint = w;
    }

    /**
     * Hears of each closed window, for example a learning-rate schedule that reduces on a plateau:
     * {@code evaluator.onWindow(p -> trainer.schedule().onMetric(p.primaryMetric()))}.
     */
    public PrequentialEvaluator onWindow(Consumer<CurvePoint> listener) {
        windowListeners.add(listener);
        return this;
    }

    @Override
    public void beforeStep(Step step) {
        if (step.replay()) {
            return;
        }
        OnlineTrainer trainer = step.trainer();
        double share = budget.share(step.size()); // of both sample rates, for this batch
        int chosen = choose(step, share);
        if (chosen > 0) {
            rankAgainstCandidates(step, trainer, chosen);
        }
        if (trainer.config().objective() == Objective.EXPLICIT) {
            scoreRatings(step, trainer);
        }
        rankAgainstCatalogue(step, trainer, share);
    }

    @Override
    public void afterStep(Step step) {
        if (step.replay()) {
            return;
        }
        for (int i = 0; i < step.size(); i++) {
            recent.add(step.itemRow(i));
        }
        lossSinceCurvePoint += step.loss();
        stepsSinceCurvePoint++;
        eventsTrained = step.trainer().eventsTrained();
        lastLearningRate = step.learningRate();
        if (eventsTrained >= nextCurvePoint) {
            CurvePoint p = closeWindow();
            for (Consumer<CurvePoint> listener : windowListeners) {
                listener.accept(p);
            }
        }
    }

    /** The positives to rank: a random sample of the batch whose users have enough unrated known items. */
    private int choose(Step step, double share) {
        int n = step.size();
        if (evaluated.length < n) {
            evaluated = new int[n];
        }
        RatedItems ratedItems = step.trainer().rated();
        int chosen = 0;
        for (int i = 0; i < n; i++) {
            if (random.nextDouble() < config.sampleRate() * share
                    && step.itemsBefore() - ratedItems.size(step.userRow(i)) > 2L * config.candidates()) {
                evaluated[chosen++] = i;
            }
        }
        return chosen;
    }

    private void rankAgainstCandidates(Step step, OnlineTrainer trainer, int chosen) {
        int per = config.candidates() + 1;
        int pairs = chosen * per;
        if (pairUsers.length < pairs) {
            pairUsers = new int[pairs];
            pairItems = new int[pairs];
            scores = new float[pairs];
        }
        RatedItems ratedItems = trainer.rated();
        for (int c = 0; c < chosen; c++) {
            int i = evaluated[c];
            int u = step.userRow(i);
            int target = step.itemRow(i);
            int base = c * per;
            pairUsers[base] = u;
            pairItems[base] = target;
            for (int j = 1; j < per; j++) {
                int candidate;
                do {
                    candidate = random.nextInt(step.itemsBefore());
                } while (candidate == target || ratedItems.contains(u, candidate));
                pairUsers[base + j] = u;
                pairItems[base + j] = candidate;
            }
        }
        trainer.engine().score(pairUsers, pairItems, pairs, scores);

        Vocabulary items = trainer.items();
        float[] counts = new float[per];
        float[] recentCounts = new float[per];
        int k = config.topK();
        for (int c = 0; c < chosen; c++) {
            int base = c * per;
            int r = RankMetrics.rank(scores[base], scores, base + 1, base + per, ties);
            for (int j = 0; j < per; j++) {
                int item = pairItems[base + j];
                counts[j] = item < step.itemsBefore() ? items.count(item) : 0;
                recentCounts[j] = recent.count(item);
            }
            int rp = RankMetrics.rank(counts[0], counts, 1, per, baselineTies);
            int rr = RankMetrics.rank(recentCounts[0], recentCounts, 1, per, baselineTies);
            model.add(r);
            popularity.add(rp);
            recentPopularity.add(rr);
            int i = evaluated[c];
            if (!step.newUser(i) && !step.newItem(i)) {
                warm.add(r);
                warmRecentPopularity.add(rr);
            }
            windowHit.add(r < k ? 1 : 0);
            windowGain.add(RankMetrics.gain(r, k));
            windowPopularityHit.add(rp < k ? 1 : 0);
            windowRecentHit.add(rr < k ? 1 : 0);
        }
    }

    private void scoreRatings(Step step, OnlineTrainer trainer) {
        int n = step.size();
        if (pairUsers.length < n) {
            pairUsers = new int[n];
            pairItems = new int[n];
            scores = new float[n];
        }
        for (int i = 0; i < n; i++) {
            pairUsers[i] = step.userRow(i);
            pairItems[i] = step.itemRow(i);
        }
        trainer.engine().score(pairUsers, pairItems, n, scores);
        TrainerConfig c = trainer.config();
        for (int i = 0; i < n; i++) {
            float predicted = Objective.EXPLICIT.predict(scores[i], c.ratingMin(), c.ratingMax());
            double e = predicted - step.batch().rating(i);
            squaredErrors += e * e;
            absoluteErrors += Math.abs(e);
            windowSquaredError.add(e * e);
            windowAbsoluteError.add(Math.abs(e));
        }
        rated += n;
        baselines.observe(step.batch());
    }

    /** Full-catalogue ranking of a sample of positives among every known item the user has not rated. */
    private void rankAgainstCatalogue(Step step, OnlineTrainer trainer, double share) {
        int items = step.itemsBefore();
        if (config.fullRankingRate() <= 0 || items < config.topK() * 2) {
            return;
        }
        Engine engine = trainer.engine();
        RatedItems ratedItems = trainer.rated();
        int k = config.topK();
        int[] one = new int[1];
        float[] target = new float[1];
        for (int i = 0; i < step.size(); i++) {
            if (random.nextDouble() >= config.fullRankingRate() * share) {
                continue;
            }
            int u = step.userRow(i);
            int item = step.itemRow(i);
            if (catalogueScores.length < items) {
                catalogueScores = new float[Math.max(items, catalogueScores.length * 2)];
            }
            one[0] = u;
            engine.scoreAll(one, 1, items, catalogueScores);
            engine.score(one, new int[]{item}, 1, target);
            for (int rated : ratedItems.items(u)) {
                if (rated < items) { // the batch's own new items are recorded already, beyond the known catalogue
                    catalogueScores[rated] = Float.NEGATIVE_INFINITY;
                }
            }
            if (item < items) {
                catalogueScores[item] = Float.NEGATIVE_INFINITY;
            }
            int r = RankMetrics.rank(target[0], catalogueScores, 0, items, ties);
            full.add(r);
            windowFullHit.add(r < k ? 1 : 0);
            windowFullGain.add(RankMetrics.gain(r, k));
        }
    }

    private CurvePoint windowPoint(long events, double loss, double learningRate) {
        double rmse = windowSquaredError.size() == 0 ? Double.NaN : Math.sqrt(windowSquaredError.mean());
        boolean fullMeasured = windowFullHit.size() >= MIN_FULL_RANKINGS;
        return new CurvePoint(events, windowHit.mean(), windowGain.mean(), windowPopularityHit.mean(),
                windowRecentHit.mean(), fullMeasured ? windowFullHit.mean() : Double.NaN,
                fullMeasured ? windowFullGain.mean() : Double.NaN, rmse, windowAbsoluteError.mean(), loss, learningRate);
    }

    /** The moving-window metrics now, as a curve point at the trainer's event count. */
    public CurvePoint current(long events) {
        return windowPoint(events, Double.NaN, Double.NaN);
    }

    /** Everything ranked or scored since the start. */
    public Summary summary() {
        return new Summary(model.count(), model.hitRate(), model.ndcg(), warm.count(), warm.hitRate(), warm.ndcg(),
                warmRecentPopularity.hitRate(),
                popularity.hitRate(), popularity.ndcg(), recentPopularity.hitRate(), recentPopularity.ndcg(),
                full.count(), full.hitRate(), full.ndcg(),
                rated == 0 ? Double.NaN : Math.sqrt(squaredErrors / rated),
                rated == 0 ? Double.NaN : absoluteErrors / rated, baselines.runningMeanRmse(), baselines.biasesRmse());
    }

    /** K of the HR@K, NDCG@K and recall@K it measures ({@code evaluate.top-k}). */
    public int topK() {
        return config.topK();
    }

    public List<CurvePoint> curve() {
        return List.copyOf(curve);
    }

    /**
     * Ends the curve where the stream ended: a point for the ratings trained since the last one. Without it a
     * 30,000-rating run drew two points, at 10,001 and 20,001, and its last third was not on the chart. Window
     * listeners are not told, since nothing trains after it.
     */
    public void finish() {
        if (stepsSinceCurvePoint > 0) {
            closeWindow();
        }
    }

    /** Adds the point of the window that ends at the last step, and starts the next one. */
    private CurvePoint closeWindow() {
        CurvePoint p = windowPoint(eventsTrained, lossSinceCurvePoint / stepsSinceCurvePoint, lastLearningRate);
        curve.add(p);
        lossSinceCurvePoint = 0;
        stepsSinceCurvePoint = 0;
        nextCurvePoint = eventsTrained + config.window();
        return p;
    }

    /**
     * Cumulative prequential results. {@code warm*} counts only positives whose user and item both existed
     * before their batch; {@code full*} is the full-catalogue ranking (recall@K equals HR@K with one target);
     * {@code runningMeanRmse} and {@code biasesRmse} are the explicit baselines ({@link RatingBaselines}).
     */
    public record Summary(long ranked, double hitRate, double ndcg, long warmRanked, double warmHitRate,
                          double warmNdcg, double warmRecentPopularityHitRate, double popularityHitRate, double popularityNdcg,
                          double recentPopularityHitRate, double recentPopularityNdcg,
                          long fullRanked, double fullRecall, double fullNdcg, double rmse, double mae,
                          double runningMeanRmse, double biasesRmse) {
    }
}
