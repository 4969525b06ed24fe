package io.streamrec.score.state;

import io.streamrec.score.model.FoldIn;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The scorer's meters, all named {@code streamrec.scorer.*} (Prometheus: {@code streamrec_scorer_*}).
 *
 * <ul>
 *   <li>{@code rating.latency}: a rating's produce time (its Kafka record timestamp) to the moment its user's new
 *       list is handed to the producer, as a histogram with buckets (p99 in Prometheus:
 *       {@code histogram_quantile(0.99, rate(streamrec_scorer_rating_latency_seconds_bucket[1m]))}) and local
 *       p50/p99/p99.9. Millisecond resolution: record timestamps are milliseconds. Only ratings produced while
 *       this instance was running count; catching up on older ones is backlog, counted in {@code ratings.backlog}.</li>
 *   <li>{@code rating.arrival}: the same produce time to the moment the stream thread takes the rating, before
 *       any ranking: Kafka's transport plus the wait for the stream thread. When latency is high and this is
 *       too, the stream thread is behind (CPU, or ratings it cannot rank one by one: {@code scorer.backlog-ms});
 *       when only latency is high, the ranking is slow.</li>
 *   <li>{@code rescored{trigger}}: users whose list was recomputed, per trigger (rating, snapshot, request);
 *       users rescored per second is its rate.</li>
 *   <li>{@code fold.ins{method}}, {@code fallbacks{kind}} (cluster, popularity).</li>
 *   <li>{@code ranked{path}}: lists the model ranked, by how: {@code pool} (the user's last candidates
 *       re-ranked), {@code index} (candidates retrieved, then re-ranked), {@code scan} (every item).</li>
 *   <li>{@code ratings.rerouted}: ratings a producer put on another partition than Kafka's default partitioner
 *       would; they take one more hop ({@link ScorerTopology#reroutedRatings}).</li>
 *   <li>{@code invalid{input}}: records skipped because they break the contract (ratings, user-factors,
 *       item-factors, snapshots, movies). The trainer dead-letters invalid ratings; the scorer only skips them.</li>
 *   <li>Gauges: item rows in the matrix, movies in the catalogue, the served model version, users waiting to be
 *       rescored, and entries of the partitioned stores (registered by {@link ScorerApp}; RocksDB's figure is its
 *       own estimate).</li>
 * </ul>
 */
public final class ScorerMetrics {
    public enum Input { RATINGS, USER_FACTORS, ITEM_FACTORS, SNAPSHOTS, MOVIES }

    /** How the model ranked a list: its pool re-ranked, candidates retrieved from the index, or a full scan. */
    public enum Path { POOL, INDEX, SCAN }

    public static final String PREFIX = "streamrec.scorer.";
    public static final Duration LATENCY_WINDOW = Duration.ofSeconds(15);

    private final MeterRegistry registry;
    private final Timer latency;
    private final Timer arrival;
    private final Counter backlog;
    private final Counter rerouted;
    private final Map<Trigger, Counter> rescored = new EnumMap<>(Trigger.class);
    private final Map<FoldIn.Method, Counter> foldIns = new EnumMap<>(FoldIn.Method.class);
    private final Map<Source, Counter> fallbacks = new EnumMap<>(Source.class);
    private final Map<Input, Counter> invalid = new EnumMap<>(Input.class);
    private final Map<Path, Counter> ranked = new EnumMap<>(Path.class);
    private final AtomicLong pending = new AtomicLong();

    public ScorerMetrics(MeterRegistry registry) {
        this.registry = registry;
        latency = ratingTimer("rating.latency", "Rating produce time to its user's recommendation list sent",
                registry, 0.5, 0.99, 0.999);
        arrival = ratingTimer("rating.arrival", "Rating produce time to the stream thread taking it, before any ranking",
                registry, 0.5, 0.99);
        backlog = Counter.builder(PREFIX + "ratings.backlog")
                .description("Ratings produced before this instance started (catch-up), not in the latency histogram")
                .register(registry);
        rerouted = Counter.builder(PREFIX + "ratings.rerouted")
                .description("Ratings that arrived on another partition than their key's (a producer not using murmur2)"
                        + " and took one more hop to it")
                .register(registry);
        for (Trigger t : Trigger.values()) {
            rescored.put(t, Counter.builder(PREFIX + "rescored").tag("trigger", t.id)
                    .description("Users whose recommendation list was recomputed").register(registry));
        }
        for (FoldIn.Method m : FoldIn.Method.values()) {
            foldIns.put(m, Counter.builder(PREFIX + "fold.ins").tag("method", m.name().toLowerCase(java.util.Locale.ROOT))
                    .description("Users folded in on the spot (newer ratings than their factors, or new)").register(registry));
        }
        for (Source s : new Source[]{Source.CLUSTER, Source.POPULARITY}) {
            fallbacks.put(s, Counter.builder(PREFIX + "fallbacks").tag("kind", s.id)
                    .description("Lists not ranked by the model").register(registry));
        }
        for (Input i : Input.values()) {
            invalid.put(i, Counter.builder(PREFIX + "invalid").tag("input", i.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'))
                    .description("Records skipped because they break the contract").register(registry));
        }
        for (Path p : Path.values()) {
            ranked.put(p, Counter.builder(PREFIX + "ranked").tag("path", p.name().toLowerCase(java.util.Locale.ROOT))
                    .description("Lists the model ranked: a pool re-ranked, candidates from the index, a full scan")
                    .register(registry));
        }
        Gauge.builder(PREFIX + "pending.users", pending, AtomicLong::get)
                .description("Users waiting to be rescored (snapshot, backlog, full rescore)").register(registry);
    }

    MeterRegistry registry() {
        return registry;
    }

    public void ratingLatency(long producedAtMs, long sentAtMs) {
        latency.record(Math.max(0, sentAtMs - producedAtMs), TimeUnit.MILLISECONDS);
    }

    /**
     * A rating's time to somewhere, with Prometheus buckets and local percentiles over a rotating window of about
     * 15 s (three 5 s buffers), so the dashboard shows freshness now, not blended with the start's warm-up;
     * Prometheus gets the cumulative buckets.
     */
    private static Timer ratingTimer(String name, String description, MeterRegistry registry, double... percentiles) {
        return Timer.builder(PREFIX + name)
                .description(description)
                .publishPercentiles(percentiles)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .distributionStatisticExpiry(LATENCY_WINDOW)
                .distributionStatisticBufferLength(3)
                .register(registry);
    }

    /** A live rating reached the stream thread. */
    public void ratingArrived(long producedAtMs, long takenAtMs) {
        arrival.record(Math.max(0, takenAtMs - producedAtMs), TimeUnit.MILLISECONDS);
    }

    public void backlogRating() {
        backlog.increment();
    }

    public void rerouted() {
        rerouted.increment();
    }

    void rescored(Trigger trigger) {
        rescored.get(trigger).increment();
    }

    void foldIn(FoldIn.Method method) {
        foldIns.get(method).increment();
    }

    void fallback(Source source) {
        Counter c = fallbacks.get(source);
        if (c != null) {
            c.increment();
        }
    }

    void ranked(Path path) {
        ranked.get(path).increment();
    }

    public void invalid(Input input) {
        invalid.get(input).increment();
    }

    public void pendingChanged(long delta) {
        pending.addAndGet(delta);
    }

    public Timer latency() {
        return latency;
    }

    public double rescoredCount(Trigger trigger) {
        return rescored.get(trigger).count();
    }

    public double invalidCount(Input input) {
        return invalid.get(input).count();
    }

    public double reroutedCount() {
        return rerouted.count();
    }

    public double foldInCount() {
        return foldIns.values().stream().mapToDouble(Counter::count).sum();
    }

    public double fallbackCount(Source source) {
        return fallbacks.get(source).count();
    }

    public void gauge(String name, String description, Supplier<Number> value) {
        Gauge.builder(PREFIX + name, value).description(description).register(registry);
    }
}
