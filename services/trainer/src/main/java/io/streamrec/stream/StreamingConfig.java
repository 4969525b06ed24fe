package io.streamrec.stream;

import io.streamrec.config.Settings;
import io.streamrec.evaluate.EvaluationConfig;
import io.streamrec.train.TrainerConfig;

/**
 * What the streaming trainer service runs with, read from the settings once (each key is documented in
 * config/streamrec.properties).
 *
 * @param trainer             the model and how it learns ({@code trainer.*})
 * @param prequential         the running evaluation, at the service's sample rates
 *                            ({@code trainer.prequential-sample-rate}, {@code trainer.prequential-full-ranking-rate})
 * @param groupId             the consumer group on ratings ({@code trainer.group-id})
 * @param transactionalId     the snapshot producer's id: {@code trainer.transactional-id} + "-" + the model
 * @param maxInFlightBatches  batches consumed but not yet trained
 * @param snapshotEveryEvents a snapshot falls due after this many trained ratings ...
 * @param snapshotEveryMs     ... or this many milliseconds
 */
public record StreamingConfig(TrainerConfig trainer, EvaluationConfig prequential, String groupId,
                              String transactionalId, int maxInFlightBatches,
                              long snapshotEveryEvents, long snapshotEveryMs) {

    public static StreamingConfig from(Settings s) {
        TrainerConfig trainer = TrainerConfig.from(s);
        StreamingConfig c = new StreamingConfig(trainer,
                EvaluationConfig.from(s).withSampleRate(s.decimal("trainer.prequential-sample-rate"),
                        s.decimal("trainer.prequential-full-ranking-rate")),
                s.text("trainer.group-id"), s.text("trainer.transactional-id") + "-" + trainer.model().id(),
                s.integer("trainer.max-in-flight-batches"),
                s.longInteger("trainer.snapshot-every-events"), s.longInteger("trainer.snapshot-every-ms"));
        if (c.maxInFlightBatches < 1 || c.snapshotEveryEvents < 1 || c.snapshotEveryMs < 1) {
            throw new IllegalArgumentException("trainer service settings out of range: max-in-flight-batches=" + c.maxInFlightBatches + " snapshot-every-events="
                    + c.snapshotEveryEvents + " snapshot-every-ms=" + c.snapshotEveryMs);
        }
        return c;
    }
}
