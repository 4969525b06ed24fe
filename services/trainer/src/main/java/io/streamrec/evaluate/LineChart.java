package io.streamrec.evaluate;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A PNG line chart drawn with Java2D (headless): learning curves without a plotting dependency. */
public final class LineChart {
    private static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
            new Color(0xff7f0e), new Color(0x9467bd), new Color(0x8c564b)};

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final List<Series> series = new ArrayList<>();

    public LineChart(String title, String xLabel, String yLabel) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
    }

    /** Adds a line; NaN points are skipped. */
    public LineChart add(String name, double[] xs, double[] ys, boolean dashed) {
        series.add(new Series(name, xs, ys, dashed));
        return this;
    }

    public void write(Path png) {
        System.setProperty("java.awt.headless", "true");
        int w = 960, h = 560, left = 80, right = 30, top = 50, bottom = 70;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);

        double minX = Double.POSITIVE_INFINITY, maxX = Double.NEGATIVE_INFINITY;
        double minY = Double.POSITIVE_INFINITY, maxY = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (int i = 0; i < s.xs.length; i++) {
                if (!Double.isNaN(s.ys[i]) && !Double.isInfinite(s.ys[i])) {
                    minX = Math.min(minX, s.xs[i]);
                    maxX = Math.max(maxX, s.xs[i]);
                    minY = Math.min(minY, s.ys[i]);
                    maxY = Math.max(maxY, s.ys[i]);
                }
            }
        }
        if (minX > maxX) {
            minX = 0;
            maxX = 1;
            minY = 0;
            maxY = 1;
        }
        if (maxX == minX) {
            maxX = minX + 1;
        }
        double padY = (maxY - minY) * 0.05 + 1e-9;
        minY = Math.max(0, minY - padY);
        maxY = maxY + padY;
        int pw = w - left - right, ph = h - top - bottom;

        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.setColor(Color.BLACK);
        g.drawString(title, left, 30);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        FontMetrics fm = g.getFontMetrics();
        g.setColor(new Color(0xdddddd));
        for (int t = 0; t <= 5; t++) {
            int y = top + ph - t * ph / 5;
            g.drawLine(left, y, left + pw, y);
            int x = left + t * pw / 5;
            g.drawLine(x, top, x, top + ph);
        }
        g.setColor(Color.BLACK);
        g.drawRect(left, top, pw, ph);
        for (int t = 0; t <= 5; t++) {
            double yv = minY + t * (maxY - minY) / 5;
            String ys = String.format(Locale.ROOT, "%.3f", yv);
            g.drawString(ys, left - 8 - fm.stringWidth(ys), top + ph - t * ph / 5 + 4);
            double xv = minX + t * (maxX - minX) / 5;
            String xs = humanize(xv);
            g.drawString(xs, left + t * pw / 5 - fm.stringWidth(xs) / 2, top + ph + 18);
        }
        g.drawString(xLabel, left + pw / 2 - fm.stringWidth(xLabel) / 2, h - 30);
        Graphics2D rotated = (Graphics2D) g.create();
        rotated.rotate(-Math.PI / 2);
        rotated.drawString(yLabel, -(top + ph / 2 + fm.stringWidth(yLabel) / 2), 18);
        rotated.dispose();

        int legendX = left + 12, legendY = top + 16;
        for (int si = 0; si < series.size(); si++) {
            Series s = series.get(si);
            Color c = PALETTE[si % PALETTE.length];
            g.setColor(c);
            g.setStroke(s.dashed ? new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f,
                    new float[]{8f, 6f}, 0f) : new BasicStroke(2f));
            int px = -1, py = -1;
            for (int i = 0; i < s.xs.length; i++) {
                if (Double.isNaN(s.ys[i]) || Double.isInfinite(s.ys[i])) {
                    px = -1;
                    continue;
                }
                int x = left + (int) Math.round((s.xs[i] - minX) / (maxX - minX) * pw);
                int y = top + ph - (int) Math.round((s.ys[i] - minY) / (maxY - minY) * ph);
                if (px >= 0) {
                    g.drawLine(px, py, x, y);
                }
                px = x;
                py = y;
            }
            g.drawLine(legendX, legendY + si * 18 - 4, legendX + 28, legendY + si * 18 - 4);
            g.setColor(Color.BLACK);
            g.drawString(s.name, legendX + 36, legendY + si * 18);
        }
        g.dispose();
        try {
            Path parent = png.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            ImageIO.write(img, "png", png.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write chart " + png, e);
        }
    }

    private static String humanize(double v) {
        double a = Math.abs(v);
        if (a >= 1e6) {
            return String.format(Locale.ROOT, "%.1fM", v / 1e6);
        }
        if (a >= 1e3) {
            return String.format(Locale.ROOT, "%.0fk", v / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f", v);
    }

    private record Series(String name, double[] xs, double[] ys, boolean dashed) {
    }
}
