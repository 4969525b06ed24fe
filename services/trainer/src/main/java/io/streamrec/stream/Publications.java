package io.streamrec.stream;

import io.streamrec.evaluate.CurvePoint;
import io.streamrec.evaluate.PrequentialEvaluator;
import io.streamrec.snapshot.ChangedRows;
import io.streamrec.snapshot.Checkpoint;
import io.streamrec.snapshot.ModelRestorer;
import io.streamrec.snapshot.PublisherHealth;
import io.streamrec.snapshot.ServedRows;
import io.streamrec.snapshot.ServingSnapshot;
import io.streamrec.snapshot.SinceLastSnapshot;
import io.streamrec.snapshot.SnapshotCapture;
import io.streamrec.snapshot.SnapshotPublisher;
import io.streamrec.train.OnlineTrainer;
import io.streamrec.train.Table;
import io.streamrec.train.TrainingListener;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * What the streaming trainer publishes, and when: serving snapshots (about once a second, the rows that are news to
 * the scorers) and checkpoints (every {@code trainer.checkpoint-every-ms}, every changed row with its optimizer state,
 * the dead letters and the ratings offsets). Each kind falls due every N events or T ms, is captured on the training
 * thread (rows copied out) and committed on a publisher thread of its own, and is captured only once the previous one
 * of its kind is committed: slow commits make publications larger, never pile up. A failed publication stops the
 * trainer at its next look here.
 *
 * <p>Training thread only, except the committed versions and positions, which any thread may read.
 */
