package io.streamrec.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamrec.config.Settings;
import io.streamrec.contract.RatingCodec;
import io.streamrec.contract.Topics;
import io.streamrec.dataset.RatingLog;
import io.streamrec.dataset.synthetic.SyntheticConfig;
import io.streamrec.dataset.synthetic.SyntheticRatings;
import io.streamrec.kafka.KafkaClients;
import io.streamrec.metrics.Metrics;
import io.streamrec.testkit.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Replay yields to a service on the same cores ({@link StreamingTrainer#yieldReplayTo}): with
 * {@code trainer.replay.yielding-share} 0 it waits while the service is behind, counted in replayed positives,
 * and fresh ratings never wait.
 */
class StreamingTrainerYieldTest {
    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.singleNode();

    private static final int RATINGS = 3_000;

    @Test
    void replayWaitsWhileAServiceOnTheSameCoresIsBehind() throws Exception {
        RatingLog log = new SyntheticRatings(SyntheticConfig.of(500, 200, RATINGS, 6)).log();
        Settings settings = kafka.settings().with("metrics.port", -1).with("trainer.engine", "java")
                .with("trainer.dim", 8)
                .with("trainer.replay.positives-per-second", 5_000_000).with("trainer.replay.yielding-share", 0);
        AtomicBoolean behind = new AtomicBoolean(true);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(KafkaClients.producer(settings, "yield-test"));
             Metrics metrics = Metrics.inMemory()) {
            StreamingTrainer trainer = StreamingTrainer.start(settings, metrics.registry());
            try {
                trainer.yieldReplayTo(behind::get); // before any rating: nothing to replay yet
                for (int i = 0; i < RATINGS; i++) {
                    byte[] key = Long.toString(log.userId(i)).getBytes(StandardCharsets.UTF_8);
                    producer.send(new ProducerRecord<>(Topics.RATINGS.name(), key, RatingCodec.toJson(log.get(i))));
                }
                producer.flush();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (trainer.eventsTrained() < RATINGS && System.nanoTime() < deadline) {
                    assertThat(trainer.isRunning()).as("the trainer runs: %s", trainer.failure()).isTrue();
                    Thread.sleep(20);
                }
                assertThat(trainer.eventsTrained()).as("fresh ratings never wait for the service").isEqualTo(RATINGS);
                Thread.sleep(300);
                assertThat(trainer.positivesReplayed()).as("no replay while the service is behind").isZero();
                behind.set(false);
                deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (trainer.positivesReplayed() == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertThat(trainer.positivesReplayed()).as("replay resumes once it has caught up").isPositive();
            } finally {
                trainer.close();
            }
        }
    }
}
