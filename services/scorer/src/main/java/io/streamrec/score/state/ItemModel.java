package io.streamrec.score.state;

import io.streamrec.score.model.CandidateIndex;
import io.streamrec.score.model.GraphIndex;
import io.streamrec.score.model.ItemFactors;
import io.streamrec.score.model.ModelSpec;
import io.streamrec.score.model.PartitionIndex;
import io.streamrec.contract.FactorRow;
import io.streamrec.contract.SnapshotManifest;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The item side of the served model, the same on every instance: the dense item matrix, the manifest's scoring
 * spec, and how complete the latest snapshot is here. Written by the Kafka Streams global thread only (from
 * {@code model-item-factors} and {@code model-snapshots}); read by every other thread.
 *
 * <p>A snapshot's item rows and its manifest are committed in one transaction but sit on different topics and
 * partitions, so they arrive in no particular order. Version v is <em>complete</em> here once its manifest has
 * arrived and at least {@code itemRows} rows stamped v have too; user rows of v are rescored only then (or after a
 * grace period), so a user's new factors are never ranked against the previous snapshot's items. After a restart
 * the compacted topic may hold fewer rows of an old version than its manifest counted (later versions replaced
 * them): a later complete version completes every earlier one.
 *
 * <p>The candidate index ({@link CandidateIndex}) over the matrix is built off the global thread, on
 * {@code builds}, when a version completes and the index is missing or stale: the rows moved more than
 * {@code scorer.retrieval.rebuild-drift} since it was built, or enough items were appended after it. Meanwhile the
 * previous index serves, following the rows as they are patched; before the first one, lists are full scans.
 */
public final class ItemModel {
    private static final long INDEX_SEED = 42;

    private final ItemFactors factors = new ItemFactors();
    private final double rescoreAllDrift;
    private final long atRestMs;
    /** Wall-clock ms when the newest complete version completed here. */
    private volatile long completedAt;
    /** Whether the item factors moved since the last full rescore, as of the newest complete version. */
    private boolean movedSinceRescore;
    /** Set when a full rescore was asked for at rest: the writer starts the movement afresh before its next row. */
    private volatile boolean movementTaken;
    private volatile ModelSpec spec;
    private volatile long completeVersion;
    /** Bumped when every user should be rescored (the item factors moved a lot, or the model changed shape). */
    private final AtomicLong rescoreAllGeneration = new AtomicLong();
    /** Per version not yet complete: rows seen, and rows the manifest announced. Writer only. */
    private final TreeMap<Long, Integer> rowsSeen = new TreeMap<>();
    private final TreeMap<Long, Long> rowsAnnounced = new TreeMap<>();
    private final ScorerConfig.Retrieval retrieval;
    private final Executor builds;
    private volatile CandidateIndex index;
    private final AtomicBoolean building = new AtomicBoolean();
    private final AtomicLong indexBuilds = new AtomicLong();

    /** An item side ranked by full scans only, with no full rescore at rest. */
    public ItemModel(double rescoreAllDrift) {
        this(rescoreAllDrift, 0, ScorerConfig.Retrieval.EXACT, Runnable::run);
    }

    /**
     * @param rescoreAllDrift relative movement ‖ΔV‖/‖V‖ of the item factors that triggers a full rescore; 0 = never
     * @param atRestMs        how long after the newest version completed a model that moved less than that counts
     *                        as at rest ({@link #rescoreAtRest}); 0 = never
     * @param builds          where candidate indexes are built (a thread of their own; the caller's in tests)
     */
    public ItemModel(double rescoreAllDrift, long atRestMs, ScorerConfig.Retrieval retrieval, Executor builds) {
        this.rescoreAllDrift = rescoreAllDrift;
        this.atRestMs = atRestMs;
        this.retrieval = retrieval;
        this.builds = builds;
    }

    public ScorerConfig.Retrieval retrieval() {
        return retrieval;
    }

    /** The candidate index for the current matrix and model, or null: rank by a full scan. */
    public CandidateIndex index() {
        CandidateIndex i = index;
        ModelSpec s = spec;
        return i != null && s != null && i.covers(factors.table()) && i.width() == s.retrievalWidth() ? i : null;
    }

    /** Candidate indexes built so far. */
    public long indexBuilds() {
        return indexBuilds.get();
    }

  public ItemFactors.Table table() {
        return factors.table();
    }

    /** The served model's spec, or null before the first manifest. */
    public ModelSpec spec() {
        return spec;
    }

    /** The newest snapshot version whose manifest and item rows have all arrived; 0 before any. */
   public long completeVersion() {
        return completeVersion;
    }

   public long rescoreAllGeneration() {
        return rescoreAllGeneration.get();
    }

    /** The version lists are stamped with: the served model's, 0 before the first manifest. */
   public long version() {
        ModelSpec s = spec;
        return s == null ? 0 : s.version;
    }

    /** Applies one item row; a null row is a tombstone. */
    public void applyItemRow(long movieId, FactorRow row) {
        startMovementAfreshAfterRest();
        if (row == null) {
            factors.remove(movieId);
            return;
        }
        ModelSpec s = spec;
        if (s != null && row.params().length != s.width()) {
            // A row of another shape than the served model: a leftover of a previous model on the compacted topic.
            return;
        }
        int at = factors.put(movieId, row.params());
        CandidateIndex i = index;
        if (i != null) {
            i.patch(factors.table(), at);
        }
        if (row.modelVersion() > completeVersion) {
            rowsSeen.merge(row.modelVersion(), 1, Integer::sum);
            settle();
        }
    }

