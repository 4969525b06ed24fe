package io.streamrec.evaluate;

/**
 * One point of a prequential learning curve: metrics over the moving window that ends at {@code events}.
 * Metrics that were not measured (baselines off, implicit mode's RMSE) are NaN.
 */
public record CurvePoint(long events, double hitRate, double ndcg, double popularityHitRate,
                         double recentHitRate, double fullRecall, double fullNdcg, double rmse, double mae,
                         double loss, double learningRate) {

    public static final String CSV_HEADER =
            "events,hr,ndcg,popularity_hr,recent_popularity_hr,full_recall,full_ndcg,rmse,mae,loss,learning_rate";

    /** The metric a window is judged by, higher is better: −RMSE when stars were scored, else HR@K. */
    public double primaryMetric() {
        return Double.isNaN(rmse) ? hitRate : -rmse;
    }

    public String csv() {
        return events + "," + f(hitRate) + "," + f(ndcg) + "," + f(popularityHitRate) + "," + f(recentHitRate) + ","
                + f(fullRecall) + "," + f(fullNdcg) + "," + f(rmse) + "," + f(mae) + "," + f(loss) + ","
                + f(learningRate);
    }

    private static String f(double v) {
        return Double.isNaN(v) ? "" : String.format(java.util.Locale.ROOT, "%.6g", v);
    }
}
