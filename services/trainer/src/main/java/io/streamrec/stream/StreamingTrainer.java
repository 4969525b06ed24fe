package io.streamrec.stream;

import io.streamrec.train.ReplayBudget;
import io.streamrec.snapshot.SinceLastSnapshot;
import io.streamrec.contract.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.streamrec.config.Settings;
import io.streamrec.evaluate.CurvePoint;
import io.streamrec.evaluate.PrequentialEvaluator;
import io.streamrec.kafka.TopicAdmin;
import io.streamrec.snapshot.ChangedRows;
import io.streamrec.snapshot.ModelRestorer;
import io.streamrec.snapshot.Snapshot;
import io.streamrec.snapshot.SnapshotCapture;
import io.streamrec.snapshot.SnapshotPublisher;
import io.streamrec.train.Engines;
import io.streamrec.train.OnlineTrainer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code ./streamrec train}: the online trainer wired to Kafka. Three threads:
 * <ul>
 *   <li>the intake polls and validates {@code ratings} and cuts mini-batches ({@link RatingIntake});</li>
 *   <li>the training thread trains them in order and decides when to snapshot;</li>
 *   <li>the publisher commits each snapshot in one transaction while training goes on.</li>
 * </ul>
 * At most {@code trainer.max-in-flight-batches} batches wait between intake and training, and at most one
 * snapshot is being published: a snapshot falls due every N events or T ms, but is only captured once the
 * previous one is committed, so slow commits make snapshots larger, never pile up.
 *
 * <p>Start-up fences any older trainer of the same model, then rebuilds the model from the topics, then joins the
 * consumer group, whose committed offsets are exactly those of the restored snapshot.
 */
