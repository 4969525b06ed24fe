package io.streamrec.train;

import io.streamrec.config.Settings;

/**
 * Continual training on history, the {@code trainer.replay.*} settings (documented in config/streamrec.properties).
 *
 * @param positivesPerSecond replayed positives a second at most, each with fresh negatives; 0 turns replay off
 * @param batchSize          positives per replay step: a fresh batch waits behind at most one such step
 * @param recentShare        share of replayed positives drawn from the newest events, the rest uniformly from history
 * @param recentMeanAge      mean age in events of a recent draw (exponentially distributed)
 * @param recentCapacity     newest events kept in order
 * @param historyCapacity    events kept as a uniform sample of the whole history
 */
public record ReplayConfig(double positivesPerSecond, int batchSize, double recentShare, double recentMeanAge,
                           int recentCapacity, int historyCapacity) {

    public ReplayConfig {
        if (positivesPerSecond < 0 || batchSize < 1 || recentShare < 0 || recentShare > 1 || recentMeanAge <= 0
                || recentCapacity < 1 || historyCapacity < 1) {
            throw new IllegalArgumentException("trainer.replay settings out of range: positives-per-second="
                    + positivesPerSecond + " batch-size=" + batchSize + " recent-share=" + recentShare
                    + " recent-mean-age=" + recentMeanAge + " recent-capacity=" + recentCapacity
                    + " history-capacity=" + historyCapacity);
        }
    }

    public static ReplayConfig from(Settings s) {
        return new ReplayConfig(s.decimal("trainer.replay.positives-per-second"), s.integer("trainer.replay.batch-size"),
                s.decimal("trainer.replay.recent-share"), s.decimal("trainer.replay.recent-mean-age"),
                s.integer("trainer.replay.recent-capacity"), s.integer("trainer.replay.history-capacity"));
    }

    public boolean enabled() {
        return positivesPerSecond > 0;
    }

    /** The same settings with another budget (0 turns replay off). */
    public ReplayConfig withPositivesPerSecond(double budget) {
        return new ReplayConfig(budget, batchSize, recentShare, recentMeanAge, recentCapacity, historyCapacity);
    }
}
