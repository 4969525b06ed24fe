package io.streamrec.evaluate;

import io.streamrec.contract.FactorRow;
import io.streamrec.dataset.RatingLog;
import io.streamrec.train.Engines;
import io.streamrec.train.Objective;
import io.streamrec.train.OnlineTrainer;
import io.streamrec.train.ReplayBudget;
import io.streamrec.train.ReplayConfig;
import io.streamrec.train.TrainerConfig;

import java.io.PrintStream;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Runs the evaluation protocols on one rating log, each on a fresh model, and prints one report. */
public final class Evaluation {

    public enum Protocol { PREQUENTIAL, LEAVE_LATEST_OUT, RANDOM_SPLIT }

    private final TrainerConfig trainer;
    private final EvaluationConfig config;
    private final int fullRankingUsers;
    private final PrintStream out;

    public Evaluation(TrainerConfig trainer, EvaluationConfig config, int fullRankingUsers, PrintStream out) {
        this.trainer = trainer;
        this.config = config;
        this.fullRankingUsers = fullRankingUsers;
        this.out = out;
    }

    /** The protocols that apply to the objective: rankings for implicit feedback, rating error for explicit. */
    public static Set<Protocol> defaults(Objective objective) {
        return objective == Objective.EXPLICIT ? EnumSet.of(Protocol.PREQUENTIAL, Protocol.RANDOM_SPLIT)
                : EnumSet.of(Protocol.PREQUENTIAL, Protocol.LEAVE_LATEST_OUT);
    }

    /** Runs the protocols and prints their report; returns the prequential learning curve (empty when not run). */
    public List<CurvePoint> run(RatingLog log, String source, Set<Protocol> protocols) {
        out.printf(Locale.ROOT, "data: %s (%,d ratings, %,d users, %,d items)%n", source, log.size(),
                log.distinctUsers(), log.distinctItems());
        out.println("model: " + trainer.describe() + ", batch " + trainer.batchSize() + "; seed " + trainer.seed());
        List<CurvePoint> curve = List.of();
        if (protocols.contains(Protocol.PREQUENTIAL)) {
            curve = prequential(log);
        }
        if (protocols.contains(Protocol.LEAVE_LATEST_OUT)) {
            leaveLatestOut(log);
        }
        if (protocols.contains(Protocol.RANDOM_SPLIT)) {
            randomSplit(log);
        }
        return curve;
    }

    private List<CurvePoint> prequential(RatingLog log) {
        try (OnlineTrainer t = new OnlineTrainer(trainer, Engines.create(trainer))) {
            PrequentialEvaluator evaluator = new PrequentialEvaluator(config, trainer.seed())
                    .onWindow(p -> t.schedule().onMetric(p.primaryMetric()));
            t.addListener(evaluator);
            long start = System.nanoTime();
            ReplayConfig replay = config.rate() > 0 ? trainer.replay() : trainer.replay().withPositivesPerSecond(0);
            long batches = new SimulatedService(config.rate(), trainer.batchMaxWaitMs(), new ReplayBudget(replay))
                    .run(log, t);
            evaluator.finish();
            double seconds = (System.nanoTime() - start) / 1e9;
            PrequentialEvaluator.Summary s = evaluator.summary();
            boolean explicit = trainer.objective() == Objective.EXPLICIT;
            out.printf(Locale.ROOT, "%nprequential: test-then-train in event order, one pass, engine %s, %.1f s%n",
                    t.engine().description(), seconds);
            out.printf(Locale.ROOT, "  as the service receives it: %s, %,d batches (at most %d ratings or %d ms each);"
                            + " continual training %s%n",
                    config.rate() > 0 ? String.format(Locale.ROOT, "%,.0f ratings/s", config.rate()) : "all at once",
                    batches, trainer.batchSize(), trainer.batchMaxWaitMs(),
                    replay.enabled() ? String.format(Locale.ROOT, "%,d past positives trained again (%.1f per rating,"
                                    + " budget %,.0f/s)", t.positivesReplayed(), t.positivesReplayed() / (double) log.size(),
                            replay.positivesPerSecond()) : "off");
            out.printf(Locale.ROOT, "  %,d positives ranked (sample rate %.2f) against %d sampled unrated items%n",
                    s.ranked(), config.sampleRate(), config.candidates());
            header();
            row("model", s.hitRate(), s.ndcg());
            row(String.format(Locale.ROOT, "model, warm (%,d)", s.warmRanked()), s.warmHitRate(), s.warmNdcg());
            row("popularity (all time)", s.popularityHitRate(), s.popularityNdcg());
            row("popularity (last " + config.recentWindow() + ")", s.recentPopularityHitRate(), s.recentPopularityNdcg());
            out.printf(Locale.ROOT, "  model / recent popularity: %.3fx HR@%d (warm positives: %.4f vs %.4f)%s%n",
                    s.hitRate() / s.recentPopularityHitRate(), config.topK(), s.warmHitRate(),
                    s.warmRecentPopularityHitRate(),
                    explicit ? "; an explicit model learns stars, not a ranking: judge it by the RMSE below" : "");
            out.printf(Locale.ROOT, "  full catalogue, %,d positives: recall@%d %.4f  NDCG@%d %.4f%n", s.fullRanked(),
                    config.topK(), s.fullRecall(), config.topK(), s.fullNdcg());
            if (explicit) {
                out.printf(Locale.ROOT, "  rating error before training on it:%n");
                out.printf(Locale.ROOT, "  %-28s %8s %8s%n", "", "RMSE", "MAE");
                out.printf(Locale.ROOT, "  %-28s %8.4f %8.4f%n", "model", s.rmse(), s.mae());
                out.printf(Locale.ROOT, "  %-28s %8.4f%n", "running mean", s.runningMeanRmse());
                out.printf(Locale.ROOT, "  %-28s %8.4f%n", "per-event biases", s.biasesRmse());
            }
            return evaluator.curve();
        }
    }

