package io.streamrec.score.state;

import io.streamrec.score.model.Popularity;
import io.streamrec.score.model.Clusters;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What one scorer instance holds outside the partitioned stores, shared by its threads: the served model's item
 * side and catalogue (written by the global thread), recent popularity and the lists sent (by the stream threads)
 * and the clusters (by the clustering job).
 */
public final class ScorerState implements AutoCloseable {
    public final ScorerConfig config;
    public final ItemModel items;
    public final Catalog catalog = new Catalog();
    public final Popularity popularity;
    public final AtomicReference<Clusters> clusters = new AtomicReference<>();
    public final ScorerMetrics metrics;
    public final CandidatePools pools;
    public final Lateness lateness;
    /** What each user's list on the topic is, for queries. */
    public final SentLists sentLists;
    /** Computes the lists of queued users beside the stream threads ({@code scorer.rescore.threads}); null: none. */
    public final ExecutorService rescorers;
    private final ThreadLocal<Recommender> recommenders = ThreadLocal.withInitial(() -> new Recommender(this));
    /** Builds candidate indexes off the global thread; a daemon, so an instance never outlives its JVM for it. */
    private final ExecutorService indexBuilds = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "scorer-index");
        t.setDaemon(true);
        return t;
    });

    /** An instance whose queries know only the lists it sent itself (no reading back from the topic). */
    public ScorerState(ScorerConfig config, ScorerMetrics metrics) {
        this(config, metrics, new SentLists());
    }

    public ScorerState(ScorerConfig config, ScorerMetrics metrics, SentLists sentLists) {
        this.config = config;
        this.metrics = metrics;
        this.sentLists = sentLists;
        this.items = new ItemModel(config.rescoreAllDrift(), config.rescoreAtRest().toMillis(), config.retrieval(),
                indexBuilds);
        this.popularity = new Popularity(config.popularityWindow(), config.popularityRefresh().toMillis());
        this.pools = new CandidatePools(config.retrieval().poolUsers(), config.retrieval().candidates());
        this.lateness = new Lateness(config.backlogWait().toMillis(), Lateness.HOLD);
        this.rescorers = config.rescoreThreads() == 0 ? null : Executors.newFixedThreadPool(config.rescoreThreads(), r -> {
            Thread t = new Thread(r, "scorer-rescore");
            t.setDaemon(true);
            return t;
        });
    }

    /** The calling thread's own recommender (it holds scratch buffers, so threads never share one). */
    public Recommender recommender() {
        return recommenders.get();
    }

    /** Stops building indexes, computing queued users' lists and reading lists back (work under way is abandoned). */
    @Override
    public void close() {
        indexBuilds.shutdownNow();
        sentLists.close();
        if (rescorers != null) {
            rescorers.shutdownNow();
        }
    }
}
