package io.streamrec.evaluate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a prequential learning curve as CSV, a row per window; a metric not measured in a window is an empty
 * cell, never 0. (Charts and reports are drawn by the CLI, so the trainer carries no plotting library.)
 */
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
}
