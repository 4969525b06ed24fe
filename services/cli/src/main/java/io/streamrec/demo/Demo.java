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
import io.streamrec.evaluate.PrequentialEvaluator;
import io.streamrec.metrics.Metrics;
import io.streamrec.dataset.movielens.BadRows;
import io.streamrec.replay.Pacing;
import io.streamrec.dataset.RatingCursor;
import io.streamrec.dataset.RatingLog;
import io.streamrec.dataset.source.RatingSource;
import io.streamrec.replay.Replayer;
import io.streamrec.report.RunReport;
import io.streamrec.score.ScorerApp;
import io.streamrec.score.state.ScorerConfig;
import io.streamrec.score.state.ScorerMetrics;
import io.streamrec.stream.StreamingConfig;
import io.streamrec.stream.StreamingTrainer;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * {@code ./streamrec demo}: the whole system in one process on a laptop. An embedded broker, the streaming
 * trainer and the scorer start; MovieLens (or, offline with nothing found, a synthetic stream) is replayed at a
 * chosen pace; a dashboard shows throughput, snapshots, prequential quality, freshness and three users' lists;
 * at the end it prints a summary and writes the learning curve. Ratings produced from outside (kcat) are trained
 * and scored like the replay's.
 */
public final class Demo {
    /** How many of the latest warnings the dashboard keeps. */
    private static final int WARNINGS_SHOWN = 3;

    private final Settings base;
    private final PrintStream out;
    private final Supplier<TerminalSize> terminal;
    private volatile boolean stopping;
    private final CountDownLatch finished = new CountDownLatch(1);
    private long latencyCount;
    private long latencyMovedAt;

    /** @param terminal whether {@code out} is a terminal, to be redrawn in place at its size */
    public Demo(Settings settings, PrintStream out, boolean terminal) {
        this(settings, out, terminal ? TerminalSize::query : null);
    }

    /** @param terminal the terminal's size, asked before each frame; null when {@code out} is no terminal */
    Demo(Settings settings, PrintStream out, Supplier<TerminalSize> terminal) {
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
        try {
            long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
            // Everything the user can get wrong is checked before anything starts: settings, watched users, the data
            // (that it is there; reading it takes 0.5 s, done while Kafka starts: the first list came 0.35 s sooner,
            // docs/architecture.md, the demo).
            StreamingConfig.from(base);
            ScorerConfig.from(base);
            pacing(base);
            List<Long> chosenUsers = users(base);
            DemoSource.check(base);
            CompletableFuture<DemoData> reading = CompletableFuture.supplyAsync(
                    () -> DemoData.read(base, out, chosenUsers), read -> {
                        Thread t = new Thread(read, "demo-data");
                        t.setDaemon(true); // a demo that fails to start does not wait for it
                        t.start();
                    });
            Path output = Files.createDirectories(Path.of(base.text("demo.output-dir")));
            // The broker's and the scorer's state for this run, deleted at the end. Beside the output, not in the OS
            // temp directory: Kafka Streams warns (rightly) that state there can be cleared under a running scorer.
            Path work = Files.createTempDirectory(output, "run-");
            LogRedirect logs = null;
            try {
                if (terminal != null) {
                    logs = new LogRedirect(output.resolve("demo.log"), WARNINGS_SHOWN);
                }
                return run(jvmStart, work, reading, logs);
            } finally {
                if (logs != null) {
                    logs.close();
                }
                Directories.deleteRecursively(work);
            }
        } finally {
            finished.countDown();
        }
    }

