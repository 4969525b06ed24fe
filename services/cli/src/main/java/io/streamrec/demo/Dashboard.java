package io.streamrec.demo;

import io.streamrec.contract.Recommendation;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The demo's live view. On a terminal it redraws in place every second; otherwise (a pipe, CI) it prints one
 * status line every few seconds, so logs stay readable.
 */
final class Dashboard {
    private static final String CLEAR = "\033[H\033[2J";
    private static final int COLUMN = 39;

    /** Everything one frame shows. */
    record Frame(String source, String addresses, double elapsed, double firstRecommendation, long replayed,
                 long total, double replayRate, long trained, double trainRate, long deadLetters, long version,
                 double snapshotAge, double hitRate, double ndcg, double popularityHitRate, double recentHitRate,
                 double latencyP50, double latencyP99, long rescored, int usersWithList, List<UserView> users,
                 String state) {
    }

    record UserView(long user, int rated, String lastRated, Recommendation list) {
    }

    private final PrintStream out;
    private final boolean terminal;
    private final int width;
    private long lastLine;

    Dashboard(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
        int columns = 120;
        try {
            columns = Integer.parseInt(System.getenv().getOrDefault("COLUMNS", "120"));
        } catch (NumberFormatException e) {
            // keep the default
        }
        this.width = columns;
    }

    void show(Frame f) {
        if (terminal) {
            out.print(CLEAR + render(f));
            out.flush();
        } else if (System.nanoTime() - lastLine > 5_000_000_000L) {
            out.println(statusLine(f));
            lastLine = System.nanoTime();
        }
    }

    /** The whole frame as text (also printed once at the end). */
    String render(Frame f) {
        StringBuilder sb = new StringBuilder();
        sb.append("streamrec demo  ").append(f.state()).append('\n');
        sb.append("data: ").append(f.source()).append('\n');
        sb.append(f.addresses()).append('\n');
        sb.append(String.format(Locale.ROOT, "elapsed %s   first recommendation after %s%n%n", clock(f.elapsed()),
                f.firstRecommendation() < 0 ? "(waiting)" : String.format(Locale.ROOT, "%.1f s", f.firstRecommendation())));
        sb.append(String.format(Locale.ROOT, "replayed  %,10d / %,d  %,8.0f/s      trained %,10d  %,8.0f/s   dead letters %,d%n",
                f.replayed(), f.total(), f.replayRate(), f.trained(), f.trainRate(), f.deadLetters()));
        sb.append(String.format(Locale.ROOT, "snapshot  v%-6d (%.1f s ago)          prequential HR@10 %s  NDCG@10 %s"
                        + "  (recent popularity %s, all-time %s)%n", f.version(), f.snapshotAge(), num(f.hitRate()),
                num(f.ndcg()), num(f.recentHitRate()), num(f.popularityHitRate())));
        sb.append(String.format(Locale.ROOT, "rating -> recommendation  p50 %s  p99 %s      users rescored %,d"
                + "      users with a list %,d%n%n", ms(f.latencyP50()), ms(f.latencyP99()), f.rescored(), f.usersWithList()));
        sb.append(usersSideBySide(f.users()));
        return sb.toString();
    }

    String statusLine(Frame f) {
        return String.format(Locale.ROOT, "[%s] replayed %,d/%,d (%,.0f/s)  trained %,d  v%d  HR@10 %s (recent popularity"
                        + " %s)  latency p50 %s p99 %s  users with a list %,d", clock(f.elapsed()), f.replayed(), f.total(),
                f.replayRate(), f.trained(), f.version(), num(f.hitRate()), num(f.recentHitRate()),
                ms(f.latencyP50()), ms(f.latencyP99()), f.usersWithList());
    }

    private String usersSideBySide(List<UserView> users) {
        int perRow = Math.max(1, Math.min(users.size(), width / COLUMN));
        StringBuilder sb = new StringBuilder();
        for (int from = 0; from < users.size(); from += perRow) {
            List<List<String>> columns = new ArrayList<>();
            for (UserView u : users.subList(from, Math.min(users.size(), from + perRow))) {
                columns.add(column(u));
            }
            int height = columns.stream().mapToInt(List::size).max().orElse(0);
            for (int line = 0; line < height; line++) {
                for (List<String> c : columns) {
                    String cell = line < c.size() ? c.get(line) : "";
                    sb.append(pad(cell));
                }
                sb.append('\n');
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static List<String> column(UserView u) {
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "user %d: %,d rated", u.user(), u.rated()));
        lines.add("last: " + u.lastRated());
        Recommendation r = u.list();
        if (r == null) {
            lines.add("(no list yet)");
            return lines;
        }
        lines.add(String.format(Locale.ROOT, "%s list, model v%d, %s", r.source(), r.modelVersion(), r.trigger()));
        int rank = 1;
        for (Recommendation.Item item : r.items()) {
            lines.add(String.format(Locale.ROOT, "%2d %s", rank++, item.title() == null ? "movie " + item.movieId() : item.title()));
        }
        return lines;
    }

    private static String pad(String s) {
        String cut = s.length() > COLUMN - 2 ? s.substring(0, COLUMN - 3) + "…" : s;
        return cut + " ".repeat(COLUMN - cut.length());
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "  -  " : String.format(Locale.ROOT, "%.3f", v);
    }

    private static String ms(double seconds) {
        return Double.isNaN(seconds) ? "-" : String.format(Locale.ROOT, "%.1f ms", seconds * 1000);
    }

    private static String clock(double seconds) {
        long s = (long) seconds;
        return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
