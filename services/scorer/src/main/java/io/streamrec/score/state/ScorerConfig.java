package io.streamrec.score.state;

import io.streamrec.score.model.FoldIn;
import io.streamrec.config.Settings;
import io.streamrec.kafka.KafkaReachability;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

import static io.streamrec.config.Settings.require;

/**
 * The scorer's settings ({@code scorer.*} in config/streamrec.properties, where each is documented), read and
 * checked once.
 */
public record ScorerConfig(String applicationId, int topK, Guarantee guarantee, int streamThreads, Path stateDir,
                           StoreKind store, String httpHost, int httpPort, String advertisedHost, int lingerMs,
                           int pollMs, Duration rescoreRound, Duration rescoreGrace, double rescoreAllDrift,
                           Duration rescoreAtRest,
                           Duration backlog, Duration backlogWait, FoldIn.Method foldInMethod, int foldInSteps, double foldInLearningRate,
                           double foldInL2, int foldInNegatives, double foldInRidgeTarget, int popularityWindow,
                           Duration popularityRefresh, int clusters, Duration clusterPeriod, int clusterIterations,
                           Retrieval retrieval, int rescoreThreads, long recordCacheMb,
                           Duration commitInterval, KafkaReachability.Config health) {

    /**
     * Candidate retrieval ({@code scorer.retrieval.*}): an index over the item rows' linear part finds
     * {@code candidates} items, which the model re-ranks exactly; the last candidates of each user are kept as
     * their pool, re-ranked alone after a rating while the user's query moved less than {@code poolDrift}.
     *
     * @param approximate    false: every list is a full scan of the catalogue (the exact path, for comparison)
     * @param index          which index: k-means partitions or an HNSW graph
     * @param partitionSize  items per partition, on average
     * @param probes         partitions a search scans
     * @param minItems       below this many items a full scan is cheap enough and no index is built
     * @param rebuildDrift   rebuild the index when the rows moved this much since it was built (‖ΔV‖/‖V‖)
     * @param rebuildNewItems rebuild when items appended since the build reach this share of those in the index
     * @param poolDrift      largest relative change of a user's query for which their pool is re-ranked alone
     * @param poolUsers      users whose pools an instance keeps (oldest dropped first); 0 keeps none
     */
    public record Retrieval(boolean approximate, IndexKind index, int candidates, int minItems, int partitionSize,
                            int probes, int graphDegree, int beamWidth, double rebuildDrift, double rebuildNewItems,
                            double poolDrift, int poolUsers) {
        public Retrieval {
            require(candidates >= 1, "scorer.retrieval.candidates must be at least 1, got " + candidates);
            // Smaller partitions than a SIMD block or two only multiply the centroids to score (and k-means' cost).
            require(partitionSize >= 16, "scorer.retrieval.partition-size must be at least 16, got " + partitionSize);
            require(probes >= 1, "scorer.retrieval.probes must be at least 1, got " + probes);
            require(minItems >= 0, "scorer.retrieval.min-items must not be negative, got " + minItems);
            require(graphDegree >= 2, "scorer.retrieval.graph-degree must be at least 2, got " + graphDegree);
            require(beamWidth >= 1, "scorer.retrieval.beam-width must be at least 1, got " + beamWidth);
            require(rebuildDrift > 0, "scorer.retrieval.rebuild-drift must be positive, got " + rebuildDrift);
            require(rebuildNewItems > 0, "scorer.retrieval.rebuild-new-items must be positive, got " + rebuildNewItems);
            require(poolDrift >= 0, "scorer.retrieval.pool-drift must not be negative (0: never reuse), got " + poolDrift);
            require(poolUsers >= 0, "scorer.retrieval.pool-users must not be negative, got " + poolUsers);
            require((long) poolUsers * candidates <= Integer.MAX_VALUE - 8, "scorer.retrieval.pool-users times"
                    + " scorer.retrieval.candidates must be at most 2,147,483,639 (the pools' candidates share one"
                    + " array), got " + poolUsers + " x " + candidates);
        }

        /** Every list by a full scan. */
        public static final Retrieval EXACT = new Retrieval(false, IndexKind.PARTITIONS, 100, 0, 128, 20, 16, 100, 1,
                1, 0, 0);

        static Retrieval from(Settings s) {
            String mode = s.text("scorer.retrieval.mode");
            require(mode.equals("approximate") || mode.equals("exact"),
                    "scorer.retrieval.mode must be approximate or exact, got " + mode);
            String index = s.text("scorer.retrieval.index");
            require(index.equals("partitions") || index.equals("graph"),
                    "scorer.retrieval.index must be partitions or graph, got " + index);
            return new Retrieval(mode.equals("approximate"), IndexKind.valueOf(index.toUpperCase(Locale.ROOT)),
                    s.integer("scorer.retrieval.candidates"), s.integer("scorer.retrieval.min-items"),
                    s.integer("scorer.retrieval.partition-size"), s.integer("scorer.retrieval.probes"),
                    s.integer("scorer.retrieval.graph-degree"),
                    s.integer("scorer.retrieval.beam-width"), s.decimal("scorer.retrieval.rebuild-drift"),
                    s.decimal("scorer.retrieval.rebuild-new-items"), s.decimal("scorer.retrieval.pool-drift"),
                    s.integer("scorer.retrieval.pool-users"));
        }
    }

    /** The candidate index's kind ({@link io.streamrec.score.model.CandidateIndex}). */
    public enum IndexKind { PARTITIONS, GRAPH }

    /** Kafka Streams' processing guarantee, as {@code processing.guarantee} spells it. */
    public enum Guarantee {
        AT_LEAST_ONCE, EXACTLY_ONCE_V2;

        public String streamsName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public enum StoreKind { ROCKSDB, IN_MEMORY }

    public ScorerConfig {
        require(topK >= 1 && topK <= 1000, "scorer.top-k must be between 1 and 1000, got " + topK);
        require(streamThreads >= 1, "scorer.stream-threads must be at least 1, got " + streamThreads);
        require(httpPort >= 0 && httpPort <= 65535, "scorer.http.port must be 0 (any free port) to 65535, got " + httpPort);
        require(lingerMs >= 0, "scorer.producer.linger-ms must not be negative, got " + lingerMs);
        require(pollMs >= 1, "scorer.poll-ms must be at least 1, got " + pollMs);
        require(!rescoreRound.isNegative() && !rescoreRound.isZero(), "scorer.rescore.round-ms must be positive");
        require(!rescoreGrace.isNegative(), "scorer.rescore.grace-ms must not be negative");
        require(rescoreAllDrift >= 0, "scorer.rescore-all.drift must not be negative (0 turns it off)");
        require(!rescoreAtRest.isNegative(), "scorer.rescore-all.at-rest-ms must not be negative (0 turns it off)");
        require(!backlog.isNegative(), "scorer.backlog-ms must not be negative");
        require(!backlogWait.isNegative(), "scorer.backlog-wait-ms must not be negative");
        require(foldInSteps >= 1, "scorer.fold-in.steps must be at least 1, got " + foldInSteps);
        require(foldInLearningRate > 0, "scorer.fold-in.learning-rate must be positive, got " + foldInLearningRate);
        require(foldInL2 >= 0, "scorer.fold-in.l2 must not be negative, got " + foldInL2);
        require(foldInNegatives >= 0, "scorer.fold-in.negatives must not be negative, got " + foldInNegatives);
        require(foldInRidgeTarget > 0.5 && foldInRidgeTarget < 1,
                "scorer.fold-in.ridge-target must be a probability in (0.5, 1), got " + foldInRidgeTarget);
        require(popularityWindow >= 1, "scorer.popularity.window must be at least 1, got " + popularityWindow);
        require(!popularityRefresh.isNegative(), "scorer.popularity.refresh-ms must not be negative");
        require(clusters >= 0, "scorer.clusters.k must not be negative (0 turns clustering off), got " + clusters);
        require(!clusterPeriod.isNegative() && !clusterPeriod.isZero(), "scorer.clusters.period-ms must be positive");
        require(clusterIterations >= 1, "scorer.clusters.iterations must be at least 1, got " + clusterIterations);
        require(rescoreThreads >= 0, "scorer.rescore.threads must not be negative, got " + rescoreThreads);
        require(recordCacheMb >= 0 && recordCacheMb <= 1 << 20,
                "scorer.record-cache-mb must be 0 (no cache) to 1048576 (1 TB), got " + recordCacheMb);
        require(commitInterval.toMillis() >= 1, "scorer.commit-interval-ms must be at least 1, got "
                + commitInterval.toMillis());
    }

    public static ScorerConfig from(Settings s) {
        String advertised = s.optionalText("scorer.http.advertised-host");
        Guarantee guarantee = s.choice("scorer.processing-guarantee", Guarantee.class);
        // Empty: by the guarantee (config/streamrec.properties says why).
        Duration commitInterval = s.optionalText("scorer.commit-interval-ms") != null
                ? Duration.ofMillis(s.longInteger("scorer.commit-interval-ms"))
                : Duration.ofMillis(guarantee == Guarantee.AT_LEAST_ONCE ? 1000 : 100);
        return new ScorerConfig(s.text("scorer.application-id"), s.integer("scorer.top-k"),
                guarantee, s.integer("scorer.stream-threads"),
                s.path("scorer.state-dir"), s.choice("scorer.store", StoreKind.class), s.text("scorer.http.host"),
                s.integer("scorer.http.port"), advertised == null ? s.text("scorer.http.host") : advertised,
                s.integer("scorer.producer.linger-ms"), s.integer("scorer.poll-ms"),
                Duration.ofMillis(s.longInteger("scorer.rescore.round-ms")),
                Duration.ofMillis(s.longInteger("scorer.rescore.grace-ms")), s.decimal("scorer.rescore-all.drift"),
                Duration.ofMillis(s.longInteger("scorer.rescore-all.at-rest-ms")),
                Duration.ofMillis(s.longInteger("scorer.backlog-ms")),
                Duration.ofMillis(s.longInteger("scorer.backlog-wait-ms")),
                s.choice("scorer.fold-in.method", FoldIn.Method.class), s.integer("scorer.fold-in.steps"),
                s.decimal("scorer.fold-in.learning-rate"), s.decimal("scorer.fold-in.l2"),
                s.integer("scorer.fold-in.negatives"), s.decimal("scorer.fold-in.ridge-target"),
                s.integer("scorer.popularity.window"), Duration.ofMillis(s.longInteger("scorer.popularity.refresh-ms")),
                s.integer("scorer.clusters.k"), Duration.ofMillis(s.longInteger("scorer.clusters.period-ms")),
                s.integer("scorer.clusters.iterations"), Retrieval.from(s), s.integer("scorer.rescore.threads"),
                s.longInteger("scorer.record-cache-mb"), commitInterval, KafkaReachability.Config.from(s));
    }
}
