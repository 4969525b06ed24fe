package io.streamrec.stream;

import io.streamrec.config.Settings;
import io.streamrec.contract.RatingCodec;
import io.streamrec.contract.Topics;
import io.streamrec.dataset.RatingLog;
import io.streamrec.dataset.synthetic.SyntheticConfig;
import io.streamrec.dataset.synthetic.SyntheticRatings;
import io.streamrec.kafka.KafkaClients;
import io.streamrec.metrics.Metrics;
import io.streamrec.testkit.KafkaBroker;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Continual training in the service shares the trainer with fresh ratings the way the design says, counted in
 * steps rather than timed: a fresh batch waits behind at most one replay step, no replay step is taken while the
 * trainer is behind by more than a batch, and replay never touches the counts of ratings.
 */
class StreamingTrainerReplayTest {
    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.singleNode();

    private static final int BACKLOG = 40_000;
    private static final int LIVE = 3_000;
    private static final int BATCH = 500;

    @Test
    void replayYieldsToFreshBatchesAndToABacklog() throws Exception {
        RatingLog log = new SyntheticRatings(SyntheticConfig.of(2_000, 600, BACKLOG + LIVE, 5)).log();
        Settings settings = kafka.settings().with("metrics.port", -1).with("trainer.engine", "java")
                .with("trainer.dim", 16).with("trainer.batch-size", BATCH)
                // far more replay than the machine can do, so a replay step is wanted at every chance
                .with("trainer.replay.positives-per-second", 5_000_000).with("trainer.replay.batch-size", 64);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(KafkaClients.producer(settings, "replay-test"))) {
            send(producer, log, 0, BACKLOG, 0);
            producer.flush();
            try (Metrics metrics = Metrics.inMemory()) {
                StreamingTrainer trainer = StreamingTrainer.start(settings, metrics.registry());
                try {
                    send(producer, log, BACKLOG, BACKLOG + LIVE, 2_000);
                    producer.flush();
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    while (trainer.eventsTrained() < BACKLOG + LIVE && System.nanoTime() < deadline) {
                        assertThat(trainer.isRunning()).as("the trainer runs: %s", trainer.failure()).isTrue();
                        Thread.sleep(20);
                    }
                    assertThat(trainer.eventsTrained()).as("every rating trained once, replay counted as none")
                            .isEqualTo(BACKLOG + LIVE);
                    StreamingTrainer.ReplayYield replay = trainer.replayYield();
                    assertThat(trainer.positivesReplayed()).as("replay ran between the live ratings").isPositive();
                    assertThat(replay.mostStepsAheadOfFresh()).as("replay steps a fresh batch waited behind, at most")
                            .isLessThanOrEqualTo(1);
                    assertThat(replay.largestLagAtReplay()).as("ratings behind when a replay step was taken, at most")
                            .isLessThanOrEqualTo(BATCH);
                } finally {
                    trainer.close();
                }
            }
        }
    }

    /** Sends ratings [from, to) of the log, at about perSecond a second (0: as fast as possible). */
    private static void send(KafkaProducer<byte[], byte[]> producer, RatingLog log, int from, int to, int perSecond)
            throws InterruptedException {
        long start = System.nanoTime();
        for (int i = from; i < to; i++) {
            byte[] key = Long.toString(log.userId(i)).getBytes(StandardCharsets.UTF_8);
            producer.send(new ProducerRecord<>(Topics.RATINGS.name(), key, RatingCodec.toJson(log.get(i))));
            if (perSecond > 0) {
                long wait = start + (long) ((i - from) * (1e9 / perSecond)) - System.nanoTime();
                if (wait > 1_000_000) {
                    Thread.sleep(wait / 1_000_000);
                }
            }
        }
    }
}
