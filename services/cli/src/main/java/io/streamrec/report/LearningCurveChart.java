package io.streamrec.report;

import io.streamrec.evaluate.CurvePoint;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * A prequential learning curve as a PNG (JFreeChart): the model's ranking quality against both popularity baselines
 * (recent and all-time) on the same candidates, or for star ratings the model's error. A window where a metric was
 * not measured leaves a gap, and a metric never measured has no line at all: nothing unmeasured is drawn as 0.
 */
public final class LearningCurveChart {
    private static final int WIDTH = 960;
    private static final int HEIGHT = 540;

    private LearningCurveChart() {
    }

    private record Line(String name, ToDoubleFunction<CurvePoint> metric, Color color, boolean dashed) {
    }

    private static List<Line> ranking(int k) {
        return List.of(
                new Line("model HR@" + k, CurvePoint::hitRate, new Color(0x1f77b4), false),
                new Line("model NDCG@" + k, CurvePoint::ndcg, new Color(0x1f77b4), true),
                new Line("recent popularity HR@" + k, CurvePoint::recentHitRate, new Color(0xff7f0e), false),
                new Line("all-time popularity HR@" + k, CurvePoint::popularityHitRate, new Color(0x2ca02c), false),
                new Line("model full-catalogue recall@" + k, CurvePoint::fullRecall, new Color(0x9467bd), true));
    }

    private static final List<Line> ERROR = List.of(
            new Line("model RMSE", CurvePoint::rmse, new Color(0xd62728), false),
            new Line("model MAE", CurvePoint::mae, new Color(0xd62728), true));

    /** The names of the lines the chart draws: the metrics measured in at least one window. */
    static List<String> lines(List<CurvePoint> curve, boolean explicit, int topK) {
        return measured(curve, explicit, topK).stream().map(Line::name).toList();
    }

    private static List<Line> measured(List<CurvePoint> curve, boolean explicit, int topK) {
        return (explicit ? ERROR : ranking(topK)).stream()
                .filter(line -> curve.stream().anyMatch(p -> !Double.isNaN(line.metric().applyAsDouble(p)))).toList();
    }

    /** The chart as PNG bytes; explicit draws rating error, otherwise ranking quality at K = {@code topK}. */
    public static byte[] png(List<CurvePoint> curve, String title, boolean explicit, int topK) {
        XYSeriesCollection data = new XYSeriesCollection();
        List<Line> drawn = measured(curve, explicit, topK);
        for (Line line : drawn) {
            XYSeries series = new XYSeries(line.name(), false, true);
            for (CurvePoint p : curve) {
                double y = line.metric().applyAsDouble(p);
                // A null y is a gap in the line: JFreeChart draws no segment to or from it.
                series.add(Double.valueOf(p.events()), Double.isNaN(y) ? null : Double.valueOf(y));
            }
            data.addSeries(series);
        }
        NumberAxis x = new NumberAxis("ratings trained");
        NumberAxis y = new NumberAxis(explicit ? "error in stars, moving window" : "metric @" + topK + ", moving window");
        y.setAutoRangeIncludesZero(true);
        // A stream shorter than two windows has a point or two, and a lone point draws no line: mark the points.
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, curve.size() < 3);
        for (int i = 0; i < drawn.size(); i++) {
            renderer.setSeriesPaint(i, drawn.get(i).color());
            renderer.setSeriesStroke(i, drawn.get(i).dashed()
                    ? new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f, new float[]{8f, 5f}, 0f)
                    : new BasicStroke(2f));
        }
        XYPlot plot = new XYPlot(data, x, y, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xdddddd));
        plot.setRangeGridlinePaint(new Color(0xdddddd));
        JFreeChart chart = new JFreeChart(null, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setTitle(new TextTitle(title, new Font(Font.SANS_SERIF, Font.BOLD, 16)));
        chart.setBackgroundPaint(Color.WHITE);
        // Encoded through a memory cache: ImageIO's default file cache registers a JVM shutdown hook on first use,
        // which throws while the JVM shuts down, and a demo stopped with Ctrl-C writes its report just then.
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream png = new MemoryCacheImageOutputStream(bytes)) {
            if (!ImageIO.write(chart.createBufferedImage(WIDTH, HEIGHT), "png", png)) {
                throw new IllegalStateException("this JVM has no PNG writer");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot draw the chart " + title, e);
        }
        return bytes.toByteArray();
    }
}
