package io.streamrec.evaluate;

import io.streamrec.dataset.RatingLog;
import io.streamrec.train.OnlineTrainer;
import io.streamrec.train.RatedItems;
import io.streamrec.train.Vocabulary;

import java.util.SplittableRandom;

/**
 * The NCF paper's protocol: hold out each user's latest rating, train on all the others (several passes if
 * asked), then rank each held-out item against {@code candidates} items the user never rated (HR@K, NDCG@K),
 * and against every item the user did not rate in training (recall@K, NDCG@K). The all-time and recent-window
 * popularity of the training data rank the same candidates as baselines.
 */
public final class LeaveLatestOut {
    private LeaveLatestOut() {
    }

    /**
     * @param fullRankingUsers at most this many users (a fixed random sample) are ranked against the catalogue
     */
    public static Result run(RatingLog log, OnlineTrainer trainer, EvaluationConfig config, int fullRankingUsers) {
        long seed = trainer.config().seed();
        Vocabulary users = new Vocabulary();
        int[] latest = new int[16];
        int[] ratings = new int[16];
        for (int i = 0; i < log.size(); i++) {
            int u = users.rowOf(log.userId(i));
            if (u >= latest.length) {
                latest = java.util.Arrays.copyOf(latest, u * 2 + 1);
                ratings = java.util.Arrays.copyOf(ratings, latest.length);
            }
            latest[u] = i; // the log is time-ordered, so the last one seen is the latest (ties: the later row)
            ratings[u]++;
        }
        boolean[] heldOut = new boolean[log.size()];
        int testUsers = 0;
        for (int u = 0; u < users.size(); u++) {
            if (ratings[u] >= 2) {
                heldOut[latest[u]] = true;
                testUsers++;
            }
        }
        int[] train = new int[log.size() - testUsers];
        int n = 0;
        for (int i = 0; i < log.size(); i++) {
            if (!heldOut[i]) {
                train[n++] = i;
            }
        }

        TrainingPasses.registerAll(trainer, log);
        long start = System.nanoTime();
        TrainingPasses.train(trainer, log, train, n, config.passes(), config.shuffle(), seed);
        double trainSeconds = (System.nanoTime() - start) / 1e9;
        ServingRoundTrip.apply(trainer, config.servingPrecision());

        RecentPopularity recent = new RecentPopularity(config.recentWindow());
        for (int k = Math.max(0, n - config.recentWindow()); k < n; k++) {
            recent.add(trainer.items().find(log.movieId(train[k])));
        }
        return rank(log, heldOut, trainer, recent, config, fullRankingUsers, testUsers, n, trainSeconds);
    }

    private static Result rank(RatingLog log, boolean[] heldOut, OnlineTrainer trainer, RecentPopularity recent,
                               EvaluationConfig config, int fullRankingUsers, int testUsers, int trainSize,
                               double trainSeconds) {
        SplittableRandom random = new SplittableRandom(trainer.config().seed() ^ 0xBB67AE8584CAA73BL);
        // Ties get streams of their own, so every model of a seed meets the very same candidates and the baselines
        // come out the same whatever model runs beside them.
        SplittableRandom ties = random.split();
        SplittableRandom baselineTies = random.split();
        int k = config.topK();
        int per = config.candidates() + 1;
        int itemCount = trainer.items().size();
        RatedItems rated = trainer.rated();
        RankMetrics model = new RankMetrics(k);
        RankMetrics popularity = new RankMetrics(k);
        RankMetrics recentPopularity = new RankMetrics(k);
        RankMetrics full = new RankMetrics(k);
        RankMetrics fullPopularity = new RankMetrics(k);
        float[] popularityCatalogue = new float[itemCount];
        double fullRate = Math.min(1.0, fullRankingUsers / (double) Math.max(1, testUsers));
        int[] pu = new int[per];
        int[] pi = new int[per];
        float[] scores = new float[per];
        float[] counts = new float[per];
        float[] recentCounts = new float[per];
        float[] catalogue = new float[itemCount];
        int[] one = new int[1];
        for (int i = 0; i < log.size(); i++) {
            if (!heldOut[i]) {
                continue;
            }
            int u = trainer.users().find(log.userId(i));
            int target = trainer.items().find(log.movieId(i));
            if (itemCount - rated.size(u) <= 2 * per) {
                continue;
            }
            pu[0] = u;
            pi[0] = target;
            for (int j = 1; j < per; j++) {
                int c;
                do {
                    c = random.nextInt(itemCount);
                } while (c == target || rated.contains(u, c));
                pu[j] = u;
                pi[j] = c;
            }
            trainer.engine().score(pu, pi, per, scores);
            for (int j = 0; j < per; j++) {
                counts[j] = trainer.items().count(pi[j]);
                recentCounts[j] = recent.count(pi[j]);
            }
            model.add(RankMetrics.rank(scores[0], scores, 1, per, ties));
            popularity.add(RankMetrics.rank(counts[0], counts, 1, per, baselineTies));
            recentPopularity.add(RankMetrics.rank(recentCounts[0], recentCounts, 1, per, baselineTies));

            if (random.nextDouble() < fullRate) {
                one[0] = u;
                trainer.engine().scoreAll(one, 1, itemCount, catalogue);
                float targetScore = catalogue[target];
                for (int r : rated.items(u)) {
                    catalogue[r] = Float.NEGATIVE_INFINITY;
                }
                catalogue[target] = Float.NEGATIVE_INFINITY;
                full.add(RankMetrics.rank(targetScore, catalogue, 0, itemCount, ties));
                for (int c = 0; c < itemCount; c++) {
                    popularityCatalogue[c] = catalogue[c] == Float.NEGATIVE_INFINITY ? Float.NEGATIVE_INFINITY
                            : trainer.items().count(c);
                }
                fullPopularity.add(RankMetrics.rank(trainer.items().count(target), popularityCatalogue, 0, itemCount, baselineTies));
            }
        }
        return new Result(model.count(), trainSize, itemCount, model.hitRate(), model.ndcg(),
                popularity.hitRate(), popularity.ndcg(), recentPopularity.hitRate(), recentPopularity.ndcg(),
                full.count(), full.hitRate(), full.ndcg(), fullPopularity.hitRate(), fullPopularity.ndcg(), trainSeconds);
    }

    /** HR/NDCG against sampled candidates for the model and both baselines; full-catalogue recall and NDCG. */
    public record Result(long users, long trainRatings, int items, double hitRate, double ndcg,
                         double popularityHitRate, double popularityNdcg, double recentHitRate, double recentNdcg,
                         long fullRanked, double fullRecall, double fullNdcg, double popularityFullRecall,
                         double popularityFullNdcg, double trainSeconds) {
    }
}
