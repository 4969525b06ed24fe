package io.streamrec.demo;

import io.streamrec.contract.Recommendation;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The dashboard fits the terminal it is drawn on, shows what the demo promises, and claims nothing unmeasured. */
class DashboardTest {

    @Test
    void aFrameFitsAClassicTerminalWithEverythingOnIt() {
        Dashboard.Log log = new Dashboard.Log(Path.of("streamrec-demo/demo.log"), 2,
                List.of("20:01:02 WARN Sender: something the user should see", "20:01:03 ERROR Trainer: " + "x".repeat(200)));
        List<String> lines = new Dashboard(null, null).lines(frame(0.0012, 0.031), new TerminalSize(80, 24), log);

        assertThat(lines).hasSizeLessThanOrEqualTo(24);
        assertThat(lines).allSatisfy(line -> assertThat(line.length()).as(line).isLessThan(80));
        String screen = String.join("\n", lines);
        assertThat(screen).contains("Kafka localhost:9092", "replayed 45,123 of 100,836", "snapshot v41",
                "HR@10 (moving window)  model 0.652   recent popularity 0.481   all-time 0.420",
                "continual training  1,234,567 past ratings trained again (27.4 per rating)",
                "p50 1.2 ms  p99 31.0 ms", "user 414: 512 rated", "user 68: 311 rated", "user 274: 290 rated",
                " 1 Star Wars: Episode IV", "2 warning(s), the latest below; log streamrec-demo/demo.log",
                "20:01:03 ERROR Trainer: xxx");
        assertThat(lines.get(0)).startsWith("streamrec demo  replaying, Ctrl-C stops").endsWith("0:42");
    }

    @Test
    void listsGiveUpLinesBeforeTheHeaderAndNarrowTerminalsStackUsers() {
        List<String> short80 = new Dashboard(null, null).lines(frame(0.0012, 0.031), new TerminalSize(80, 18), null);
        assertThat(short80).hasSize(18);
        assertThat(String.join("\n", short80)).contains("HR@10 (moving window)  model 0.652", "user 414", " 1 Star Wars").doesNotContain("10 Movie 10");

        List<String> narrow = new Dashboard(null, null).lines(frame(0.0012, 0.031), new TerminalSize(50, 40), null);
        assertThat(narrow).hasSizeLessThanOrEqualTo(40).allSatisfy(line -> assertThat(line.length()).isLessThan(50));
        assertThat(String.join("\n", narrow)).contains("user 414", "user 68", "user 274");
    }

    @Test
    void unmeasuredLatencyReadsAsADashNotZero() {
        Dashboard dashboard = new Dashboard(null, null);
        Dashboard.Frame idle = frame(Double.NaN, Double.NaN);
        assertThat(String.join("\n", dashboard.lines(idle, new TerminalSize(80, 24), null))).contains("p50 -  p99 -");
        assertThat(dashboard.statusLine(idle)).contains("latency p50 - p99 -")
                .contains("HR@10 0.652 (moving window; recent popularity 0.481, all-time 0.420)");
    }

    @Test
    void theHitRatesKIsEvaluateTopK() {
        Dashboard.Frame f = frame(0.0012, 0.031);
        Dashboard.Frame at20 = with(f, f.state(), 20);
        Dashboard dashboard = new Dashboard(null, null);
        assertThat(String.join("\n", dashboard.lines(at20, new TerminalSize(80, 24), null)))
                .contains("HR@20 (moving window)").doesNotContain("HR@10");
        assertThat(dashboard.statusLine(at20)).contains("HR@20 0.652 (moving window;");
    }

    @Test
    void onATerminalFramesRedrawInPlaceAndGiveTheCursorBack() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (Dashboard dashboard = new Dashboard(new PrintStream(bytes, true, StandardCharsets.UTF_8), () -> new TerminalSize(80, 24))) {
            dashboard.show(frame(0.0012, 0.031), null);
            dashboard.show(frame(0.0012, 0.031), null);
        }
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(out).startsWith("\033[?25l\033[2J\033[H").endsWith("\033[?25h\n");
        assertThat(out.split("\033\\[H", -1)).as("one clear, then each frame from the top").hasSize(3);
        assertThat(out.split("\033\\[2J", -1)).hasSize(2);
    }

    @Test
    void offATerminalTheAddressesComeOnceAndEachNewStateGetsALine() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (Dashboard dashboard = new Dashboard(new PrintStream(bytes, true, StandardCharsets.UTF_8), null)) {
            dashboard.show(frame(0.0012, 0.031), null);
            dashboard.show(frame(0.0012, 0.031), null); // the same state within 5 s: no line
            dashboard.show(withState(frame(0.0012, 0.031), "replay done; taking ratings, Ctrl-C stops"), null);
        }
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).startsWith("Kafka ").contains("lists ", "metrics ");
        assertThat(lines.get(1)).contains("replaying, Ctrl-C stops: replayed");
        assertThat(lines.get(2)).contains("replay done; taking ratings, Ctrl-C stops: replayed");
    }

    private static Dashboard.Frame withState(Dashboard.Frame f, String state) {
        return with(f, state, f.topK());
    }

    private static Dashboard.Frame with(Dashboard.Frame f, String state, int topK) {
        return new Dashboard.Frame(state, f.elapsed(), f.source(), f.kafka(), f.lists(), f.metrics(), f.replayed(),
                f.total(), f.replayRate(), f.trained(), f.trainRate(), f.deadLetters(), f.version(), f.snapshotAge(),
                f.firstList(), f.hitRate(), f.recentHitRate(), f.popularityHitRate(), f.trainedAgain(), f.latencyP50(),
                f.latencyP99(), f.rescored(), f.usersWithList(), topK, f.users());
    }

    private static Dashboard.Frame frame(double p50, double p99) {
        List<Dashboard.UserView> users = new ArrayList<>();
        long[][] who = {{414, 512}, {68, 311}, {274, 290}};
        for (long[] u : who) {
            List<Recommendation.Item> items = new ArrayList<>();
            items.add(new Recommendation.Item(260, "Star Wars: Episode IV - A New Hope (1977)", 0.9));
            IntStream.rangeClosed(2, 10).forEach(i -> items.add(new Recommendation.Item(i, "Movie " + i, 0.5)));
            users.add(new Dashboard.UserView(u[0], (int) u[1], "Heat (1995) 4.0",
                    new Recommendation(u[0], 41, 0, null, "snapshot", "model", items)));
        }
        return new Dashboard.Frame("replaying, Ctrl-C stops", 42.4,
                "MovieLens from /work/shared/data/movielens/ml-latest-small (CSV (ml-latest-small, ml-25m))",
                "localhost:9092", "http://127.0.0.1:8090", "http://127.0.0.1:9400/metrics", 45_123, 100_836, 2001,
                45_100, 1998, 0, 41, 0.3, 7.6, 0.652, 0.481, 0.420, 1_234_567, p50, p99, 3210, 412, 10, users);
    }
}