    private int run(long jvmStart, Path work, CompletableFuture<DemoData> reading, LogRedirect logs) throws Exception {
        int brokerPort = freeOrAny(base.integer("broker.port"));
        out.println("demo: starting Kafka..." + (logs == null ? "" : " (logs go to " + logs.file() + ")"));
        try (KafkaCluster broker = KafkaCluster.start(ClusterSpec.from(base).withDataDir(work.resolve("kafka"))
                .withPort(brokerPort).withNodes(1))) {
            DemoData data = awaited(reading);
            DemoSource source = data.source();
            WatchedUsers watched = data.watched();
            Settings s = base.with("kafka.bootstrap.servers", broker.bootstrapServers())
                    .with("topics.replication-factor", 1)
                    .with("scorer.state-dir", work.resolve("scorer"))
                    // In memory unless set: the state is deleted at the end anyway, and opening RocksDB's stores
                    // delayed the first list by about 0.6 s (docs/architecture.md, the demo).
                    .with("scorer.store", base.isDefault("scorer.store") ? "in-memory" : base.text("scorer.store"))
                    .with("metrics.port", freeOrAny(base.integer("metrics.port")))
                    .with("scorer.http.port", freeOrAny(base.integer("scorer.http.port")))
                    .with("trainer.prequential-sample-rate", 1.0)
                    .with("trainer.prequential-max-rankings-per-second", 0);
            try (Metrics metrics = Metrics.start(s, "streamrec-demo")) {
                // The scorer starts beside the trainer, not after it: the first list waits for both (the trainer
                // about 1 s restoring and joining its group, the scorer about 1.5 s until its tasks take ratings).
                CompletableFuture<ScorerApp> scorerStarting = CompletableFuture.supplyAsync(
                        () -> ScorerApp.start(s, metrics), start -> new Thread(start, "demo-scorer-start").start());
                StreamingTrainer trainer;
                try {
                    trainer = StreamingTrainer.start(s, metrics.registry());
                } catch (RuntimeException e) {
                    // Closed here, before the broker goes: a scorer left starting would outlive the demo's failure.
                    try {
                        scorerStarting.join().close();
                    } catch (RuntimeException alsoFailed) {
                        e.addSuppressed(alsoFailed);
                    }
                    throw e;
                }
                metrics.healthCheck("trainer", trainer::problems);
                ScorerApp scorer;
                try {
                    scorer = awaited(scorerStarting);
                } catch (RuntimeException e) {
                    trainer.close();
                    throw e;
                }
                trainer.yieldReplayTo(scorer::behind);
                TopicWatch topics = new TopicWatch(s, watched);
                Addresses addresses = new Addresses(broker.bootstrapServers(),
                        "http://" + s.text("scorer.http.host") + ":" + scorer.httpPort(),
                        metrics.port() < 0 ? "off" : s.text("metrics.host") + ":" + metrics.port());
                try {
                    return replayAndWatch(s, source, watched, trainer, scorer, topics, metrics.registry(), addresses,
                            jvmStart, logs);
                } finally {
                    topics.close();
                    scorer.close();
                    trainer.close();
                }
            }
        }
    }

    private record Addresses(String kafka, String lists, String metrics) {
    }

