package io.streamrec.stream;

import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import io.micrometer.core.instrument.MeterRegistry;
import io.streamrec.config.Settings;
import io.streamrec.contract.Topics;
import io.streamrec.evaluate.CurvePoint;
import io.streamrec.evaluate.PrequentialEvaluator;
import io.streamrec.kafka.KafkaReachability;
import io.streamrec.kafka.TopicAdmin;
import io.streamrec.snapshot.ModelRestorer;
import io.streamrec.snapshot.SnapshotPublisher;
import io.streamrec.train.Engines;
import io.streamrec.train.OnlineTrainer;
import io.streamrec.train.ReplayBudget;
import io.streamrec.train.TrainingListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * {@code ./streamrec train}: the online trainer wired to Kafka. Four threads:
 * <ul>
 *   <li>the intake polls and validates {@code ratings} and cuts mini-batches ({@link RatingIntake});</li>
 *   <li>the training thread trains them in order, replays history between them, and decides when to publish;</li>
 *   <li>the serving publisher commits serving snapshots (about once a second: the rows that are news to the scorers,
 *       parameters only);</li>
 *   <li>the checkpoint publisher commits checkpoints (every {@code trainer.checkpoint-every-ms}: every row changed
 *       since the previous one, with optimizer state, the dead letters, and the ratings offsets).</li>
 * </ul>
 * At most {@code trainer.max-in-flight-batches} batches wait between intake and training, and at most one of each
 * kind of publication is in flight: one falls due every N events or T ms, but is only captured once the previous one
 * of its kind is committed, so slow commits make publications larger, never pile up.
 *
 * <p>Start-up fences any older trainer of the same model, rebuilds the model from the last checkpoint, then joins
 * the consumer group, whose committed offsets are exactly those of that checkpoint: the ratings after it are trained
 * again, so every rating counts exactly once.
 */
