package io.streamrec.demo;

import io.streamrec.contract.Recommendation;

import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The demo's live view. On a terminal it redraws in place every second at the terminal's current size, planned for
 * 80 x 24 and up: no line is wider than the terminal and the frame is no taller (the users' lists give up lines
 * first), so nothing wraps or scrolls; the cursor is hidden meanwhile. Elsewhere (a pipe, CI) it prints one status
 * line every few seconds, so logs stay readable.
 */
final class Dashboard implements AutoCloseable {
    private static final String HOME = "\033[H";
    private static final String CLEAR_SCREEN = "\033[2J";
    private static final String CLEAR_TO_LINE_END = "\033[K";
    private static final String CLEAR_BELOW = "\033[J";
    private static final String HIDE_CURSOR = "\033[?25l";
    private static final String SHOW_CURSOR = "\033[?25h";
    /** The narrowest user column: a rank and about twenty characters of title. */
    private static final int MIN_COLUMN = 24;
    /** Lines of one user's column with a full list: who, the last rating, the list's origin, ten items. */
    private static final int FULL_USER = 13;
    /** Lines of a user's column with one item. */
    private static final int SMALLEST_USER = 4;
    /** The frame printed once at the end when not on a terminal. */
    private static final TerminalSize PLAIN = new TerminalSize(100, Integer.MAX_VALUE);
    private static final String ELLIPSIS = Charset.defaultCharset().newEncoder().canEncode('…') ? "…" : "~";

    /** Everything one frame shows; NaN where nothing was measured yet. */
    record Frame(String state, double elapsed, String source, String kafka, String lists, String metrics,
                 long replayed, long total, double replayRate, long trained, double trainRate, long deadLetters,
                 long version, double snapshotAge, double firstList, double hitRate, double recentHitRate,
                 double popularityHitRate, long trainedAgain, double latencyP50, double latencyP99, long rescored,
                 int usersWithList, int topK, List<UserView> users) {
    }

    record UserView(long user, int rated, String lastRated, Recommendation list) {
    }

    /** Where the logs went while the dashboard shows, and the warnings among them; null when they stay on stderr. */
    record Log(Path file, long warnings, List<String> recent) {
    }

    private final PrintStream out;
    private final Supplier<TerminalSize> terminal;
    private boolean drawn;
    private long lastLine;
    /** The state the last plain line showed; null before the first. */
    private String lastState;