final class Publications implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Publications.class);

    private final StreamingConfig config;
    private final OnlineTrainer trainer;
    private final PrequentialEvaluator evaluator;
    private final TrainerMetrics metrics;
    private final SnapshotPublisher servingPublisher;
    private final SnapshotPublisher checkpointPublisher;
    private final Supplier<Map<Integer, Long>> assigned;
    private final Supplier<ConsumerGroupMetadata> group;
    private final ChangedRows changedSinceServing = new ChangedRows();
    private final ChangedRows changedSinceCheckpoint = new ChangedRows();
    private final ServedRows servedUsers;
    private final ServedRows servedItems;
    private final SinceLastSnapshot sinceServing;
    private final SinceLastSnapshot sinceCheckpoint;
    private final ExecutorService serving = Executors.newSingleThreadExecutor(r -> new Thread(r, "serving-publisher"));
    private final ExecutorService checkpointing = Executors.newSingleThreadExecutor(r -> new Thread(r, "checkpoint-publisher"));
    /** Per partition, the offset the last committed checkpoint ended at: what a (re)assigned partition resumes at. */
    private final Map<Integer, Long> committedTo = new ConcurrentHashMap<>();
    private volatile long servedVersion;
    private volatile long committedCheckpoint;
    /** The last serving version and checkpoint captured, and what is being committed. */
    private long servingVersion;
    private long checkpointNumber;
    private Future<?> servingInFlight;
    private Future<?> checkpointInFlight;
    private long lastRefreshNanos = System.nanoTime();

    /**
     * @param assigned every partition the intake holds, with where it started
     * @param group    the consumer group's metadata, for the offsets a checkpoint commits
     */
    Publications(StreamingConfig config, OnlineTrainer trainer, PrequentialEvaluator evaluator, TrainerMetrics metrics,
                 SnapshotPublisher servingPublisher, SnapshotPublisher checkpointPublisher,
                 ModelRestorer.Restored restored, Supplier<Map<Integer, Long>> assigned,
                 Supplier<ConsumerGroupMetadata> group) {
        this.config = config;
        this.trainer = trainer;
        this.evaluator = evaluator;
        this.metrics = metrics;
        this.servingPublisher = servingPublisher;
        this.checkpointPublisher = checkpointPublisher;
        this.assigned = assigned;
        this.group = group;
        int width = trainer.engine().layout().width();
        this.servedUsers = new ServedRows(Table.USERS, width, config.servingRule());
        this.servedItems = new ServedRows(Table.ITEMS, width, config.servingRule());
        // What the scorers hold is unknown at a start: a run may have stopped before its last snapshot, and a checkpoint
        // may hold rows that no snapshot served before a crash. Every restored row is served again, behind rated rows.
        servedUsers.awaitServing(trainer.users().size());
        servedItems.awaitServing(trainer.items().size());
        metrics.waitingToBeServed(this::rowsWaiting);
        this.sinceServing = new SinceLastSnapshot(config.snapshotEveryEvents(), config.snapshotEveryMs(),
                restored.trainedUpTo());
        this.sinceCheckpoint = new SinceLastSnapshot(config.checkpointEveryEvents(), config.checkpointEveryMs(),
                restored.trainedUpTo());
        this.committedTo.putAll(restored.trainedUpTo());
        this.servingVersion = restored.servingVersion();
        this.servedVersion = servingVersion;
        this.checkpointNumber = restored.version();
        this.committedCheckpoint = checkpointNumber;
        metrics.restored(servingVersion, checkpointNumber);
    }

    /** What they follow of every step: the rows it changed, and the ratings, loss and offsets since each kind. */
    List<TrainingListener> listeners() {
        return List.of(changedSinceServing, changedSinceCheckpoint, sinceServing, sinceCheckpoint);
    }

    /** A fresh batch is trained: its records, offsets and dead letters belong to the next of each kind. */
    void consumed(IntakeBatch batch) {
        sinceServing.consumed(batch.records, batch.nextOffsets, List.of());
        sinceCheckpoint.consumed(batch.records, batch.nextOffsets, batch.deadLetters);
    }

    /** Captures and submits what is due and not held back by its predecessor; rethrows a failed publication. */
    void publishDue() throws ExecutionException, InterruptedException {
        if (sinceServing.due(rowsWaiting() > 0) && done(servingInFlight)) {
            publishServing(false);
        }
        if (sinceCheckpoint.due() && done(checkpointInFlight)) {
            publishCheckpoint();
        }
    }

    /** Everything trained so far served and checkpointed, committed before returning (rebalance, shutdown). */
    void publishEverything() throws InterruptedException, ExecutionException {
        awaitPublished();
        if (sinceServing.anythingConsumed() || changedSinceServing.pendingUsers() + changedSinceServing.pendingItems() > 0
                || rowsWaiting() > 0) {
            publishServing(true);
        }
        if (sinceCheckpoint.anythingConsumed() || changedSinceCheckpoint.pendingUsers() + changedSinceCheckpoint.pendingItems() > 0) {
            publishCheckpoint();
        }
        awaitPublished();
    }

    void awaitPublished() throws InterruptedException, ExecutionException {
        if (servingInFlight != null) {
            servingInFlight.get();
            servingInFlight = null;
        }
        if (checkpointInFlight != null) {
            checkpointInFlight.get();
            checkpointInFlight = null;
        }
    }

    /** Rows with news for the scorers that the rated budget left for the next serving snapshots; any thread. */
    int rowsWaiting() {
        return servedUsers.waiting() + servedItems.waiting();
    }

    /** The version of the last committed serving snapshot. */
    long servedVersion() {
        return servedVersion;
    }

    /** The number of the last committed checkpoint. */
    long committedCheckpoint() {
        return committedCheckpoint;
    }

    /** Where the last committed checkpoint ended in a partition, or null when it never held it. */
    Long committedTo(int partition) {
        return committedTo.get(partition);
    }

    /** Each publisher whose latest attempt failed, with its failure. */
    Map<String, String> failing() {
        Map<String, String> failing = new LinkedHashMap<>();
        for (PublisherHealth p : List.of(servingPublisher.health(), checkpointPublisher.health())) {
            if (p.failing()) {
                failing.put(p.kind(), p.lastError());
            }
        }
        return failing;
    }

    /** Gives up what is being published: both producers close at once (see {@link SnapshotPublisher#abandon}). */
    void abandon() {
        servingPublisher.abandon();
        checkpointPublisher.abandon();
    }

    @Override
    public void close() {
        serving.shutdown();
        checkpointing.shutdown();
        servingPublisher.close();
        checkpointPublisher.close();
    }

    private static boolean done(Future<?> publication) throws ExecutionException, InterruptedException {
        if (publication == null) {
            return true;
        }
        if (publication.isDone()) {
            publication.get(); // a failed publication stops the trainer here
            return true;
        }
        return false;
    }

    /** Every partition the model has seen, idle ones included (from = to), so the latest manifest alone says how far. */
    private SinceLastSnapshot.Covered cover(SinceLastSnapshot since) {
        assigned.get().forEach(since::assigned);
        return since.take();
    }

    /** @param last serve every row with news, whatever the rated budget ({@link ServedRows}) */
    private void publishServing(boolean last) {
        SinceLastSnapshot.Covered covered = cover(sinceServing);
        boolean refresh = System.nanoTime() - lastRefreshNanos >= config.servingRefreshMs() * 1_000_000L;
        if (refresh) {
            lastRefreshNanos = System.nanoTime();
        }
        ServingSnapshot snapshot = SnapshotCapture.serving(trainer, changedSinceServing, servedUsers, servedItems,
                ++servingVersion, covered, manifestMetrics(covered), refresh, last);
        servingInFlight = serving.submit(() -> {
            long start = System.nanoTime();
            servingPublisher.publish(snapshot);
            servedVersion = snapshot.manifest().version();
            long bytes = snapshot.rows().stream().mapToLong(r -> r.valueBytes()).sum();
            metrics.served(snapshot.manifest().version(), System.nanoTime() - start, snapshot.manifest().userRows(),
                    snapshot.manifest().itemRows(), bytes);
            return null;
        });
    }

    /** Its offsets become the group's committed position. */
    private void publishCheckpoint() {
        SinceLastSnapshot.Covered covered = cover(sinceCheckpoint);
        Checkpoint checkpoint = SnapshotCapture.checkpoint(trainer, changedSinceCheckpoint, ++checkpointNumber,
                covered, manifestMetrics(covered));
        ConsumerGroupMetadata groupMetadata = group.get();
        checkpointInFlight = checkpointing.submit(() -> {
            long start = System.nanoTime();
            checkpointPublisher.publish(checkpoint, groupMetadata);
            committedTo.putAll(covered.to());
            committedCheckpoint = checkpoint.manifest().version();
            long bytes = checkpoint.rows().stream().mapToLong(r -> r.valueBytes()).sum();
            metrics.checkpointed(checkpoint.manifest().version(), System.nanoTime() - start,
                    checkpoint.manifest().userRows() + checkpoint.manifest().itemRows(), bytes);
            log.debug("checkpoint {} committed: {} events, {} user rows, {} item rows, {} dead letters in {} ms",
                    checkpoint.manifest().version(), checkpoint.manifest().eventsTrained(),
                    checkpoint.manifest().userRows(), checkpoint.manifest().itemRows(), checkpoint.deadLetters().size(),
                    (System.nanoTime() - start) / 1_000_000);
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
}
