package io.streamrec.stream;

import io.micrometer.core.instrument.Gauge;
import io.streamrec.broker.ClusterSpec;
import io.streamrec.broker.InProcessBroker;
import io.streamrec.config.Settings;
import io.streamrec.contract.Rating;
import io.streamrec.contract.RatingCodec;
import io.streamrec.contract.Topics;
import io.streamrec.kafka.KafkaClients;
import io.streamrec.metrics.Metrics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * A trainer stopped after its broker went away gives its final checkpoint up instead of waiting out every blocking
 * call (it took two minutes, and ended on an IllegalStateException from aborting a timed-out commit); the next start
 * resumes from the last committed checkpoint and counts every rating once.
 */
class StreamingTrainerStopTest {
    @TempDir
    Path dataDir;

    @Test
    void aStopWithTheBrokerGoneGivesTheFinalCheckpointUpAndTheNextStartCountsEveryRatingOnce() throws Exception {
        ClusterSpec spec = ClusterSpec.from(Settings.defaults()).withDataDir(dataDir).withPort(0);
        long checkpointed;
        try (InProcessBroker broker = InProcessBroker.start(spec); Metrics metrics = Metrics.inMemory()) {
            Settings settings = settings(broker);
            StreamingTrainer trainer = StreamingTrainer.start(settings, metrics.registry());
            try {
                send(settings, 0, 500);
                TrainerAwait.until(trainer, () -> trainer.eventsTrained() == 500 && trainer.checkpointNumber() == 1);
                send(settings, 500, 650); // trained, but in no checkpoint (the next is due at 1,000): the stop's would hold them
                TrainerAwait.until(trainer, () -> trainer.eventsTrained() == 650);
                checkpointed = trainer.checkpointNumber();
            } catch (Throwable t) {
                trainer.close();
                throw t;
            }
            broker.close();
            assertTimeoutPreemptively(Duration.ofMillis(StreamingTrainer.STOP_WAIT_MS + 40_000), trainer::close,
                    "a stop waits for the final checkpoint only so long, then gives it up");
            assertThat(trainer.failure()).as("a stop is not a failure").isNull();
            assertThat(trainer.checkpointNumber()).as("no checkpoint committed after the broker went").isEqualTo(checkpointed);
        }

        try (InProcessBroker broker = InProcessBroker.start(spec); Metrics metrics = Metrics.inMemory()) {
            Settings settings = settings(broker);
            StreamingTrainer trainer = StreamingTrainer.start(settings, metrics.registry());
            try {
                Gauge lag = metrics.registry().find("streamrec.trainer.consumer.lag").gauge();
                TrainerAwait.until(trainer, () -> trainer.eventsTrained() >= 650 && lag.value() == 0);
                assertThat(trainer.eventsTrained()).as("every rating counted once").isEqualTo(650);
            } finally {
                trainer.close();
            }
            assertThat(trainer.checkpointNumber()).as("checkpoints continue").isGreaterThan(checkpointed);
        }
    }

    private static Settings settings(InProcessBroker broker) {
        return Settings.defaults().with("kafka.bootstrap.servers", broker.bootstrapServers())
                .with("topics.replication-factor", 1).with("metrics.port", -1).with("trainer.engine", "java")
                .with("trainer.dim", 8).with("trainer.batch-size", 100).with("trainer.checkpoint-every-events", 500)
                .with("trainer.checkpoint-every-ms", 3_600_000); // checkpoints by count only, so the test knows which
    }

    private static void send(Settings settings, int from, int to) {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(KafkaClients.producer(settings, "stop-test"))) {
            for (int i = from; i < to; i++) {
                Rating r = new Rating(1 + i % 89, 1 + i % 131, 0.5f * (1 + i % 10), 1_700_000_000_000L + i);
                producer.send(new ProducerRecord<>(Topics.RATINGS.name(), r.key().getBytes(StandardCharsets.UTF_8),
                        RatingCodec.toJson(r)));
            }
            producer.flush();
        }
    }
}
