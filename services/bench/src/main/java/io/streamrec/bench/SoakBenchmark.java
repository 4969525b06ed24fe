package io.streamrec.bench;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.streamrec.config.Settings;
import io.streamrec.dataset.source.RatingSources;
import io.streamrec.dataset.synthetic.SyntheticConfig;
import io.streamrec.dataset.synthetic.SyntheticRatings;
import io.streamrec.files.Directories;
import io.streamrec.metrics.Metrics;
import io.streamrec.replay.Pacing;
import io.streamrec.replay.Replayer;
import io.streamrec.score.ScorerApp;
import io.streamrec.stream.StreamingTrainer;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToDoubleFunction;

/**
 * The soak: the trainer and the scorer in this process, on one broker, under a steady paced stream for a long time
 * ({@code bench.soak.*}: 5,000 ratings/s for 10 minutes by default). Every {@code bench.soak.sample-seconds} it
 * samples the process's RSS, the live heap (after a full collection), the trainer's consumer lag, the age of the
 * last snapshot and the scorer's p99 rating-to-list latency; at the end it says, with the figures, whether each
 * stayed flat.
 *
 * <p>Flat means: after the first third of the run (warm-up: JIT, RocksDB's caches and buffers filling), the trend
 * of the heap and of RSS (least squares) projected over the rest of the run grows less than its allowance, neither
 * the trainer (its consumer lag, in seconds of the stream) nor the scorer (its p99 rating-to-list latency) is ever
 * more than {@code bench.soak.max-lag-seconds} behind, and no snapshot is older than
 * {@code bench.soak.max-snapshot-age-seconds}. Some growth is the model's, not a leak: every synthetic rating is a
 * new user-item pair, which the trainer's rated-items sets keep (about 12 bytes each) and the scorer's histories too.
 */
public final class SoakBenchmark {
    /** What the soak runs and what it calls flat, from {@code bench.soak.*}. */
    public record Options(double rate, Duration duration, Duration sampleEvery, int users, int items,
                          long maxHeapGrowthBytes, long maxRssGrowthBytes, double maxLagSeconds,
                          double maxSnapshotAgeSeconds) {
        public static Options from(Settings s) {
            Options o = new Options(s.decimal("bench.soak.rate"),
                    Duration.ofMillis(Math.round(s.decimal("bench.soak.minutes") * 60_000)),
                    Duration.ofMillis(Math.round(s.decimal("bench.soak.sample-seconds") * 1000)),
                    s.integer("bench.soak.users"), s.integer("bench.soak.items"),
                    s.longInteger("bench.soak.max-heap-growth-mb") << 20, s.longInteger("bench.soak.max-rss-growth-mb") << 20,
                    s.decimal("bench.soak.max-lag-seconds"), s.decimal("bench.soak.max-snapshot-age-seconds"));
            if (!(o.rate > 0) || o.duration.isZero() || o.sampleEvery.isZero() || o.sampleEvery.compareTo(o.duration) > 0) {
                throw new IllegalArgumentException("bench.soak: rate and minutes must be positive, and sample-seconds"
                        + " positive and at most the run");
            }
            return o;
        }

        long events() {
            return Math.round(rate * duration.toMillis() / 1000.0);
        }
    }

    /** One sample, {@code seconds} after the stream started. */
    public record Sample(double seconds, long trained, long rss, long heapAfterGc, double lag, double snapshotAgeSeconds,
                         double p99Millis) {
    }

    /** Whether one figure stayed flat, and why. */
    public record Verdict(String figure, boolean flat, String detail) {
    }

    public record Result(List<Sample> samples, List<Verdict> verdicts) {
        public boolean flat() {
            return verdicts.stream().allMatch(Verdict::flat);
        }
    }

    private SoakBenchmark() {
    }