    private void leaveLatestOut(RatingLog log) {
        try (OnlineTrainer t = new OnlineTrainer(trainer, Engines.create(trainer))) {
            LeaveLatestOut.Result r = LeaveLatestOut.run(log, t, config, fullRankingUsers);
            out.printf(Locale.ROOT, "%nleave-latest-out: each user's latest rating held out, %,d ratings trained in %d"
                            + " passes%s, engine %s, %.1f s%n", r.trainRatings(), config.passes(),
                    config.shuffle() ? " (later passes shuffled)" : "", t.engine().description(), r.trainSeconds());
            out.printf(Locale.ROOT, "  %,d users, held-out item ranked against %d sampled unrated items%s%n", r.users(),
                    config.candidates(), servedRows().isEmpty() ? "" : ", with " + servedRows());
            header();
            row("model", r.hitRate(), r.ndcg());
            row("popularity (all time)", r.popularityHitRate(), r.popularityNdcg());
            row("popularity (last " + config.recentWindow() + ")", r.recentHitRate(), r.recentNdcg());
            out.printf(Locale.ROOT, "  full ranking against every item the user did not rate, %,d users:%n", r.fullRanked());
            out.printf(Locale.ROOT, "  %-28s %8s %8s%n", "", "recall@" + config.topK(), "NDCG@" + config.topK());
            row("model", r.fullRecall(), r.fullNdcg());
            row("popularity (all time)", r.popularityFullRecall(), r.popularityFullNdcg());
        }
    }

    private void randomSplit(RatingLog log) {
        try (OnlineTrainer t = new OnlineTrainer(trainer, Engines.create(trainer))) {
            RandomSplit.Result r = RandomSplit.run(log, t, config);
            out.printf(Locale.ROOT, "%nrandom split: %.0f%% of ratings held out at random (%,d), %,d trained in %d"
                            + " passes, engine %s, %.1f s%n", 100 * config.testFraction(), r.testRatings(), r.trainRatings(),
                    config.passes(), t.engine().description(), r.trainSeconds());
            if (!servedRows().isEmpty()) {
                out.printf(Locale.ROOT, "  predicted with %s%n", servedRows());
            }
            out.printf(Locale.ROOT, "  %-28s %8s %8s%n", "", "RMSE", "MAE");
            out.printf(Locale.ROOT, "  %-28s %8.4f %8.4f%n", "model", r.rmse(), r.mae());
            out.printf(Locale.ROOT, "  %-28s %8.4f%n", "global mean", r.globalMeanRmse());
        }
    }

    /** What the offline protocols rank with, when it is not the trained rows themselves. */
    private String servedRows() {
        return config.servingPrecision() == FactorRow.Precision.FLOAT32 ? ""
                : "the rows as served (" + config.servingPrecision().name().toLowerCase(Locale.ROOT) + ")";
    }

    private void header() {
        out.printf(Locale.ROOT, "  %-28s %8s %8s%n", "", "HR@" + config.topK(), "NDCG@" + config.topK());
    }

    private void row(String name, double hr, double ndcg) {
        out.printf(Locale.ROOT, "  %-28s %8.4f %8.4f%n", name, hr, ndcg);
    }
}
