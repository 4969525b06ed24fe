package io.streamrec.demo;

import io.streamrec.files.Directories;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.streamrec.broker.ClusterSpec;
import io.streamrec.broker.KafkaCluster;
import io.streamrec.config.Settings;
import io.streamrec.evaluate.CurvePoint;
import io.streamrec.evaluate.LearningCurve;
import io.streamrec.metrics.Metrics;
import io.streamrec.dataset.movielens.BadRows;
import io.streamrec.replay.Pacing;
import io.streamrec.dataset.RatingCursor;
import io.streamrec.dataset.RatingLog;
import io.streamrec.dataset.source.RatingSource;
import io.streamrec.replay.Replayer;
import io.streamrec.score.ScorerApp;
import io.streamrec.score.state.ScorerConfig;
import io.streamrec.stream.StreamingConfig;
import io.streamrec.stream.StreamingTrainer;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code ./streamrec demo}: the whole system in one process on a laptop. An embedded broker, the streaming
 * trainer and the scorer start; MovieLens (or, offline with nothing found, a synthetic stream) is replayed at a
 * chosen pace; a dashboard shows throughput, snapshots, prequential quality, freshness and three users' lists;
 * at the end it prints a summary and writes the learning curve. Ratings produced from outside (kcat) are trained
 * and scored like the replay's.
 */
public final class Demo {
    private final Settings base;
    private final PrintStream out;
    private final boolean terminal;
    private volatile boolean stopping;
    private final CountDownLatch finished = new CountDownLatch(1);

    public Demo(Settings settings, PrintStream out, boolean terminal) {
        this.base = settings;
        this.out = out;
        this.terminal = terminal;
    }