    /** Runs the soak against the broker the settings name (it writes every registry topic: use a broker of its own). */
    public static Result run(Settings settings, PrintWriter out) throws Exception {
        Options o = Options.from(settings);
        long events = o.events();
        out.printf(Locale.ROOT, "soak: %,.0f ratings/s for %s (%,d ratings, %,d users x %,d items), a sample every %d s%n",
                o.rate(), minutes(o.duration()), events, o.users(), o.items(), o.sampleEvery().toSeconds());
        Path state = Files.createTempDirectory("streamrec-soak-");
        Settings s = settings.with("metrics.port", -1).with("scorer.state-dir", state).with("scorer.http.port", 0);
        try (Metrics metrics = Metrics.inMemory()) {
            MeterRegistry registry = metrics.registry();
            StreamingTrainer trainer = StreamingTrainer.start(s, registry);
            try (ScorerApp scorer = ScorerApp.start(s, metrics)) {
                trainer.yieldReplayTo(scorer::behind);
                if (!scorer.awaitRunning(Duration.ofSeconds(120))) {
                    throw new IllegalStateException("the scorer did not start within 120 s");
                }
                List<Sample> samples = stream(s, o, events, trainer, registry, out);
                List<Verdict> verdicts = judge(o, samples);
                out.println();
                double seconds = samples.get(samples.size() - 1).seconds();
                out.printf(Locale.ROOT, "work per second: trainer replayed %,.0f past positives and served %,.0f user"
                                + " rows and %,.0f item rows; scorer ranked %,.0f users for ratings and %,.0f for snapshots%n",
                        count(registry, "streamrec.trainer.positives.replayed", null, null) / seconds,
                        sum(registry, "streamrec.trainer.snapshot.rows", "table", "users") / seconds,
                        sum(registry, "streamrec.trainer.snapshot.rows", "table", "items") / seconds,
                        count(registry, "streamrec.scorer.rescored", "trigger", "rating") / seconds,
                        count(registry, "streamrec.scorer.rescored", "trigger", "snapshot") / seconds);
                verdicts.forEach(v -> out.printf(Locale.ROOT, "%-14s %-9s %s%n", v.figure(), v.flat() ? "flat" : "NOT FLAT",
                        v.detail()));
                Result result = new Result(samples, verdicts);
                out.println(result.flat() ? "soak: everything stayed flat" : "soak: something grew; see above");
                out.flush();
                return result;
            } finally {
                trainer.close();
            }
        } finally {
            Directories.deleteRecursively(state);
        }
    }

