package io.streamrec.score;

import java.util.concurrent.atomic.AtomicReference;

/**
 * What one scorer instance holds outside the partitioned stores, shared by its threads: the served model's item
 * side and catalogue (written by the global thread), recent popularity (by the stream threads) and the clusters
 * (by the clustering job).
 */
final class ScorerState {
    final ScorerConfig config;
    final ItemModel items;
    final Catalog catalog = new Catalog();
    final Popularity popularity;
    final AtomicReference<Clusters> clusters = new AtomicReference<>();
    final ScorerMetrics metrics;

    ScorerState(ScorerConfig config, ScorerMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
        this.items = new ItemModel(config.rescoreAllDrift());
        this.popularity = new Popularity(config.popularityWindow(), config.popularityRefresh().toMillis());
    }
}
