package io.streamrec.evaluate;

import io.streamrec.config.Settings;
import io.streamrec.contract.FactorRow;

/**
 * How models are evaluated, from the {@code evaluate.*} settings (documented in config/streamrec.properties).
 *
 * @param topK                 K of HR@K, NDCG@K and recall@K
 * @param candidates           sampled unrated items each target is ranked against (the NCF protocol's 99)
 * @param sampleRate           fraction of positives ranked prequentially (test-then-train)
 * @param fullRankingRate      fraction of positives also ranked against the whole catalogue
 * @param window               evaluated events per moving window, and trained events per curve point
 * @param recentWindow         events counted by the recent-popularity baseline
 * @param passes               passes over the training data (offline protocols)
 * @param shuffle              offline protocols: passes after the first visit the training ratings in a fresh
 *                             random order instead of time order
 * @param testFraction         random-split protocol: share of ratings held out
 * @param rate                 prequential protocol: ratings a second the stream arrives at (0: all at once)
 * @param servingPrecision     offline protocols: the precision of the rows they rank with, float32 (the trainer's
 *                             own) or what a serving snapshot sends scorers (float16, int8)
 * @param maxRankingsPerSecond the running service's bound on prequential rankings a second, both samples thinned
 *                             alike above it; 0, no bound, for the {@code evaluate} protocols
 */
public record EvaluationConfig(int topK, int candidates, double sampleRate, double fullRankingRate, int window,
                               int recentWindow, int passes, boolean shuffle, double testFraction, double rate,
                               FactorRow.Precision servingPrecision, double maxRankingsPerSecond) {

    public static EvaluationConfig from(Settings s) {
        EvaluationConfig c = new EvaluationConfig(s.integer("evaluate.top-k"), s.integer("evaluate.candidates"),
                s.decimal("evaluate.sample-rate"), s.decimal("evaluate.full-ranking-rate"),
                s.integer("evaluate.window"), s.integer("evaluate.recent-window"), s.integer("evaluate.passes"),
                s.flag("evaluate.shuffle"), s.decimal("evaluate.test-fraction"), s.decimal("evaluate.rate"),
                s.choice("evaluate.serving-precision", FactorRow.Precision.class), 0);
        require(c.topK > 0, "evaluate.top-k", c.topK, "at least 1");
        require(c.candidates >= c.topK, "evaluate.candidates", c.candidates, "at least evaluate.top-k (" + c.topK + ")");
        require(c.window > 0, "evaluate.window", c.window, "at least 1");
        require(c.recentWindow > 0, "evaluate.recent-window", c.recentWindow, "at least 1");
        require(c.passes > 0, "evaluate.passes", c.passes, "at least 1");
        require(c.sampleRate >= 0 && c.sampleRate <= 1, "evaluate.sample-rate", c.sampleRate, "between 0 and 1");
        require(c.fullRankingRate >= 0 && c.fullRankingRate <= 1, "evaluate.full-ranking-rate", c.fullRankingRate,
                "between 0 and 1");
        require(c.testFraction > 0 && c.testFraction < 1, "evaluate.test-fraction", c.testFraction,
                "strictly between 0 and 1");
        require(c.rate >= 0, "evaluate.rate", c.rate, "at least 0 (0: all at once)");
        return c;
    }

    /** One setting at a time, by name, so a user sees which value to change. */
    private static void require(boolean ok, String key, Object value, String expected) {
        if (!ok) {
            throw new IllegalArgumentException(key + " must be " + expected + ", not " + value);
        }
    }

    /**
     * The same protocol with other prequential sample rates and a bound on rankings a second (the streaming trainer
     * samples sparsely, and spends at most so much on it).
     */
    public EvaluationConfig withSampleRate(double rate, double fullRate, double maxRankingsPerSecond) {
        require(rate >= 0 && rate <= 1, "trainer.prequential-sample-rate", rate, "between 0 and 1");
        require(fullRate >= 0 && fullRate <= 1, "trainer.prequential-full-ranking-rate", fullRate, "between 0 and 1");
        require(maxRankingsPerSecond >= 0, "trainer.prequential-max-rankings-per-second", maxRankingsPerSecond,
                "at least 0 (0: no bound)");
        return new EvaluationConfig(topK, candidates, rate, fullRate, window, recentWindow, passes, shuffle, testFraction,
                this.rate, servingPrecision, maxRankingsPerSecond);
    }
}