    /** @param terminal the terminal's size, asked before each frame; null when not on a terminal */
    Dashboard(PrintStream out, Supplier<TerminalSize> terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    void show(Frame f, Log log) {
        if (terminal == null) {
            // Piped or in a log: where to reach the services once, then a line every 5 s and whenever the state
            // changes ("replay done; taking ratings" is what the README's tour waits for).
            if (lastState == null) {
                out.println("Kafka " + f.kafka() + "   lists " + f.lists() + "   metrics " + f.metrics());
            }
            if (!f.state().equals(lastState) || System.nanoTime() - lastLine > 5_000_000_000L) {
                out.println(statusLine(f));
                lastLine = System.nanoTime();
                lastState = f.state();
            }
            return;
        }
        StringBuilder sb = new StringBuilder(drawn ? HOME : HIDE_CURSOR + CLEAR_SCREEN + HOME);
        List<String> lines = lines(f, terminal.get(), log);
        for (int i = 0; i < lines.size(); i++) {
            // No newline after the last line: on the terminal's bottom row it would scroll the frame up by one.
            sb.append(lines.get(i)).append(CLEAR_TO_LINE_END).append(i + 1 < lines.size() ? "\n" : "");
        }
        out.print(sb.append(CLEAR_BELOW));
        out.flush();
        drawn = true;
    }

    /** The last frame in full, for the end of a run that was not on a terminal. */
    String render(Frame f) {
        return String.join("\n", lines(f, PLAIN, null)) + "\n";
    }

    /**
     * The frame's lines for a terminal of this size: each at most one column narrower than the terminal (a character
     * in the last column makes some terminals wrap), at most as many as it has rows.
     */
    List<String> lines(Frame f, TerminalSize size, Log log) {
        int width = Math.max(20, size.columns() - 1);
        List<String> header = new ArrayList<>();
        String clock = clock(f.elapsed());
        String title = fit("streamrec demo  " + f.state(), width - clock.length() - 1);
        header.add(title + " ".repeat(width - clock.length() - title.length()) + clock);
        header.add("data   " + f.source());
        header.add("Kafka " + f.kafka() + "   lists " + f.lists() + "   metrics " + f.metrics());
        header.add(String.format(Locale.ROOT, "replayed %,d of %,d  %,.0f/s   trained %,d  %,.0f/s   dead letters %,d",
                f.replayed(), f.total(), f.replayRate(), f.trained(), f.trainRate(), f.deadLetters()));
        header.add(String.format(Locale.ROOT, "snapshot v%d%s   first list %s   users with a list %,d", f.version(),
                Double.isNaN(f.snapshotAge()) ? "" : String.format(Locale.ROOT, ", %.1f s ago", f.snapshotAge()),
                Double.isNaN(f.firstList()) ? "(waiting)" : String.format(Locale.ROOT, "after %.1f s", f.firstList()),
                f.usersWithList()));
        // The moving window (the summary at the end gives the whole run).
        header.add("HR@" + f.topK() + " (moving window)  model " + num(f.hitRate()) + "   recent popularity " + num(f.recentHitRate())
                + "   all-time " + num(f.popularityHitRate()));
        header.add(String.format(Locale.ROOT, "continual training  %,d past ratings trained again (%.1f per rating)",
                f.trainedAgain(), f.trainedAgain() / (double) Math.max(1, f.trained())));
        header.add(String.format(Locale.ROOT, "rating -> list  p50 %s  p99 %s (last 15 s)   users rescored %,d",
                duration(f.latencyP50()), duration(f.latencyP99()), f.rescored()));
        header.add("");

        List<String> footer = new ArrayList<>();
        if (log != null) {
            footer.add(log.warnings() == 0 ? "no warnings (they would show here); log " + log.file()
                    : String.format(Locale.ROOT, "%,d warning(s), the latest below; log %s", log.warnings(), log.file()));
        }
        int room = size.rows() - header.size() - footer.size();
        List<String> recent = log == null ? List.of() : log.recent();
        // The latest warning always shows; up to two more in the room full lists leave.
        int warningLines = Math.min(recent.size(), Math.max(1, Math.min(3, room - FULL_USER)));
        footer.addAll(recent.subList(recent.size() - warningLines, recent.size()));
        room -= warningLines;

        List<String> lines = new ArrayList<>();
        header.forEach(l -> lines.add(fit(l, width)));
        lines.addAll(users(f.users(), width, room));
        footer.forEach(l -> lines.add(fit(l, width)));
        return lines.subList(0, Math.min(lines.size(), size.rows()));
    }

    String statusLine(Frame f) {
        return String.format(Locale.ROOT, "[%s] %s: replayed %,d/%,d (%,.0f/s)  trained %,d  v%d  HR@%d %s (moving window; recent popularity"
                        + " %s, all-time %s)  latency p50 %s p99 %s  users with a list %,d", clock(f.elapsed()), f.state(),
                f.replayed(), f.total(), f.replayRate(), f.trained(), f.version(), f.topK(), num(f.hitRate()),
                num(f.recentHitRate()), num(f.popularityHitRate()), duration(f.latencyP50()), duration(f.latencyP99()),
                f.usersWithList());
    }

    /** The users' columns side by side, as many as fit the width, rows of them as many as fit the room. */
    private static List<String> users(List<UserView> users, int width, int room) {
        List<String> lines = new ArrayList<>();
        if (users.isEmpty() || room < SMALLEST_USER) {
            return lines;
        }
        int perRow = Math.max(1, Math.min(users.size(), width / MIN_COLUMN));
        int column = width / perRow;
        int rows = (users.size() + perRow - 1) / perRow;
        while (rows > 1 && (room - (rows - 1)) / rows < SMALLEST_USER) {
            rows--;
        }
        int height = Math.min(FULL_USER, (room - (rows - 1)) / rows);
        for (int row = 0; row < rows; row++) {
            if (row > 0) {
                lines.add("");
            }
            List<UserView> shown = users.subList(row * perRow, Math.min(users.size(), (row + 1) * perRow));
            List<List<String>> columns = shown.stream().map(u -> column(u, height)).toList();
            for (int line = 0; line < height; line++) {
                StringBuilder sb = new StringBuilder();
                for (int c = 0; c < columns.size(); c++) {
                    String cell = line < columns.get(c).size() ? columns.get(c).get(line) : "";
                    boolean last = c == columns.size() - 1;
                    String fitted = fit(cell, last ? column : column - 2);
                    sb.append(fitted).append(last ? "" : " ".repeat(column - fitted.length()));
                }
                lines.add(sb.toString().stripTrailing());
            }
        }
        return lines;
    }

    private static List<String> column(UserView u, int height) {
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "user %d: %,d rated", u.user(), u.rated()));
        lines.add("last: " + u.lastRated());
        Recommendation r = u.list();
        if (r == null) {
            lines.add("(no list yet)");
            return lines;
        }
        lines.add(String.format(Locale.ROOT, "%s list v%d, %s", r.source(), r.modelVersion(), r.trigger()));
        int rank = 1;
        for (Recommendation.Item item : r.items()) {
            if (lines.size() >= height) {
                break;
            }
            lines.add(String.format(Locale.ROOT, "%2d %s", rank++, item.title() == null ? "movie " + item.movieId() : item.title()));
        }
        return lines;
    }

    private static String fit(String s, int width) {
        return s.length() <= width ? s : s.substring(0, Math.max(0, width - ELLIPSIS.length())) + ELLIPSIS;
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.3f", v);
    }

    /** Milliseconds below a second, seconds above; "-" when not measured. */
    static String duration(double seconds) {
        return Double.isNaN(seconds) ? "-" : seconds < 1 ? String.format(Locale.ROOT, "%.1f ms", seconds * 1000)
                : String.format(Locale.ROOT, "%.1f s", seconds);
    }

    private static String clock(double seconds) {
        long s = (long) seconds;
        return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    /** Gives the terminal its cursor back and leaves it below the last frame. */
    @Override
    public void close() {
        if (drawn) {
            out.print(SHOW_CURSOR + "\n");
            out.flush();
            drawn = false;
        }
    }
}
