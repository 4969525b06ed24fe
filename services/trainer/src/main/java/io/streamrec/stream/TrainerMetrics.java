package io.streamrec.stream;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.streamrec.evaluate.CurvePoint;
import io.streamrec.evaluate.PrequentialEvaluator;
import io.streamrec.snapshot.PublisherHealth;
import io.streamrec.train.Step;
import io.streamrec.train.TrainingListener;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;
import java.util.function.IntSupplier;

/**
 * The streaming trainer's meters, all named {@code streamrec.trainer.*} (Prometheus: {@code streamrec_trainer_*}).
 * Throughput is a rate over the counters; gauges read the live values. A listener beside the training loop for
 * what a step does (its size, time and loss, and the prequential window after it); the intake and the publisher
 * report the rest.
 */
final class TrainerMetrics implements TrainingListener {
    private final Counter consumed;
    private final Counter invalid;
    private final Counter repeated;
    private final MeterRegistry registry;
    private final Counter trained;
    private final Counter replayed;
    private final Timer replayTime;
    private final DistributionSummary batchSize;
    private final Timer stepTime;
    private final Timer ingestDelay;
    private final Timer publishTime;
    private final DistributionSummary userRows;
    private final DistributionSummary itemRows;
    private final AtomicLong version = new AtomicLong();
    private final AtomicLong checkpoint = new AtomicLong();
    private final AtomicLong lastCheckpointMillis = new AtomicLong(System.currentTimeMillis());
    private final Counter servedBytes;
    private final Timer checkpointTime;
    private final DistributionSummary checkpointRows;
    private final Counter checkpointBytes;
    private final AtomicLong lastPublishedMillis = new AtomicLong(System.currentTimeMillis());
    private final PrequentialEvaluator evaluator;
    private volatile double loss = Double.NaN;
    private volatile CurvePoint window;
    private long stepStartNanos;

    TrainerMetrics(MeterRegistry registry, PrequentialEvaluator evaluator, DoubleSupplier lag,
                   List<PublisherHealth> publishers) {
        this.evaluator = evaluator;
        this.registry = registry;
        consumed = Counter.builder("streamrec.trainer.events.consumed").description("ratings records consumed, valid or not").register(registry);
        invalid = Counter.builder("streamrec.trainer.events.invalid").description("records routed to ratings-dlq").register(registry);
        repeated = Counter.builder("streamrec.trainer.events.repeated")
                .description("ratings skipped because their eventId was seen within trainer.dedup.window").register(registry);
        trained = Counter.builder("streamrec.trainer.events.trained").description("valid ratings trained").register(registry);
        replayed = Counter.builder("streamrec.trainer.positives.replayed").description("past positives trained again (continual training)").register(registry);
        replayTime = Timer.builder("streamrec.trainer.replay.step.time").description("one replay step").register(registry);
        batchSize = DistributionSummary.builder("streamrec.trainer.batch.size").description("positives per mini-batch").register(registry);
        stepTime = Timer.builder("streamrec.trainer.step.time").description("one training step incl. sampling and prequential evaluation")
                .publishPercentiles(0.5, 0.99).register(registry);
        ingestDelay = Timer.builder("streamrec.trainer.ingest.delay").description("produce time of a batch's oldest rating to trained")
                .publishPercentiles(0.5, 0.99).register(registry);
        publishTime = Timer.builder("streamrec.trainer.snapshot.publish.time").description("one serving snapshot transaction, begin to commit")
                .publishPercentiles(0.5, 0.99).register(registry);
        userRows = DistributionSummary.builder("streamrec.trainer.snapshot.rows").tag("table", "users").description("rows per serving snapshot").register(registry);
        itemRows = DistributionSummary.builder("streamrec.trainer.snapshot.rows").tag("table", "items").description("rows per serving snapshot").register(registry);
        servedBytes = Counter.builder("streamrec.trainer.snapshot.bytes").baseUnit("bytes").description("row bytes served (values, keys excluded)").register(registry);
        checkpointTime = Timer.builder("streamrec.trainer.checkpoint.time").description("one checkpoint transaction, begin to commit")
                .publishPercentiles(0.5, 0.99).register(registry);
        checkpointRows = DistributionSummary.builder("streamrec.trainer.checkpoint.rows").description("rows per checkpoint").register(registry);
        checkpointBytes = Counter.builder("streamrec.trainer.checkpoint.bytes").baseUnit("bytes").description("row bytes checkpointed (values, keys excluded)").register(registry);
        Gauge.builder("streamrec.trainer.checkpoint.number", checkpoint, AtomicLong::get).description("last committed checkpoint").register(registry);
        Gauge.builder("streamrec.trainer.checkpoint.age", lastCheckpointMillis, t -> (System.currentTimeMillis() - t.get()) / 1000.0)
                .baseUnit("seconds").description("time since the last committed checkpoint").register(registry);
        Gauge.builder("streamrec.trainer.snapshot.version", version, AtomicLong::get).description("last committed serving snapshot").register(registry);
        Gauge.builder("streamrec.trainer.snapshot.age", lastPublishedMillis, t -> (System.currentTimeMillis() - t.get()) / 1000.0)
                .baseUnit("seconds").description("time since the last committed serving snapshot").register(registry);
        Gauge.builder("streamrec.trainer.loss", this, m -> m.loss).description("mean loss of the last step").register(registry);
        // The names keep "10", the dashboards' contract; K is evaluate.top-k (10 unless set otherwise).
        Gauge.builder("streamrec.trainer.prequential.hr10", this, m -> m.window == null ? Double.NaN : m.window.hitRate())
                .description("prequential HR@K (K = evaluate.top-k) over the moving window").register(registry);
        Gauge.builder("streamrec.trainer.prequential.ndcg10", this, m -> m.window == null ? Double.NaN : m.window.ndcg())
                .description("prequential NDCG@K (K = evaluate.top-k) over the moving window").register(registry);
        Gauge.builder("streamrec.trainer.prequential.popularity.hr10", this, m -> m.window == null ? Double.NaN : m.window.popularityHitRate())
                .description("the all-time popularity baseline's HR@K on the same candidates").register(registry);
        Gauge.builder("streamrec.trainer.prequential.recent.popularity.hr10", this, m -> m.window == null ? Double.NaN : m.window.recentHitRate())
                .description("the recent-popularity baseline's HR@K (last evaluate.recent-window ratings) on the same candidates").register(registry);
        Gauge.builder("streamrec.trainer.prequential.rmse", this, m -> m.window == null ? Double.NaN : m.window.rmse())
                .description("prequential RMSE over the moving window (explicit mode)").register(registry);
        Gauge.builder("streamrec.trainer.consumer.lag", () -> lag.getAsDouble() < 0 ? Double.NaN : lag.getAsDouble())
                .description("ratings not yet trained: behind the log end, plus queued (NaN until known)")
                .register(registry);
        for (PublisherHealth p : publishers) {
            FunctionCounter.builder("streamrec.trainer.publish.failures", p, PublisherHealth::failures).tag("kind", p.kind())
                    .description("failed publish attempts (each is retried; the trainer stops after three in a row)")
                    .register(registry);
            Gauge.builder("streamrec.trainer.publish.failing", p, h -> h.failing() ? 1 : 0).tag("kind", p.kind())
                    .description("1 from a failed publish attempt until the next one succeeds").register(registry);
        }
    }