    /** Applies a manifest already checked by {@link ModelSpec#of}. Older or repeated versions of the same model are ignored. */
    public void applyManifest(SnapshotManifest manifest, ModelSpec next) {
        startMovementAfreshAfterRest();
        ModelSpec current = spec;
        boolean sameModel = current != null && current.model.equals(next.model);
        if (sameModel && next.version <= current.version) {
            return;
        }
        boolean reshaped = current == null || current.kind != next.kind || current.width() != next.width();
        if (current != null && !sameModel) {
            // Another model: its versions restart, so the old one's bookkeeping means nothing. (Rows of the new
            // model that came before this manifest are forgotten too: its first version completes with its
            // successor, and its users are rescored after the grace period.)
            rowsSeen.clear();
            rowsAnnounced.clear();
            completeVersion = 0;
        }
        if (factors.table().width != next.width()) {
            factors.reset(next.width());
        }
        spec = next;
        rowsAnnounced.put(next.version, manifest.itemRows());
        if (reshaped && current != null) {
            rescoreEveryone();
        }
        settle();
    }

    /** Marks versions complete and, when the factors moved enough since the last full rescore, asks for one. */
    private void settle() {
        long newest = 0;
        for (Map.Entry<Long, Long> e : rowsAnnounced.entrySet()) {
            if (rowsSeen.getOrDefault(e.getKey(), 0) >= e.getValue()) {
                newest = e.getKey();
            }
        }
        if (newest <= completeVersion) {
            return;
        }
        completeVersion = newest;
        rowsSeen.headMap(newest, true).clear();
        rowsAnnounced.headMap(newest, true).clear();
        // Measured since the last full rescore, not per version: with continual training every version moves the
        // items a little, and taken version by version none reached the threshold, so lists of users whose own rows
        // did not change never saw the items' accumulated movement.
        if (rescoreAllDrift > 0 && factors.movement() > rescoreAllDrift) {
            rescoreEveryone();
        }
        synchronized (this) {
            movedSinceRescore = factors.movement() > 0;
            completedAt = System.currentTimeMillis();
        }
        maybeRebuildIndex();
    }

    /** Asks for every user to be rescored; the item factors' movement counts from here. */
    private void rescoreEveryone() {
        factors.takeMovement();
        rescoreAllGeneration.incrementAndGet();
    }

    /**
     * Asks for every user to be rescored once the model is at rest: no version completed for {@code atRestMs}, and
     * the item factors moved since the last full rescore, by less than the drift that asks for one at once. Until
     * then the lists of users whose own rows did not change stay ranked by older item rows (and the queries, which
     * answer with the lists sent, with them); with a trainer that stopped, they would stay so. Any thread (the
     * stream threads' punctuators); true when this call asked.
     */
    public boolean rescoreAtRest(long nowMs) {
        if (atRestMs <= 0 || nowMs - completedAt < atRestMs) {
            return false;
        }
        synchronized (this) {
            if (!movedSinceRescore || nowMs - completedAt < atRestMs) {
                return false;
            }
            movedSinceRescore = false;
        }
        // The movement is the writer's to reset: it does so before its next row, which is newer than this rest.
        movementTaken = true;
        rescoreAllGeneration.incrementAndGet();
        return true;
    }

    /** The writer's half of {@link #rescoreAtRest}: the movement counts from that rescore, before anything newer. */
    private void startMovementAfreshAfterRest() {
        if (movementTaken) {
            movementTaken = false;
            factors.takeMovement();
        }
    }

    /** Starts building a candidate index when the current one is missing or stale and none is being built. */
    private void maybeRebuildIndex() {
        ModelSpec s = spec;
        ItemFactors.Table t = factors.table();
        if (!retrieval.approximate() || s == null || s.retrievalWidth() == 0 || t.width != s.width()
                || t.size() < Math.max(1, retrieval.minItems()) || building.get()) {
            return;
        }
        CandidateIndex current = index();
        boolean stale = current == null || factors.movementSinceIndexed() > retrieval.rebuildDrift()
                || t.size() - current.indexed() > retrieval.rebuildNewItems() * current.indexed();
        if (!stale) {
            return;
        }
        factors.takeMovementSinceIndexed();
        building.set(true);
        int width = s.retrievalWidth();
        builds.execute(() -> {
            try {
                CandidateIndex built = retrieval.index() == ScorerConfig.IndexKind.GRAPH
                        ? GraphIndex.build(t, width, retrieval.graphDegree(), retrieval.beamWidth())
                        : PartitionIndex.build(t, width, retrieval.partitionSize(), retrieval.probes(), INDEX_SEED);
                // Published first, then refreshed: a row the global thread patches from now on reaches this index
                // too, and one patched during the build is copied again here.
                index = built;
                built.refresh(factors.table());
                indexBuilds.incrementAndGet();
            } finally {
                building.set(false);
            }
        });
    }
}
