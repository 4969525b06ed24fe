package io.streamrec.report;

import io.streamrec.evaluate.CurvePoint;
import io.streamrec.evaluate.LearningCurve;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

/**
 * What a run of {@code evaluate} or {@code demo} leaves behind: the learning curve as CSV (the data), as PNG (the
 * chart) and an HTML page with the chart inline and the run's summary as printed, one file to open or send.
 *
 * @param title    the chart's and the page's title
 * @param summary  the run's report as the terminal showed it
 * @param curve    the prequential learning curve
 * @param explicit star ratings (error curves) rather than rankings
 * @param topK     K of the ranking metrics ({@code evaluate.top-k}), for the chart's labels
 */
public record RunReport(String title, String summary, List<CurvePoint> curve, boolean explicit, int topK) {

    /** The three files written, for the command to point at. */
    public record Written(Path csv, Path png, Path html) {
    }

    /** Writes {@code name}.csv, {@code name}.png and {@code name}.html into the directory. */
    public Written write(Path dir, String name) {
        Written files = new Written(dir.resolve(name + ".csv"), dir.resolve(name + ".png"), dir.resolve(name + ".html"));
        LearningCurve.writeCsv(curve, files.csv());
        byte[] png = LearningCurveChart.png(curve, title, explicit, topK);
        try {
            Files.write(files.png(), png);
            Files.writeString(files.html(), html(png, files.csv().getFileName().toString()), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report into " + dir, e);
        }
        return files;
    }

    private String html(byte[] png, String csvName) {
        return """
                <!DOCTYPE html>
                <html lang="en">
                <head>
                <meta charset="utf-8">
                <title>%1$s</title>
                <style>
                  body { font-family: sans-serif; margin: 2em auto; max-width: 1000px; color: #222; }
                  pre { background: #f6f6f6; padding: 1em; overflow-x: auto; }
                  img { max-width: 100%%; border: 1px solid #ddd; }
                </style>
                </head>
                <body>
                <h1>%1$s</h1>
                <h2>Learning curve</h2>
                <p><img alt="learning curve" src="data:image/png;base64,%2$s"></p>
                <p>Each point is a moving window of the last ratings ranked before training on them; a gap or a
                missing line is a metric not measured there. Data: <a href="%3$s">%3$s</a>.</p>
                <h2>Summary</h2>
                <pre>%4$s</pre>
                </body>
                </html>
                """.formatted(escape(title), Base64.getEncoder().encodeToString(png), escape(csvName), escape(summary));
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