    /** What a start on another thread gave, or what it threw (not wrapped, so the command reports it as its own). */
    private static <T> T awaited(CompletableFuture<T> starting) {
        try {
            return starting.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /** demo.speedup when set, else demo.rate (0 = as fast as possible): demo.rate has a default, so speedup wins. */
    static Pacing pacing(Settings s) {
        double speedup = Pacing.paceSetting(s, "demo.speedup");
        double rate = Pacing.paceSetting(s, "demo.rate");
        return speedup > 0 ? Pacing.speedup(speedup) : rate > 0 ? Pacing.rate(rate) : Pacing.max();
    }

    /** The data to replay and the users whose lists the dashboard shows. */
    private record DemoData(DemoSource source, WatchedUsers watched) {
        static DemoData read(Settings s, PrintStream out, List<Long> chosenUsers) {
            DemoSource source = DemoSource.find(s, out);
            return new DemoData(source, new WatchedUsers(WatchedUsers.choose(source.ratings(), chosenUsers, 3),
                    WatchedUsers.byId(source.movies())));
        }
    }

    private int replayAndWatch(Settings s, DemoSource source, WatchedUsers watched, StreamingTrainer trainer,
                               ScorerApp scorer, TopicWatch topics, MeterRegistry registry, Addresses addresses, long jvmStart,
                               LogRedirect logs) throws Exception {
        RatingLog log = source.ratings();
        int users = log.distinctUsers();
        AtomicLong sent = new AtomicLong();
        AtomicReference<RuntimeException> replayFailure = new AtomicReference<>();
        Pacing pacing = pacing(s);
        RatingSource replaySource = new RatingSource(source.description(), source.dataset(), source.movies(),
                new CountingCursor(log, sent), BadRows.none());
        Thread replay = new Thread(() -> {
            try {
                // The ratings start once the scorer takes them (the movies go while it starts): ratings it found
                // waiting at its start were a backlog to it, whose users wait for more of theirs
                // (scorer.backlog-wait-ms), and the first lists came 0.3 s later than they could.
                new Replayer(s, new PrintStream(PrintStream.nullOutputStream()), registry).replay(replaySource, pacing,
                        false, () -> awaitRunning(scorer));
            } catch (RuntimeException e) {
                if (!stopping) {
                    replayFailure.set(e);
                }
            }
        }, "demo-replay");
        replay.start();

        boolean keepRunning = s.flag("demo.keep-running");
        long lastSent = 0;
        long lastTrained = 0;
        long lastTick = System.nanoTime();
        long replayEndedAt = 0;
        long caughtUpAt = 0;
        Dashboard.Frame frame = null;
        try (Dashboard dashboard = new Dashboard(out, terminal)) {
            while (!stopping) {
                Thread.sleep(1000);
                long now = System.nanoTime();
                if (replayFailure.get() != null) {
                    return failed(dashboard, "the replay failed: " + replayFailure.get().getMessage());
                }
                if (!trainer.isRunning()) {
                    return failed(dashboard, "the trainer stopped: " + trainer.failure());
                }
                long trained = trainer.eventsTrained();
                if (!replay.isAlive() && replayEndedAt == 0) {
                    replayEndedAt = now;
                }
                // Caught up: everything sent is trained (or dead-lettered) and every user who rated has a list.
                boolean caughtUp = replayEndedAt != 0
                        && trained + trainer.eventsDeadLettered() >= sent.get()
                        && topics.usersWithList() >= users;
                if (caughtUp && caughtUpAt == 0) {
                    caughtUpAt = now;
                }
                String state = stopping ? "stopping"
                        : replayEndedAt == 0 ? "replaying, Ctrl-C stops"
                        : keepRunning ? "replay done; taking ratings, Ctrl-C stops"
                        : caughtUp ? "done" : "replay done; catching up";
                double dt = (now - lastTick) / 1e9;
                frame = frame(source, addresses, jvmStart, now, sent.get(), log.size(), (sent.get() - lastSent) / dt,
                        trained, (trained - lastTrained) / dt, trainer, topics, registry, watched, state);
                dashboard.show(frame, logs == null ? null : new Dashboard.Log(logs.file(), logs.warnings(), logs.recentWarnings()));
                lastSent = sent.get();
                lastTrained = trained;
                lastTick = now;
                boolean settled = caughtUpAt != 0 && now - caughtUpAt > 2_000_000_000L;
                boolean gaveUpWaiting = replayEndedAt != 0 && now - replayEndedAt > 60_000_000_000L;
                if (!keepRunning && (settled || gaveUpWaiting)) {
                    break;
                }
            }
            if (frame != null && terminal == null) {
                out.print(dashboard.render(frame));
            }
        }
        replay.join(10_000);
        return summary(s, source, trainer, topics, jvmStart, sent.get(), log.size(), frame, logs);
    }

    private int failed(Dashboard dashboard, String why) {
        dashboard.close();
        out.println("demo: " + why);
        return 1;
    }

    private int summary(Settings s, DemoSource source, StreamingTrainer trainer, TopicWatch topics, long jvmStart,
                        long sent, long total, Dashboard.Frame last, LogRedirect logs) {
        var summary = trainer.evaluator().summary();
        int k = trainer.evaluator().topK();
        // Lines a 80-column terminal holds, but for a long data path.
        StringBuilder text = new StringBuilder();
        text.append("  data             ").append(source.description()).append('\n');
        text.append(String.format(Locale.ROOT, "  replayed         %,d %s; trained %,d; dead letters %,d%n", sent,
                sent < total ? String.format(Locale.ROOT, "of %,d ratings (stopped early)", total) : "ratings",
                trainer.eventsTrained(), trainer.eventsDeadLettered()));
        // Taken while the trainer still runs: stopping, it serves once more (its log then names the last version).
        text.append(String.format(Locale.ROOT, "  snapshots        model v%d served so far%n", trainer.snapshotVersion()));
        if (summary.ranked() == 0) {
            text.append(String.format(Locale.ROOT, "  %-17s%s%n", "HR@" + k, PrequentialEvaluator.NONE_RANKED));
        } else {
            text.append(String.format(Locale.ROOT, "  %-17smodel %.3f, %.2fx recent popularity's %.3f (all-time %.3f)%n", "HR@" + k,
                    summary.hitRate(), summary.hitRate() / summary.recentPopularityHitRate(),
                    summary.recentPopularityHitRate(), summary.popularityHitRate()));
            text.append(String.format(Locale.ROOT, "                   prequential, the whole run: %,d ratings; NDCG@%d %.3f%n",
                    summary.ranked(), k, summary.ndcg()));
        }
        text.append(String.format(Locale.ROOT, "  continual        %,d past ratings trained again (%.1f per rating)%n",
                trainer.positivesReplayed(), trainer.positivesReplayed() / (double) Math.max(1, trainer.eventsTrained())));
        if (last != null) {
            text.append(Double.isNaN(last.latencyP50())
                    ? "  freshness        no rating turned into a list in the last 15 s\n"
                    : String.format(Locale.ROOT, "  freshness        rating -> list p50 %s, p99 %s (last 15 s)%n",
                            Dashboard.duration(last.latencyP50()), Dashboard.duration(last.latencyP99())));
        }
        text.append(String.format(Locale.ROOT, "  recommendations  %,d users have a list (%,d records)%n",
                topics.usersWithList(), topics.records()));
        if (topics.firstArrivalMillis() > 0) {
            // The launcher says when the command started: a build and the one-time class recording come before this JVM.
            long commandStart = Math.min(jvmStart, Long.getLong("streamrec.launcher.started-ms", jvmStart));
            double sinceCommand = (topics.firstArrivalMillis() - commandStart) / 1000.0;
            double sinceJvm = (topics.firstArrivalMillis() - jvmStart) / 1000.0;
            text.append(jvmStart - commandStart < 1000
                    ? String.format(Locale.ROOT, "  first list       %.1f s after the command started%n", sinceCommand)
                    : String.format(Locale.ROOT, "  first list       %.1f s after the command, %.1f s after the demo's JVM started%n",
                            sinceCommand, sinceJvm));
        }
        RunReport.Written files = new RunReport("streamrec demo: prequential quality, "
                + (source.synthetic() ? "synthetic stream" : "MovieLens"), text.toString(),
                trainer.evaluator().curve(), false, k).write(Path.of(s.text("demo.output-dir")), "learning-curve");
        out.println();
        out.println("summary");
        out.print(text);
        out.println("  learning curve   " + files.png() + " (data " + files.csv().getFileName() + ")");
        out.println("  report           " + files.html());
        if (logs != null) {
            out.printf(Locale.ROOT, "  log              %s (%,d warnings)%n", logs.file(), logs.warnings());
        }
        return 0;
    }

    private Dashboard.Frame frame(DemoSource source, Addresses addresses, long jvmStart, long now, long sent, long total,
                                  double sendRate, long trained, double trainRate, StreamingTrainer trainer,
                                  TopicWatch topics, MeterRegistry registry, WatchedUsers watched, String state) {
        CurvePoint p = trainer.prequential();
        double[] latency = latency(registry, now);
        double rescored = registry.find("streamrec.scorer.rescored").counters().stream().mapToDouble(Counter::count).sum();
        List<Dashboard.UserView> users = new ArrayList<>();
        for (long u : watched.users()) {
            users.add(new Dashboard.UserView(u, watched.rated(u), watched.lastRated(u), topics.latest(u)));
        }
        long first = topics.firstArrivalMillis();
        return new Dashboard.Frame(state, (System.currentTimeMillis() - jvmStart) / 1000.0, source.description(),
                addresses.kafka(), addresses.lists(), addresses.metrics(), sent, total, sendRate, trained, trainRate,
                trainer.eventsDeadLettered(), trainer.snapshotVersion(), snapshotAge(registry),
                first < 0 ? Double.NaN : (first - jvmStart) / 1000.0, p.hitRate(), p.recentHitRate(),
                p.popularityHitRate(), trainer.positivesReplayed(), latency[0], latency[1], (long) rescored,
                topics.usersWithList(), trainer.evaluator().topK(), users);
    }

    /**
     * Rating-to-list p50 and p99 over the scorer's window ({@link ScorerMetrics#LATENCY_WINDOW}); NaN, shown as "-",
     * when no rating was scored in it: the window's percentiles read 0 then, which would claim instant lists.
     */
    private double[] latency(MeterRegistry registry, long now) {
        double[] p50p99 = {Double.NaN, Double.NaN};
        Timer timer = registry.find("streamrec.scorer.rating.latency").timer();
        if (timer == null || timer.count() == 0) {
            return p50p99;
        }
        if (timer.count() != latencyCount) {
            latencyCount = timer.count();
            latencyMovedAt = now;
        }
        if (now - latencyMovedAt > ScorerMetrics.LATENCY_WINDOW.toNanos()) {
            return p50p99;
        }
        for (ValueAtPercentile v : timer.takeSnapshot().percentileValues()) {
            if (v.percentile() == 0.5) {
                p50p99[0] = v.value(TimeUnit.SECONDS);
            } else if (v.percentile() == 0.99) {
                p50p99[1] = v.value(TimeUnit.SECONDS);
            }
        }
        return p50p99;
    }

    private static double snapshotAge(MeterRegistry registry) {
        var age = registry.find("streamrec.trainer.snapshot.age").gauge();
        return age == null ? Double.NaN : age.value();
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

    /**
     * Until the scorer takes ratings or the demo stops (Ctrl-C); not forever: a scorer that starts slowly still shows
     * in the first lists' time.
     */
    private void awaitRunning(ScorerApp scorer) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        try {
            while (!stopping && System.nanoTime() < deadline) {
                if (scorer.awaitRunning(Duration.ofMillis(100))) { // throws if the scorer failed
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("replay interrupted", e);
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

    /** Replays the log in order, counting what it hands to the replayer; ends early when the demo stops. */
    private final class CountingCursor implements RatingCursor {
        private final RatingLog log;
        private final AtomicLong sent;
        private int i = -1;

        CountingCursor(RatingLog log, AtomicLong sent) {
            this.log = log;
            this.sent = sent;
        }

        @Override
        public boolean next() {
            if (stopping || i + 1 >= log.size()) {
                return false;
            }
            i++;
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