    /** Asks a running demo to stop (Ctrl-C) and waits for it to wind down. */
    public void stop() {
        stopping = true;
        try {
            finished.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public int run() throws Exception {
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        // The broker's and the scorer's state for this run, deleted at the end. Beside the output, not in the OS temp
        // directory: Kafka Streams warns (rightly) that a state directory there can be cleared under a running scorer.
        Path output = Files.createDirectories(Path.of(base.text("demo.output-dir")));
        Path work = Files.createTempDirectory(output, "run-");
        try {
            return run(jvmStart, work);
        } finally {
            Directories.deleteRecursively(work);
            finished.countDown();
        }
    }

    private int run(long jvmStart, Path work) throws Exception {
        // Everything the user can get wrong is checked before anything starts: settings, the watched users, the data.
        StreamingConfig.from(base);
        ScorerConfig.from(base);
        List<Long> chosenUsers = users(base);
        DemoSource source = DemoSource.find(base, out);
        RatingLog log = source.ratings();
        WatchedUsers watched = new WatchedUsers(WatchedUsers.choose(log, chosenUsers, 3), WatchedUsers.byId(source.movies()));
        int brokerPort = freeOrAny(base.integer("broker.port"));
        out.println("demo: starting Kafka...");
        try (KafkaCluster broker = KafkaCluster.start(ClusterSpec.from(base).withDataDir(work.resolve("kafka"))
                .withPort(brokerPort).withNodes(1))) {
            Settings s = base.with("kafka.bootstrap.servers", broker.bootstrapServers())
                    .with("topics.replication-factor", 1)
                    .with("scorer.state-dir", work.resolve("scorer"))
                    .with("metrics.port", freeOrAny(base.integer("metrics.port")))
                    .with("scorer.http.port", freeOrAny(base.integer("scorer.http.port")))
                    .with("trainer.prequential-sample-rate", 1.0);
            try (Metrics metrics = Metrics.start(s, "streamrec-demo")) {
                StreamingTrainer trainer = StreamingTrainer.start(s, metrics.registry());
                ScorerApp scorer = ScorerApp.start(s, metrics);
                RecommendationWatch recommendations = new RecommendationWatch(s, new HashSet<>(watched.users()));
                String addresses = String.format("Kafka %s   metrics http://%s:%d/metrics   lists http://%s:%d/users/{id}/recommendations",
                        broker.bootstrapServers(), s.text("metrics.host"), metrics.port(), s.text("scorer.http.host"),
                        scorer.httpPort());
                try {
                    return replayAndWatch(s, source, watched, trainer, scorer, recommendations, metrics.registry(),
                            addresses, jvmStart);
                } finally {
                    recommendations.close();
                    scorer.close();
                    trainer.close();
                }
            }
        }
    }

    private int replayAndWatch(Settings s, DemoSource source, WatchedUsers watched, StreamingTrainer trainer,
                               ScorerApp scorer, RecommendationWatch recommendations, MeterRegistry registry,
                               String addresses, long jvmStart) throws Exception {
        RatingLog log = source.ratings();
        int users = log.distinctUsers();
        AtomicLong sent = new AtomicLong();
        AtomicReference<RuntimeException> replayFailure = new AtomicReference<>();
        Pacing pacing = s.decimal("demo.speedup") > 0 ? Pacing.speedup(s.decimal("demo.speedup"))
                : s.decimal("demo.rate") > 0 ? Pacing.rate(s.decimal("demo.rate")) : Pacing.max();
        RatingSource replaySource = new RatingSource(source.description(), source.movies(),
                new WatchingCursor(log, watched, sent), BadRows.none());
        Thread replay = new Thread(() -> {
            try {
                new Replayer(s, new PrintStream(PrintStream.nullOutputStream()), registry).replay(replaySource, pacing, false);
            } catch (RuntimeException e) {
                if (!stopping) {
                    replayFailure.set(e);
                }
            }
        }, "demo-replay");
        replay.start();

        Dashboard dashboard = new Dashboard(out, terminal);
        boolean keepRunning = s.flag("demo.keep-running");
        long lastSent = 0;
        long lastTrained = 0;
        long lastTick = System.nanoTime();
        long replayEndedAt = 0;
        long caughtUpAt = 0;
        Dashboard.Frame frame = null;
        while (!stopping) {
            Thread.sleep(1000);
            long now = System.nanoTime();
            if (replayFailure.get() != null) {
                out.println("demo: the replay failed: " + replayFailure.get().getMessage());
                return 1;
            }
            if (!trainer.isRunning()) {
                out.println("demo: the trainer stopped: " + trainer.failure());
                return 1;
            }
            long trained = trainer.eventsTrained();
            if (!replay.isAlive() && replayEndedAt == 0) {
                replayEndedAt = now;
            }
            // Caught up: everything sent is trained (or dead-lettered) and every user who rated has a list.
            boolean caughtUp = replayEndedAt != 0
                    && trained + count(registry, "streamrec.trainer.events.invalid") >= sent.get()
                    && recommendations.usersWithList() >= users;
            if (caughtUp && caughtUpAt == 0) {
                caughtUpAt = now;
            }
            String state = replayEndedAt == 0 ? "replaying (Ctrl-C to stop)"
                    : keepRunning ? "replay finished; still taking ratings (Ctrl-C to stop)"
                    : caughtUp ? "done" : "replay finished; catching up";
            double dt = (now - lastTick) / 1e9;
            frame = frame(source, addresses, jvmStart, sent.get(), log.size(), (sent.get() - lastSent) / dt, trained,
                    (trained - lastTrained) / dt, trainer, recommendations, registry, watched, state);
            dashboard.show(frame);
            lastSent = sent.get();
            lastTrained = trained;
            lastTick = now;
            boolean settled = caughtUpAt != 0 && now - caughtUpAt > 2_000_000_000L;
            boolean gaveUpWaiting = replayEndedAt != 0 && now - replayEndedAt > 60_000_000_000L;
            if (!keepRunning && (settled || gaveUpWaiting)) {
                break;
            }
        }
        replay.join(10_000);
        if (frame != null && !terminal) {
            out.print(dashboard.render(frame));
        }
        return summary(s, source, trainer, recommendations, registry, jvmStart, sent.get(), frame);
    }

    private int summary(Settings s, DemoSource source, StreamingTrainer trainer, RecommendationWatch recommendations,
                        MeterRegistry registry, long jvmStart, long sent, Dashboard.Frame last) {
        Path dir = Path.of(s.text("demo.output-dir"));
        List<CurvePoint> curve = trainer.evaluator().curve();
        Path png = dir.resolve("learning-curve.png");
        Path csv = dir.resolve("learning-curve.csv");
        LearningCurve.writeCsv(curve, csv);
        LearningCurve.writeChart(curve, "streamrec demo: prequential quality, " + (source.synthetic() ? "synthetic stream" : "MovieLens"),
                false, png);
        var summary = trainer.evaluator().summary();
        out.println();
        out.println("summary");
        out.println("  data            " + source.description());
        out.printf(Locale.ROOT, "  replayed        %,d ratings; trained %,d; dead letters %,d%n", sent, trainer.eventsTrained(),
                count(registry, "streamrec.trainer.events.invalid"));
        out.printf(Locale.ROOT, "  snapshots       %d (model v%d)%n", trainer.snapshotVersion(), trainer.snapshotVersion());
        out.printf(Locale.ROOT, "  prequential     HR@10 %.3f (NDCG@10 %.3f) over %,d ratings: %.2fx recent popularity's %.3f"
                        + " (all-time popularity %.3f)%n", summary.hitRate(), summary.ndcg(), summary.ranked(),
                summary.hitRate() / summary.recentPopularityHitRate(), summary.recentPopularityHitRate(),
                summary.popularityHitRate());
        out.printf(Locale.ROOT, "  continual       %,d past ratings trained again between fresh ones (%.1f per rating)%n",
                trainer.positivesReplayed(), trainer.positivesReplayed() / (double) Math.max(1, trainer.eventsTrained()));
        if (last != null) {
            out.printf(Locale.ROOT, "  freshness       rating -> recommendation p50 %.1f ms, p99 %.1f ms (last 15 s)%n",
                    last.latencyP50() * 1000, last.latencyP99() * 1000);
        }
        out.printf(Locale.ROOT, "  recommendations %,d users have a list (%,d records)%n", recommendations.usersWithList(),
                recommendations.records());
        if (recommendations.firstArrivalMillis() > 0) {
            out.printf(Locale.ROOT, "  first list      %.1f s after the command started%n",
                    (recommendations.firstArrivalMillis() - jvmStart) / 1000.0);
        }
        out.println("  learning curve  " + png.toAbsolutePath() + " (data: " + csv.toAbsolutePath() + ")");
        return 0;
    }

    private Dashboard.Frame frame(DemoSource source, String addresses, long jvmStart, long sent, long total,
                                  double sendRate, long trained, double trainRate, StreamingTrainer trainer,
                                  RecommendationWatch recommendations, MeterRegistry registry, WatchedUsers watched,
                                  String state) {
        CurvePoint p = trainer.prequential();
        Timer latency = registry.find("streamrec.scorer.rating.latency").timer();
        double p50 = Double.NaN;
        double p99 = Double.NaN;
        if (latency != null && latency.count() > 0) {
            for (ValueAtPercentile v : latency.takeSnapshot().percentileValues()) {
                if (v.percentile() == 0.5) {
                    p50 = v.value(TimeUnit.SECONDS);
                } else if (v.percentile() == 0.99) {
                    p99 = v.value(TimeUnit.SECONDS);
                }
            }
        }
        double rescored = registry.find("streamrec.scorer.rescored").counters().stream().mapToDouble(Counter::count).sum();
        List<Dashboard.UserView> users = new ArrayList<>();
        for (long u : watched.users()) {
            users.add(new Dashboard.UserView(u, watched.rated(u), watched.lastRated(u), recommendations.latest(u)));
        }
        long first = recommendations.firstArrivalMillis();
        return new Dashboard.Frame(source.description(), addresses, (System.currentTimeMillis() - jvmStart) / 1000.0,
                first < 0 ? -1 : (first - jvmStart) / 1000.0, sent, total, sendRate, trained, trainRate,
                count(registry, "streamrec.trainer.events.invalid"), trainer.snapshotVersion(),
                snapshotAge(registry), p.hitRate(), p.ndcg(), p.popularityHitRate(), p.recentHitRate(), p50, p99,
                (long) rescored, recommendations.usersWithList(), users, state);
    }

    private static double snapshotAge(MeterRegistry registry) {
        var age = registry.find("streamrec.trainer.snapshot.age").gauge();
        return age == null ? Double.NaN : age.value();
    }

    private static long count(MeterRegistry registry, String name) {
        Counter c = registry.find(name).counter();
        return c == null ? 0 : (long) c.count();
    }

    private static List<Long> users(Settings s) {
        String list = s.optionalText("demo.users");
        if (list == null) {
            return List.of();
        }
        try {
            return Arrays.stream(list.split("[,\\s]+")).map(Long::parseLong).toList();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("demo.users=" + list + ": user ids are whole numbers, comma-separated");
        }
    }

    /** The port if it is free, else 0 (any free port): the demo must start on a busy laptop. */
    private static int freeOrAny(int port) {
        if (port <= 0) {
            return port;
        }
        try (ServerSocket socket = new ServerSocket(port)) {
            socket.setReuseAddress(true);
            return port;
        } catch (IOException e) {
            return 0;
        }
    }


    /** Replays the log in order, telling the dashboard about the watched users; ends early when the demo stops. */
    private final class WatchingCursor implements RatingCursor {
        private final RatingLog log;
        private final WatchedUsers watched;
        private final AtomicLong sent;
        private int i = -1;

        WatchingCursor(RatingLog log, WatchedUsers watched, AtomicLong sent) {
            this.log = log;
            this.watched = watched;
            this.sent = sent;
        }

        @Override
        public boolean next() {
            if (stopping || i + 1 >= log.size()) {
                return false;
            }
            i++;
            watched.sent(log.userId(i), log.movieId(i), log.rating(i));
            sent.incrementAndGet();
            return true;
        }

        @Override
        public long userId() {
            return log.userId(i);
        }

        @Override
        public long movieId() {
            return log.movieId(i);
        }

        @Override
        public float rating() {
            return log.rating(i);
        }

        @Override
        public long timestamp() {
            return log.timestamp(i);
        }

        @Override
        public long size() {
            return log.size();
        }
    }
}
