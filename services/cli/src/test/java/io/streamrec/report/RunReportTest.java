package io.streamrec.report;

import io.streamrec.evaluate.CurvePoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The files a run leaves: CSV data, a PNG chart of the model against both baselines, an HTML page with both. */
class RunReportTest {
    private static final double NOT_MEASURED = Double.NaN;

    @Test
    void writesTheCurveTheChartAndAPageWithTheSummary(@TempDir Path dir) throws Exception {
        List<CurvePoint> curve = List.of(
                point(10_000, 0.45, 0.35, 0.30, NOT_MEASURED),
                point(20_000, 0.55, 0.40, 0.32, NOT_MEASURED),
                point(30_000, 0.62, 0.44, 0.33, NOT_MEASURED));
        RunReport.Written files = new RunReport("a <test> run", "  HR@10  model 0.620 & more\n", curve, false, 10)
                .write(dir, "learning-curve");

        assertThat(Files.readAllLines(files.csv())).hasSize(4);
        BufferedImage chart = ImageIO.read(files.png().toFile());
        assertThat(chart.getWidth()).isGreaterThan(800);
        String html = Files.readString(files.html());
        assertThat(html).contains("<title>a &lt;test&gt; run</title>", "HR@10  model 0.620 &amp; more",
                "href=\"learning-curve.csv\"");
        String inline = html.substring(html.indexOf("base64,") + 7, html.indexOf('"', html.indexOf("base64,")));
        assertThat(ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(inline)))).isNotNull();
    }

    @Test
    void theModelIsDrawnAgainstBothBaselinesAndAnUnmeasuredMetricNotAtAll() {
        List<CurvePoint> unmeasured = List.of(point(10_000, 0.45, 0.35, 0.30, NOT_MEASURED),
                point(20_000, 0.55, 0.40, 0.32, NOT_MEASURED));
        assertThat(LearningCurveChart.lines(unmeasured, false, 10)).containsExactly("model HR@10", "model NDCG@10",
                "recent popularity HR@10", "all-time popularity HR@10");

        List<CurvePoint> measuredOnce = List.of(point(10_000, 0.45, 0.35, 0.30, NOT_MEASURED),
                point(20_000, 0.55, 0.40, 0.32, 0.06));
        assertThat(LearningCurveChart.lines(measuredOnce, false, 10)).contains("model full-catalogue recall@10");
        assertThat(LearningCurveChart.lines(measuredOnce, false, 20)).as("K follows evaluate.top-k")
                .contains("model HR@20", "model full-catalogue recall@20");
        assertThat(LearningCurveChart.lines(measuredOnce, true, 10)).as("no star ratings were scored").isEmpty();
    }

    /**
     * A demo stopped with Ctrl-C writes its report while the JVM shuts down (its main thread does, while the
     * shutdown hook waits for it), so the chart must draw then too: ImageIO's default file cache cannot, it adds a
     * shutdown hook on first use. In a JVM of its own, which this test lets end, with a temp directory ImageIO could
     * cache in.
     */
    @Test
    void drawsTheChartWhileTheJvmShutsDown(@TempDir Path tmp) throws Exception {
        Process jvm = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.awt.headless=true", "-Djava.io.tmpdir=" + tmp, "-cp", System.getProperty("java.class.path"),
                ChartAtShutdown.class.getName())
                .redirectErrorStream(true).start();
        String output = new String(jvm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(jvm.waitFor(60, TimeUnit.SECONDS)).as("exited").isTrue();
        assertThat(jvm.exitValue()).as(output).isZero();
        assertThat(output).contains("drew a PNG of").doesNotContain("failed: ");
    }

    /** Draws a chart from a shutdown hook and says how that went. */
    static final class ChartAtShutdown {
        public static void main(String[] args) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    byte[] png = LearningCurveChart.png(List.of(point(10_000, 0.5, 0.4, 0.3, NOT_MEASURED),
                            point(20_000, 0.6, 0.4, 0.3, NOT_MEASURED)), "at shutdown", false, 10);
                    System.out.println("drew a PNG of " + png.length + " bytes");
                } catch (RuntimeException e) {
                    System.out.println("failed: " + e);
                }
            }));
        }
    }

    private static CurvePoint point(long events, double hr, double recent, double allTime, double fullRecall) {
        return new CurvePoint(events, hr, hr * 0.6, allTime, recent, fullRecall, fullRecall, Double.NaN, Double.NaN,
                0.4, 0.3);
    }
}