    void consumed() {
        consumed.increment();
    }

    void invalid() {
        invalid.increment();
    }

    long invalidSoFar() {
        return (long) invalid.count();
    }

    void repeated(int ratings) {
        repeated.increment(ratings);
    }

    /**
     * Rows with news for the scorers that trainer.serving.max-rated-rows left for the next serving snapshots. Held
     * strongly: a gauge holds its object weakly by default, and nothing else holds this lambda.
     */
    void waitingToBeServed(IntSupplier rows) {
        Gauge.builder("streamrec.trainer.serving.waiting.rows", rows, IntSupplier::getAsInt).strongReference(true)
                .description("rows with news for the scorers left over by trainer.serving.max-rated-rows").register(registry);
    }

    /** The event ids the intake remembers, read from its own thread's count (a gauge may read a stale value). */
    void rememberingEventIds(IntSupplier held) {
        Gauge.builder("streamrec.trainer.dedup.ids", held, IntSupplier::getAsInt).strongReference(true)
                .description("event ids remembered to skip repeats (trainer.dedup.window to twice that)").register(registry);
    }

    /** Registered first, so the step's time includes the other listeners' (the prequential evaluation's) work. */
    @Override
    public void beforeStep(Step step) {
        stepStartNanos = System.nanoTime();
    }

    @Override
    public void afterStep(Step step) {
        if (step.replay()) {
            replayed.increment(step.size());
            replayTime.record(System.nanoTime() - stepStartNanos, TimeUnit.NANOSECONDS);
            return;
        }
        trained.increment(step.size());
        batchSize.record(step.size());
        stepTime.record(System.nanoTime() - stepStartNanos, TimeUnit.NANOSECONDS);
        loss = step.loss();
        window = evaluator.current(step.trainer().eventsTrained());
    }

    /** A batch is trained: from the produce time of its oldest rating (Long.MAX_VALUE: it had none) to now. */
    void ingested(long oldestProduceTime) {
        if (oldestProduceTime != Long.MAX_VALUE) {
            ingestDelay.record(Math.max(0, System.currentTimeMillis() - oldestProduceTime), TimeUnit.MILLISECONDS);
        }
    }

    void served(long snapshotVersion, long nanos, long users, long items, long bytes) {
        publishTime.record(nanos, TimeUnit.NANOSECONDS);
        userRows.record(users);
        itemRows.record(items);
        servedBytes.increment(bytes);
        version.set(snapshotVersion);
        lastPublishedMillis.set(System.currentTimeMillis());
    }

    void checkpointed(long number, long nanos, long rows, long bytes) {
        checkpointTime.record(nanos, TimeUnit.NANOSECONDS);
        checkpointRows.record(rows);
        checkpointBytes.increment(bytes);
        checkpoint.set(number);
        lastCheckpointMillis.set(System.currentTimeMillis());
    }

    void restored(long snapshotVersion, long checkpointNumber) {
        version.set(snapshotVersion);
        checkpoint.set(checkpointNumber);
    }
}