    /** Replays the stream paced, sampling as it goes, until every rating is trained. */
    private static List<Sample> stream(Settings s, Options o, long events, StreamingTrainer trainer,
                                       MeterRegistry registry, PrintWriter out) throws InterruptedException {
        AtomicReference<Throwable> replayFailure = new AtomicReference<>();
        SyntheticRatings generator = new SyntheticRatings(SyntheticConfig.of(o.users(), o.items(), events, 11, s));
        int movies = generator.movies().size();
        Thread replay = new Thread(() -> {
            try {
                new Replayer(s, new PrintStream(PrintStream.nullOutputStream()), registry)
                        .replay(RatingSources.synthetic(generator, 1.0, 11), Pacing.rate(o.rate()), false);
            } catch (RuntimeException e) {
                replayFailure.set(e);
            }
        }, "soak-replay");
        out.printf(Locale.ROOT, "%8s %12s %9s %15s %10s %12s %13s%n", "seconds", "trained", "RSS", "heap after GC",
                "lag", "snapshot age", "scorer p99");
        out.flush();
        List<Sample> samples = new ArrayList<>();
        long start = System.nanoTime();
        replay.start();
        long next = start;
        long deadline = start + o.duration().toNanos() + TimeUnit.MINUTES.toNanos(2);
        while (true) {
            next += o.sampleEvery().toNanos();
            TimeUnit.NANOSECONDS.sleep(Math.max(0, next - System.nanoTime()));
            if (!trainer.isRunning()) {
                throw new IllegalStateException("the trainer stopped", trainer.failure());
            }
            if (replayFailure.get() != null) {
                throw new IllegalStateException("the replay failed", replayFailure.get());
            }
            // Lag: ratings the broker has taken (the replayer's acknowledged sends, less the catalogue it sends first)
            // and the trainer has not trained yet. The trainer's own lag gauge counts every queued batch as a full
            // one: thousands of ratings for a 2 ms batch of ten.
            long trained = trainer.eventsTrained();
            double acknowledgedRatings = registry.counter("streamrec.replayer.events.acknowledged").count() - movies;
            Sample sample = new Sample((System.nanoTime() - start) / 1e9, trained, ProcessMemory.rss(),
                    ProcessMemory.heapAfterFullGc(), Math.max(0, acknowledgedRatings - trained),
                    gauge(registry, "streamrec.trainer.snapshot.age"), p99Millis(registry));
            samples.add(sample);
            out.printf(Locale.ROOT, "%8.0f %,12d %,6d MB %,12d MB %,10.0f %10.1f s %10.1f ms%n", sample.seconds(),
                    sample.trained(), sample.rss() >> 20, sample.heapAfterGc() >> 20, sample.lag(),
                    sample.snapshotAgeSeconds(), sample.p99Millis());
            out.flush();
            if (sample.trained() >= events && !replay.isAlive()) {
                return samples;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the soak did not finish: " + sample.trained() + " of " + events
                        + " ratings trained two minutes after the stream should have ended");
            }
        }
    }

    private static double sum(MeterRegistry registry, String name, String tag, String value) {
        var summary = registry.find(name).tag(tag, value).summary();
        return summary == null ? Double.NaN : summary.totalAmount();
    }

    private static double count(MeterRegistry registry, String name, String tag, String value) {
        var search = registry.find(name);
        var counter = (tag == null ? search : search.tag(tag, value)).counter();
        return counter == null ? Double.NaN : counter.count();
    }

    static List<Verdict> judge(Options o, List<Sample> samples) {
        double end = samples.get(samples.size() - 1).seconds();
        List<Sample> steady = samples.stream().filter(x -> x.seconds() >= end / 3).toList();
        List<Verdict> verdicts = new ArrayList<>();
        verdicts.add(growth("heap after GC", steady, x -> x.heapAfterGc(), o.maxHeapGrowthBytes()));
        verdicts.add(growth("RSS", steady, x -> x.rss(), o.maxRssGrowthBytes()));
        double maxLag = steady.stream().mapToDouble(Sample::lag).filter(Double::isFinite).max().orElse(Double.NaN);
        double allowedLag = o.maxLagSeconds() * o.rate();
        verdicts.add(new Verdict("trainer lag", maxLag <= allowedLag, String.format(Locale.ROOT,
                "at most %,.0f ratings behind after warm-up (allowed %,.0f: %.1f s of the stream)", maxLag, allowedLag,
                o.maxLagSeconds())));
        // Only while ratings still come: once all are trained, a trainer with nothing new (replay off) is right
        // not to snapshot, and the age just counts the idle time.
        double maxAge = steady.stream().filter(x -> x.trained() < o.events()).mapToDouble(Sample::snapshotAgeSeconds)
                .max().orElse(Double.NaN);
        verdicts.add(new Verdict("snapshot age", maxAge <= o.maxSnapshotAgeSeconds(), String.format(Locale.ROOT,
                "at most %.1f s after warm-up (allowed %.1f s)", maxAge, o.maxSnapshotAgeSeconds())));
        // A rating's list comes later than its produce time by however far the scorer is behind.
        double p99 = steady.stream().mapToDouble(Sample::p99Millis).filter(Double::isFinite).max().orElse(Double.NaN);
        verdicts.add(new Verdict("scorer lag", p99 <= o.maxLagSeconds() * 1000, String.format(Locale.ROOT,
                "p99 rating-to-list latency at most %,.1f ms after warm-up (allowed %.1f s)", p99, o.maxLagSeconds())));
        return verdicts;
    }

    /** The least-squares trend of a figure over the samples, projected over their span, against an allowance. */
    private static Verdict growth(String figure, List<Sample> steady, ToDoubleFunction<Sample> value, long allowed) {
        int n = steady.size();
        double meanT = steady.stream().mapToDouble(Sample::seconds).average().orElse(0);
        double meanY = steady.stream().mapToDouble(value).average().orElse(0);
        double covariance = 0, variance = 0;
        for (Sample x : steady) {
            covariance += (x.seconds() - meanT) * (value.applyAsDouble(x) - meanY);
            variance += (x.seconds() - meanT) * (x.seconds() - meanT);
        }
        double perSecond = n < 2 || variance == 0 ? 0 : covariance / variance;
        double span = steady.get(n - 1).seconds() - steady.get(0).seconds();
        double grown = perSecond * span;
        return new Verdict(figure, grown <= allowed, String.format(Locale.ROOT,
                "%,.0f MB to %,.0f MB; trend %+.1f MB/min, %+,.0f MB over the last %.0f s (allowed %,d MB)",
                value.applyAsDouble(steady.get(0)) / (1 << 20), value.applyAsDouble(steady.get(n - 1)) / (1 << 20),
                perSecond * 60 / (1 << 20), grown / (1 << 20), span, allowed >> 20));
    }

    private static double gauge(MeterRegistry registry, String name) {
        Gauge g = registry.find(name).gauge();
        return g == null ? Double.NaN : g.value();
    }

    private static double p99Millis(MeterRegistry registry) {
        Timer latency = registry.find("streamrec.scorer.rating.latency").timer();
        if (latency == null) {
            return Double.NaN;
        }
        for (ValueAtPercentile v : latency.takeSnapshot().percentileValues()) {
            if (v.percentile() == 0.99) {
                return v.value(TimeUnit.MILLISECONDS);
            }
        }
        return Double.NaN;
    }

    private static String minutes(Duration d) {
        return d.toSeconds() % 60 == 0 ? d.toMinutes() + " min" : d.toSeconds() + " s";
    }
}