public final class StreamingTrainer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StreamingTrainer.class);
    /**
     * How long a stop waits for the final checkpoint. Then it gives the checkpoint up: with the broker gone first, a
     * stop otherwise waited out every blocking call's max.block.ms (60 s) and took two minutes. Inside Compose's 30 s
     * stop grace period.
     */
    static final long STOP_WAIT_MS = 20_000;

    private final StreamingConfig config;
    private final OnlineTrainer trainer;
    private final PrequentialEvaluator evaluator;
    private final Publications publications;
    private final RatingIntake intake;
    private final TrainerMetrics metrics;
    private final BlockingQueue<IntakeBatch> full;
    private final BlockingQueue<IntakeBatch> empty;
    private final Thread intakeThread;
    private final Thread trainThread;
    private final ModelRestorer.Restored restored;
    /** Per partition, the first offset not yet trained (past the last trained batch); read by the lag probe. */
    private final Map<Integer, Long> trainedTo = new ConcurrentHashMap<>();
    private final LagProbe lagProbe;
    private final KafkaReachability kafka;
    private final AtomicReference<CompletableFuture<Void>> checkpointRequest = new AtomicReference<>();
    /** Replay steps trained so far; the intake stamps each batch with it when handing the batch over. */
    private final AtomicLong replaySteps = new AtomicLong();
    /** The most replay steps trained between a fresh batch's hand-over and its training (the design says 1). */
    private volatile long mostReplayStepsAheadOfFresh;
    /** The largest consumer lag a replay step was taken at (the design says at most one batch). */
    private volatile long largestLagAtReplay;
    private volatile Throwable failure;
    private volatile boolean intakeFinished;
    /** The stop gave the final checkpoint up: what fails because of it is expected, not news. */
    private volatile boolean abandoned;
    /** Whether a service on the same cores is behind (replay then gets trainer.replay.yielding-share of its budget). */
    private volatile BooleanSupplier foreground = () -> false;

    /** Wires the parts; {@link #start} builds them (restoring the model) and starts the threads. */
    private StreamingTrainer(Settings settings, StreamingConfig config, OnlineTrainer trainer,
                             SnapshotPublisher servingPublisher, SnapshotPublisher checkpointPublisher,
                             ModelRestorer.Restored restored, KafkaReachability kafka, MeterRegistry registry) {
        this.config = config;
        this.trainer = trainer;
        this.restored = restored;
        this.evaluator = new PrequentialEvaluator(config.prequential(), config.trainer().seed())
                .onWindow(p -> trainer.schedule().onMetric(p.primaryMetric()));
        this.full = new ArrayBlockingQueue<>(config.maxInFlightBatches());
        this.empty = new ArrayBlockingQueue<>(config.maxInFlightBatches() + 1);
        for (int i = 0; i <= config.maxInFlightBatches(); i++) {
            empty.add(new IntakeBatch(config.trainer().batchSize()));
        }
        this.kafka = kafka;
        this.lagProbe = new LagProbe(kafka.admin(), this::untrainedFrom);
        this.metrics = new TrainerMetrics(registry, evaluator, lagProbe::lag,
                List.of(servingPublisher.health(), checkpointPublisher.health()));
        this.publications = new Publications(config, trainer, evaluator, metrics, servingPublisher,
                checkpointPublisher, restored, this::assignedPartitions, this::groupMetadata);
        this.intake = new RatingIntake(settings, config, full, empty, new Coordinator(), metrics);
        trainer.addListener(metrics).addListener(evaluator);
        publications.listeners().forEach(trainer::addListener);
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
     * from its last checkpoint, and starts consuming.
     */
    public static StreamingTrainer start(Settings settings, MeterRegistry registry) {
        return start(settings, registry, List.of());
    }

    /** {@link #start(Settings, MeterRegistry)} with listeners of the caller's beside the trainer's own. */
    public static StreamingTrainer start(Settings settings, MeterRegistry registry, List<TrainingListener> listeners) {
        StreamingConfig config = StreamingConfig.from(settings);
        TopicAdmin.prepare(settings, "streamrec-trainer-admin", Topics.ALL);
        OnlineTrainer trainer = new OnlineTrainer(config.trainer(), Engines.create(config.trainer()));
        SnapshotPublisher checkpoints = new SnapshotPublisher(settings, config.transactionalId(), "checkpoint");
        SnapshotPublisher servings = new SnapshotPublisher(settings, config.transactionalId() + "-serving", "serving");
        KafkaReachability kafka = null;
        try {
            checkpoints.fencePredecessors();
            servings.fencePredecessors();
            ModelRestorer.Restored restored = new ModelRestorer(settings).restore(trainer);
            listeners.forEach(trainer::addListener);
            kafka = KafkaReachability.start(config.health(), settings, config.groupId() + "-health");
            StreamingTrainer t = new StreamingTrainer(settings, config, trainer, servings, checkpoints, restored, kafka,
                    registry);
            log.info("trainer {} on {}: batches of up to {} ratings or {} ms; serving snapshots every {} ms, checkpoints"
                            + " every {} ms; resuming at checkpoint {} (serving v{}, {} events trained)",
                    config.trainer().model().id(), trainer.engine().description(), config.trainer().batchSize(),
                    config.trainer().batchMaxWaitMs(), config.snapshotEveryMs(), config.checkpointEveryMs(),
                    restored.version(), restored.servingVersion(), trainer.eventsTrained());
            t.trainThread.start();
            t.intakeThread.start();
            t.lagProbe.start();
            return t;
        } catch (RuntimeException e) {
            if (kafka != null) {
                kafka.close();
            }
            servings.close();
            checkpoints.close();
            trainer.close();
            throw e;
        }
    }

    private Map<Integer, Long> assignedPartitions() {
        return intake.startPositions;
    }

    private ConsumerGroupMetadata groupMetadata() {
        return intake.groupMetadata();
    }

    /** Per assigned partition, the first offset not yet trained. */
    private Map<Integer, Long> untrainedFrom() {
        Map<Integer, Long> from = new HashMap<>();
        intake.startPositions.forEach((p, start) -> from.put(p, Math.max(start, trainedTo.getOrDefault(p, start))));
        return from;
    }

    /**
     * What is wrong now, for the health endpoint: a publisher whose latest attempt failed (from its first failure,
     * while it retries), Kafka not answering ({@link KafkaReachability}), or a trainer that stopped on a failure.
     * Empty while healthy.
     */
    public Map<String, String> problems() {
        Map<String, String> problems = new LinkedHashMap<>(publications.failing());
        problems.putAll(kafka.problems());
        Throwable f = failure();
        if (f != null) {
            problems.put("stopped", f.toString());
        }
        return problems;
    }

    /** The version of the last committed serving snapshot. */
    public long snapshotVersion() {
        return publications.servedVersion();
    }

    /** The number of the last committed checkpoint. */
    public long checkpointNumber() {
        return publications.committedCheckpoint();
    }

    public long eventsTrained() {
        return trainer.eventsTrained();
    }

    /** Records routed to {@code ratings-dlq} so far (each lands with the checkpoint after it). */
    public long eventsDeadLettered() {
        return metrics.invalidSoFar();
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

    /**
     * Replay yields to a service that shares these cores (a scorer in the same JVM: the demo, {@code bench soak}):
     * while {@code behind} says it is behind, the replay budget fills at {@code trainer.replay.yielding-share} of its
     * rate. Fresh ratings are never held back.
     */
    public void yieldReplayTo(BooleanSupplier behind) {
        this.foreground = behind;
    }

    public boolean isRunning() {
        return trainThread.isAlive();
    }

    /** Blocks until the trainer stops (a failure, or {@link #close()} from another thread). */
    public void awaitTermination() throws InterruptedException {
        trainThread.join();
    }

    /**
     * Stops consuming, trains what was taken, commits a final checkpoint, and closes everything. A checkpoint that
     * has not committed within {@link #STOP_WAIT_MS} (the broker gone, say) is given up: the last committed one
     * stands, and the next start trains the ratings after it again, as after a crash.
     */
    @Override
    public void close() {
        intake.stop();
        try {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_WAIT_MS);
            intakeThread.join(STOP_WAIT_MS);
            trainThread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            if (intakeThread.isAlive() || trainThread.isAlive()) {
                abandoned = true;
                intake.abandon();
                long last = checkpointNumber();
                log.warn("the final checkpoint did not commit within {} s (is Kafka reachable?): stopping without it "
                                + "(unless its commit already reached the broker); {}", STOP_WAIT_MS / 1000,
                        last == 0 ? "without a committed checkpoint the next start trains every rating"
                                : "from checkpoint " + last + " the next start trains the ratings after it again");
                publications.abandon();
                intakeThread.interrupt(); // it may wait on a hand-over queue the training thread no longer serves
                intakeThread.join(STOP_WAIT_MS);
                trainThread.join(STOP_WAIT_MS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        lagProbe.close();
        kafka.close();
        publications.close();
        trainer.close();
        log.info("trainer stopped at checkpoint {} (serving v{}) after {} events", checkpointNumber(),
                snapshotVersion(), trainer.eventsTrained());
    }

    /**
     * Take a fresh batch if one is waiting and train it (the trainer's listeners test on it and record); else, if
     * the replay budget allows and the trainer is not behind, train one replay step; publish what is due. A fresh
     * batch therefore waits behind at most one replay step, and nothing is replayed during a backlog.
     */
    private void trainLoop() {
        ReplayBudget budget = new ReplayBudget(config.trainer().replay());
        if (config.trainer().replay().enabled()) {
            BackgroundPriority.lowerCurrentThread(config.replayNice());
        }
        long clock = System.nanoTime();
        try {
            while (!intakeFinished || !full.isEmpty() || checkpointRequest.get() != null) {
                long now = System.nanoTime();
                double elapsed = (now - clock) / 1e9;
                if (foreground.getAsBoolean()) {
                    budget.elapse(elapsed * config.replayYieldingShare());
                    budget.limitTo(config.replayYieldingShare());
                } else {
                    budget.elapse(elapsed);
                }
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
                CompletableFuture<Void> request = checkpointRequest.get();
                if (request != null && full.isEmpty()) {
                    publications.publishEverything();
                    checkpointRequest.set(null);
                    request.complete(null);
                    continue;
                }
                publications.publishDue();
            }
            publications.awaitPublished();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            if (abandoned) {
                log.debug("the trainer stopped without its final checkpoint: {}", t.toString());
            } else {
                failure = t;
                log.error("the trainer stopped: {}", t.toString(), t);
                intake.stop();
            }
        } finally {
            CompletableFuture<Void> request = checkpointRequest.getAndSet(null);
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
            trainer.train(batch.prepared);
            metrics.ingested(batch.oldestProduceTime);
        }
        publications.consumed(batch);
        trainedTo.putAll(batch.nextOffsets);
        empty.add(batch);
    }

    /** Called on the intake thread from inside poll(). */
    private final class Coordinator implements RatingIntake.Coordinator {
        @Override
        public void snapshotAndWait() {
            CompletableFuture<Void> request = new CompletableFuture<>();
            checkpointRequest.set(request);
            while (true) {
                try {
                    request.get(1, TimeUnit.SECONDS);
                    return;
                } catch (TimeoutException e) {
                    if (!trainThread.isAlive()) {
                        throw new IllegalStateException("the trainer stopped before it could checkpoint", failure);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while checkpointing", e);
                } catch (ExecutionException e) {
                    throw new IllegalStateException("checkpoint failed: " + e.getCause().getMessage(), e.getCause());
                }
            }
        }

        @Override
        public void prepare(IntakeBatch batch) {
            trainer.prepare(batch.ratings, batch.prepared);
        }

        @Override
        public long replayStepsSoFar() {
            return replaySteps.get();
        }

        @Override
        public void verifyPosition(int partition, long position) {
            Long expected = publications.committedTo(partition);
            if (expected != null && expected != position) {
                throw new IllegalStateException("ratings-" + partition + " resumes at offset " + position
                        + " but the model was checkpointed up to " + expected + ": another trainer has committed offsets"
                        + " in group '" + config.groupId() + "'. Refusing to train a model that would skip or repeat"
                        + " ratings.");
            }
        }
    }
}
