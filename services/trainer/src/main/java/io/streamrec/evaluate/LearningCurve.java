package io.streamrec.evaluate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/** Writes a prequential learning curve as CSV and as a PNG chart. */
public final class LearningCurve {
    private LearningCurve() {
    }

    public static void writeCsv(List<CurvePoint> curve, Path csv) {
        List<String> lines = new ArrayList<>();
        lines.add(CurvePoint.CSV_HEADER);
        curve.forEach(p -> lines.add(p.csv()));
        try {
            Path parent = csv.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.write(csv, lines);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + csv, e);
        }
    }

    /** Ranking curves (model vs baselines) in implicit mode, RMSE/MAE in explicit mode. */
    public static void writeChart(List<CurvePoint> curve, String title, boolean explicit, Path png) {
        double[] xs = column(curve, CurvePoint::events);
        LineChart chart;
        if (explicit) {
            chart = new LineChart(title, "ratings trained", "error (stars), moving window")
                    .add("RMSE", xs, column(curve, CurvePoint::rmse), false)
                    .add("MAE", xs, column(curve, CurvePoint::mae), true);
        } else {
            chart = new LineChart(title, "ratings trained", "metric @10, moving window")
                    .add("model HR@10", xs, column(curve, CurvePoint::hitRate), false)
                    .add("model NDCG@10", xs, column(curve, CurvePoint::ndcg), true)
                    .add("popularity HR@10", xs, column(curve, CurvePoint::popularityHitRate), false)
                    .add("recent popularity HR@10", xs, column(curve, CurvePoint::recentHitRate), false)
                    .add("model full-catalogue recall@10", xs, column(curve, CurvePoint::fullRecall), true);
        }
        chart.write(png);
    }

    private static double[] column(List<CurvePoint> curve, ToDoubleFunction<CurvePoint> f) {
        return curve.stream().mapToDouble(f).toArray();
    }
}
