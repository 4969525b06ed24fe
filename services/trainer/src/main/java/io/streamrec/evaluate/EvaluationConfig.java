package io.streamrec.evaluate;

import io.streamrec.config.Settings;

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
 */
public record EvaluationConfig(int topK, int candidates, double sampleRate, double fullRankingRate, int window,
                               int recentWindow, int passes, boolean shuffle, double testFraction, double rate) {

    public static EvaluationConfig from(Settings s) {
        EvaluationConfig c = new EvaluationConfig(s.integer("evaluate.top-k"), s.integer("evaluate.candidates"),
                s.decimal("evaluate.sample-rate"), s.decimal("evaluate.full-ranking-rate"),
                s.integer("evaluate.window"), s.integer("evaluate.recent-window"), s.integer("evaluate.passes"),
                s.flag("evaluate.shuffle"), s.decimal("evaluate.test-fraction"), s.decimal("evaluate.rate"));
        if (c.topK <= 0 || c.candidates < c.topK || c.window <= 0 || c.recentWindow <= 0 || c.passes <= 0
                || c.sampleRate < 0 || c.sampleRate > 1 || c.fullRankingRate < 0 || c.fullRankingRate > 1
                || c.testFraction <= 0 || c.testFraction >= 1 || c.rate < 0) {
            throw new IllegalArgumentException("evaluate settings out of range: " + c);
        }
        return c;
    }

    /** The same protocol with another prequential sample rate (the streaming trainer samples sparsely). */
    public EvaluationConfig withSampleRate(double rate, double fullRate) {
        return new EvaluationConfig(topK, candidates, rate, fullRate, window, recentWindow, passes, shuffle, testFraction,
                this.rate);
    }
}
