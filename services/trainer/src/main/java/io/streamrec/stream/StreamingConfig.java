package io.streamrec.stream;

import io.streamrec.config.Settings;
import io.streamrec.contract.FactorRow;
import io.streamrec.evaluate.EvaluationConfig;
import io.streamrec.kafka.KafkaReachability;
import io.streamrec.snapshot.ServedRows;
import io.streamrec.train.TrainerConfig;

import static io.streamrec.config.Settings.require;

/**
 * What the streaming trainer service runs with, read from the settings once (each key is documented in
 * config/streamrec.properties).
 *
 * @param trainer             the model and how it learns ({@code trainer.*})
 * @param prequential         the running evaluation, at the service's sample rates and bound
 *                            ({@code trainer.prequential-sample-rate}, {@code trainer.prequential-full-ranking-rate},
 *                            {@code trainer.prequential-max-rankings-per-second})
 * @param groupId             the consumer group on ratings ({@code trainer.group-id})
 * @param transactionalId     the snapshot producer's id: {@code trainer.transactional-id} + "-" + the model
 * @param maxInFlightBatches  batches consumed but not yet trained
 * @param snapshotEveryEvents a serving snapshot falls due after this many trained ratings ...
 * @param snapshotEveryMs     ... or this many milliseconds (once anything changed)
 * @param servingRule         which rows are served ({@code trainer.serving.min-change},
 *                            {@code trainer.serving.max-moved-rows}, {@code trainer.serving.max-rated-rows}), and how
 *                            ({@code trainer.serving.precision})
 * @param servingRefreshMs    every row that differs at all from what was served is served this often
 * @param checkpointEveryEvents a checkpoint falls due after this many trained ratings ...
 * @param checkpointEveryMs     ... or this many milliseconds
 * @param dedupWindow         event ids remembered to skip a repeated rating ({@code trainer.dedup.window})
 * @param replayNice          the training thread's niceness while replay is on ({@code trainer.replay.nice})
 * @param replayYieldingShare the share of the replay budget left while a scorer on the same cores is behind
 *                            ({@code trainer.replay.yielding-share}, {@link StreamingTrainer#yieldReplayTo})
 * @param health              how {@code /health} watches Kafka ({@code health.*})
 */
public record StreamingConfig(TrainerConfig trainer, EvaluationConfig prequential, String groupId,
                              String transactionalId, int maxInFlightBatches,
                              long snapshotEveryEvents, long snapshotEveryMs, ServedRows.Rule servingRule,
                              long servingRefreshMs, long checkpointEveryEvents, long checkpointEveryMs,
                              int dedupWindow, int replayNice, double replayYieldingShare,
                              KafkaReachability.Config health) {

    public static StreamingConfig from(Settings s) {
        TrainerConfig trainer = TrainerConfig.from(s);
        StreamingConfig c = new StreamingConfig(trainer,
                EvaluationConfig.from(s).withSampleRate(s.decimal("trainer.prequential-sample-rate"),
                        s.decimal("trainer.prequential-full-ranking-rate"),
                        s.decimal("trainer.prequential-max-rankings-per-second")),
                s.text("trainer.group-id"), s.text("trainer.transactional-id") + "-" + trainer.model().id(),
                s.integer("trainer.max-in-flight-batches"),
                s.longInteger("trainer.snapshot-every-events"), s.longInteger("trainer.snapshot-every-ms"),
                new ServedRows.Rule(s.decimal("trainer.serving.min-change"), s.integer("trainer.serving.max-moved-rows"),
                        s.integer("trainer.serving.max-rated-rows"),
                        s.choice("trainer.serving.precision", FactorRow.Precision.FLOAT16, FactorRow.Precision.INT8)),
                s.longInteger("trainer.serving.refresh-ms"),
                s.longInteger("trainer.checkpoint-every-events"), s.longInteger("trainer.checkpoint-every-ms"),
                s.integer("trainer.dedup.window"), s.integer("trainer.replay.nice"),
                s.decimal("trainer.replay.yielding-share"), KafkaReachability.Config.from(s));
        require(c.maxInFlightBatches >= 1, "trainer.max-in-flight-batches must be at least 1, got " + c.maxInFlightBatches);
        require(c.snapshotEveryEvents >= 1, "trainer.snapshot-every-events must be at least 1, got " + c.snapshotEveryEvents);
        require(c.snapshotEveryMs >= 1, "trainer.snapshot-every-ms must be at least 1, got " + c.snapshotEveryMs);
        require(c.servingRefreshMs >= 1, "trainer.serving.refresh-ms must be at least 1, got " + c.servingRefreshMs);
        require(c.checkpointEveryEvents >= 1,
                "trainer.checkpoint-every-events must be at least 1, got " + c.checkpointEveryEvents);
        require(c.checkpointEveryMs >= 1, "trainer.checkpoint-every-ms must be at least 1, got " + c.checkpointEveryMs);
        require(c.dedupWindow >= 0 && c.dedupWindow <= RecentEventIds.MAX_WINDOW, "trainer.dedup.window must be 0 to "
                + RecentEventIds.MAX_WINDOW + ", got " + c.dedupWindow);
        require(c.replayNice >= 0 && c.replayNice <= 19, "trainer.replay.nice must be 0 to 19, got " + c.replayNice);
        require(c.replayYieldingShare >= 0 && c.replayYieldingShare <= 1,
                "trainer.replay.yielding-share must be 0 to 1, got " + c.replayYieldingShare);
        return c;
    }
}
