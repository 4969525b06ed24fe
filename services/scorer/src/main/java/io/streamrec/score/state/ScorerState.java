package io.streamrec.score.state;

import io.streamrec.score.model.Popularity;
import io.streamrec.score.model.Clusters;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What one scorer instance holds outside the partitioned stores, shared by its threads: the served model's item
 * side and catalogue (written by the global thread), recent popularity (by the stream threads) and the clusters
 * (by the clustering job).
 */
public final class ScorerState {
    public final ScorerConfig config;
    public final ItemModel items;
    public final Catalog catalog = new Catalog();
    public final Popularity popularity;
    public final AtomicReference<Clusters> clusters = new AtomicReference<>();
    public final ScorerMetrics metrics;

    public ScorerState(ScorerConfig config, ScorerMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
        this.items = new ItemModel(config.rescoreAllDrift());
        this.popularity = new Popularity(config.popularityWindow(), config.popularityRefresh().toMillis());
    }
}