public final class StreamingTrainer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StreamingTrainer.class);

    private final StreamingConfig config;
    private final OnlineTrainer trainer;
    private final PrequentialEvaluator evaluator;
    private final ChangedRows changed = new ChangedRows();
    private final SinceLastSnapshot since;
    private final SnapshotPublisher publisher;
    private final RatingIntake intake;
    private final TrainerMetrics metrics;
    private final BlockingQueue<IntakeBatch> full;
    private final BlockingQueue<IntakeBatch> empty;
    private final ExecutorService publishing = Executors.newSingleThreadExecutor(r -> new Thread(r, "snapshot-publisher"));
    private final Thread intakeThread;
    private final Thread trainThread;
    private final ModelRestorer.Restored restored;
    /** Per partition, the offset the last committed snapshot ended at: what a (re)assigned partition must resume at. */
    private final Map<Integer, Long> committedTo = new ConcurrentHashMap<>();
    private final AtomicReference<CompletableFuture<Void>> snapshotRequest = new AtomicReference<>();
    /** Replay steps trained so far; the intake stamps each batch with it when handing the batch over. */
    private final AtomicLong replaySteps = new AtomicLong();
    /** The most replay steps trained between a fresh batch's hand-over and its training (the design says 1). */
    private volatile long mostReplayStepsAheadOfFresh;
    /** The largest consumer lag a replay step was taken at (the design says at most one batch). */
    private volatile long largestLagAtReplay;
    private volatile Throwable failure;
    private volatile long publishedVersion;
    private volatile boolean intakeFinished;
    /** Training thread only: the version of the last snapshot captured, and the one being committed. */
    private long version;
    private Future<?> inFlight;

    /** Wires the parts; {@link #start} builds them (restoring the model) and starts the threads. */
    private StreamingTrainer(Settings settings, StreamingConfig config, OnlineTrainer trainer, SnapshotPublisher publisher,
                             ModelRestorer.Restored restored, MeterRegistry registry) {
        this.config = config;
        this.trainer = trainer;
        this.publisher = publisher;
        this.restored = restored;
        this.version = restored.version();
        this.publishedVersion = version;
        this.committedTo.putAll(restored.trainedUpTo());
        this.evaluator = new PrequentialEvaluator(config.prequential(), config.trainer().seed())
                .onWindow(p -> trainer.schedule().onMetric(p.primaryMetric()));
        this.since = new SinceLastSnapshot(config.snapshotEveryEvents(), config.snapshotEveryMs(), restored.trainedUpTo());
        this.full = new ArrayBlockingQueue<>(config.maxInFlightBatches());
        this.empty = new ArrayBlockingQueue<>(config.maxInFlightBatches() + 1);
        for (int i = 0; i <= config.maxInFlightBatches(); i++) {
            empty.add(new IntakeBatch(config.trainer().batchSize()));
        }
        this.metrics = new TrainerMetrics(registry, evaluator, () -> intake().lag());
        this.intake = new RatingIntake(settings, config, full, empty, new Coordinator(), metrics);
        metrics.restored(version);
        trainer.addListener(metrics).addListener(evaluator).addListener(changed).addListener(since);
        this.intakeThread = new Thread(() -> {
            try {
                intake.run();
            } finally {
                intakeFinished = true;
            }
        }, "rating-intake");
        this.trainThread = new Thread(this::trainLoop, "trainer");
    }

    /**
     * Creates the topics if configured, builds the engine, fences any older trainer of the model, rebuilds the model
     * from the topics, and starts consuming.
     */
    public static StreamingTrainer start(Settings settings, MeterRegistry registry) {
        StreamingConfig config = StreamingConfig.from(settings);
        TopicAdmin.prepare(settings, "streamrec-trainer-admin", Topics.ALL);
        OnlineTrainer trainer = new OnlineTrainer(config.trainer(), Engines.create(config.trainer()));
        SnapshotPublisher publisher = new SnapshotPublisher(settings, config.transactionalId());
        try {
            publisher.fencePredecessors();
            ModelRestorer.Restored restored = new ModelRestorer(settings).restore(trainer);
            StreamingTrainer t = new StreamingTrainer(settings, config, trainer, publisher, restored, registry);
            log.info("trainer {} on {}: batches of up to {} ratings or {} ms, snapshots every {} events or {} ms, "
                            + "resuming at v{} ({} events trained)", config.trainer().model().id(),
                    trainer.engine().description(), config.trainer().batchSize(), config.trainer().batchMaxWaitMs(),
                    config.snapshotEveryEvents(), config.snapshotEveryMs(), t.version, trainer.eventsTrained());
            t.trainThread.start();
            t.intakeThread.start();
            return t;
        } catch (RuntimeException e) {
            publisher.close();
            trainer.close();
            throw e;
        }
    }

    private RatingIntake intake() {
        return intake;
    }

    /** The version of the last committed snapshot. */
    public long snapshotVersion() {
        return publishedVersion;
    }

    public long eventsTrained() {
        return trainer.eventsTrained();
    }

    public ModelRestorer.Restored restored() {
        return restored;
    }

    /** Past positives trained again so far (continual training). */
    public long positivesReplayed() {
        return trainer.positivesReplayed();
    }

    /**
     * How replay has shared the trainer with fresh ratings, counted in steps: the most replay steps any fresh batch
     * waited behind, and the largest consumer lag (ratings behind) at which a replay step was taken.
     */
    public record ReplayYield(long mostStepsAheadOfFresh, long largestLagAtReplay) {
    }

    public ReplayYield replayYield() {
        return new ReplayYield(mostReplayStepsAheadOfFresh, largestLagAtReplay);
    }

    /** The prequential metrics over the moving window. */
    public CurvePoint prequential() {
        return evaluator.current(trainer.eventsTrained());
    }

    public PrequentialEvaluator evaluator() {
        return evaluator;
    }

    public String engineDescription() {
        return trainer.engine().description();
    }

    /** The failure that stopped the trainer, or null while it runs (or stopped cleanly). */
    public Throwable failure() {
        Throwable f = failure;
        return f != null ? f : intake.failure();
    }

    public boolean isRunning() {
        return trainThread.isAlive();
    }

    /** Blocks until the trainer stops (a failure, or {@link #close()} from another thread). */
    public void awaitTermination() throws InterruptedException {
        trainThread.join();
    }

    /** Stops consuming, trains what was taken, publishes a final snapshot, and closes everything. */
    @Override
    public void close() {
        intake.stop();
        try {
            intakeThread.join();
            trainThread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        publishing.shutdown();
        publisher.close();
        trainer.close();
        log.info("trainer stopped at v{} after {} events", publishedVersion, trainer.eventsTrained());
    }

    /**
     * Take a fresh batch if one is waiting and train it (the trainer's listeners test on it and record); else, if
     * the replay budget allows and the trainer is not behind, train one replay step; snapshot when due. A fresh batch
     * therefore waits behind at most one replay step, and nothing is replayed during a backlog.
     */
    private void trainLoop() {
        ReplayBudget budget = new ReplayBudget(config.trainer().replay());
        long clock = System.nanoTime();
        try {
            while (!intakeFinished || !full.isEmpty() || snapshotRequest.get() != null) {
                long now = System.nanoTime();
                budget.elapse((now - clock) / 1e9);
                clock = now;
                long lag = intake.lag();
                // Behind by more than a batch, or not knowing yet (before the first fetch): fresh ratings only.
                boolean replay = budget.allowsStep() && lag >= 0 && lag <= config.trainer().batchSize()
                        && !trainer.memory().isEmpty();
                IntakeBatch batch = replay ? full.poll()
                        : full.poll(Math.max(1, Math.min(20, (long) (budget.secondsToNextStep() * 1000))), TimeUnit.MILLISECONDS);
                if (batch != null) {
                    trainFresh(batch);
                } else if (replay) {
                    trainer.replay(budget.stepPositives());
                    budget.spendStep();
                    replaySteps.incrementAndGet();
                    largestLagAtReplay = Math.max(largestLagAtReplay, lag);
                }
                CompletableFuture<Void> request = snapshotRequest.get();
                if (request != null && full.isEmpty()) {
                    snapshotNow();
                    snapshotRequest.set(null);
                    request.complete(null);
                } else if (since.due() && (inFlight == null || inFlight.isDone())) {
                    awaitPublished();
                    publishAsync();
                }
            }
            awaitPublished();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            failure = t;
            log.error("the trainer stopped: {}", t.toString(), t);
            intake.stop();
        } finally {
            CompletableFuture<Void> request = snapshotRequest.getAndSet(null);
            if (request != null) {
                request.completeExceptionally(failure != null ? failure : new IllegalStateException("trainer stopped"));
            }
        }
    }

    private void trainFresh(IntakeBatch batch) {
        long handedOverAt = batch.replayStepsAtHandOver;
        if (handedOverAt >= 0) {
            mostReplayStepsAheadOfFresh = Math.max(mostReplayStepsAheadOfFresh, replaySteps.get() - handedOverAt);
        }
        if (batch.ratings.size() > 0) {
            trainer.train(batch.ratings);
            metrics.ingested(batch.oldestProduceTime);
        }
        since.consumed(batch.records, batch.nextOffsets, batch.deadLetters);
        empty.add(batch);
    }

    /** A snapshot of everything trained so far, committed before returning (rebalance, shutdown). */
    private void snapshotNow() throws InterruptedException, ExecutionException {
        awaitPublished();
        if (since.anythingConsumed()) {
            publishAsync();
            awaitPublished();
        }
    }

    private void awaitPublished() throws InterruptedException, ExecutionException {
        if (inFlight != null) {
            inFlight.get();
            inFlight = null;
        }
    }

    /**
     * Captures and submits the next snapshot. Its offset ranges cover every partition the model has seen, idle ones
     * included (from = to), so the latest manifest alone says how far the model is trained.
     */
    private void publishAsync() {
        intake.startPositions.forEach(since::assigned);
        SinceLastSnapshot.Covered covered = since.take();
        Snapshot snapshot = SnapshotCapture.capture(trainer, changed, ++version, covered, manifestMetrics(covered));
        var group = intake.groupMetadata();
        inFlight = publishing.submit(() -> {
            long start = System.nanoTime();
            publisher.publish(snapshot, group);
            committedTo.putAll(covered.to());
            publishedVersion = snapshot.manifest().version();
            metrics.published(snapshot.manifest().version(), System.nanoTime() - start,
                    snapshot.manifest().userRows(), snapshot.manifest().itemRows());
            log.debug("snapshot v{} committed: {} events, {} user rows, {} item rows, {} dead letters in {} ms",
                    snapshot.manifest().version(), snapshot.manifest().eventsTrained(), snapshot.manifest().userRows(),
                    snapshot.manifest().itemRows(), snapshot.deadLetters().size(), (System.nanoTime() - start) / 1_000_000);
            return null;
        });
    }

    private Map<String, Double> manifestMetrics(SinceLastSnapshot.Covered covered) {
        CurvePoint p = evaluator.current(trainer.eventsTrained());
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("hr10", p.hitRate());
        m.put("ndcg10", p.ndcg());
        m.put("popularityHr10", p.popularityHitRate());
        m.put("recentPopularityHr10", p.recentHitRate());
        m.put("fullRecall10", p.fullRecall());
        m.put("rmse", p.rmse());
        m.put("mae", p.mae());
        m.put("loss", covered.meanLoss());
        m.put("learningRate", (double) trainer.schedule().current());
        m.put("positivesReplayed", (double) trainer.positivesReplayed());
        m.replaceAll((k, v) -> v == null || v.isNaN() || v.isInfinite() ? null : v);
        return m;
    }

    /** Called on the intake thread from inside poll(). */
    private final class Coordinator implements RatingIntake.Coordinator {
        @Override
        public void snapshotAndWait() {
            CompletableFuture<Void> request = new CompletableFuture<>();
            snapshotRequest.set(request);
            while (true) {
                try {
                    request.get(1, TimeUnit.SECONDS);
                    return;
                } catch (TimeoutException e) {
                    if (!trainThread.isAlive()) {
                        throw new IllegalStateException("the trainer stopped before it could publish", failure);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while publishing a snapshot", e);
                } catch (ExecutionException e) {
                    throw new IllegalStateException("snapshot failed: " + e.getCause().getMessage(), e.getCause());
                }
            }
        }

        @Override
        public long replayStepsSoFar() {
            return replaySteps.get();
        }

        @Override
        public void verifyPosition(int partition, long position) {
            Long expected = committedTo.get(partition);
            if (expected != null && expected != position) {
                throw new IllegalStateException("ratings-" + partition + " resumes at offset " + position
                        + " but the model was trained up to " + expected + ": another trainer has committed offsets"
                        + " in group '" + config.groupId() + "'. Refusing to train a model that would skip or repeat ratings.");
            }
        }
    }
}
