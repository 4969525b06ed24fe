package io.streamrec.stream;

import io.micrometer.core.instrument.Gauge;
import io.streamrec.config.Settings;
import io.streamrec.contract.Rating;
import io.streamrec.contract.RatingCodec;
import io.streamrec.contract.Topics;
import io.streamrec.kafka.KafkaClients;
import io.streamrec.metrics.Metrics;
import io.streamrec.testkit.KafkaBroker;
import io.streamrec.train.Step;
import io.streamrec.train.TrainingListener;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The consumer-lag gauge tells the truth while the trainer stalls: ratings arriving during a stall show up as lag,
 * where the consumer's own figure (updated only when it polls, and it stops polling once its hand-over queue is full)
 * read 0 through an 8 s stall.
 */
class StreamingTrainerLagTest {
    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.singleNode();

    private static final int DURING_STALL = 5_000;

    /** Holds the training thread inside a fresh step once asked to, until released. */
    private static final class Stall implements TrainingListener {
        final CountDownLatch stalled = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        volatile boolean armed;

        @Override
        public void afterStep(Step step) {
            if (armed && !step.replay()) {
                stalled.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    @Test
    void ratingsArrivingDuringAStallShowAsLag() throws Exception {
        Settings settings = kafka.settings().with("metrics.port", -1).with("trainer.engine", "java")
                .with("trainer.dim", 8).with("trainer.batch-size", 100).with("trainer.max-in-flight-batches", 2);
        Stall stall = new Stall();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(KafkaClients.producer(settings, "lag-test"));
             Metrics metrics = Metrics.inMemory()) {
            StreamingTrainer trainer = StreamingTrainer.start(settings, metrics.registry(), List.of(stall));
            try {
                Gauge lag = metrics.registry().find("streamrec.trainer.consumer.lag").gauge();
                send(producer, 0, 500);
                TrainerAwait.until(trainer, () -> trainer.eventsTrained() == 500 && lag.value() == 0);

                stall.armed = true;
                send(producer, 500, 501);
                assertThat(stall.stalled.await(30, TimeUnit.SECONDS)).as("the trainer stalled").isTrue();
                send(producer, 501, 501 + DURING_STALL);
                TrainerAwait.until(trainer, () -> lag.value() >= DURING_STALL);

                stall.armed = false;
                stall.release.countDown();
                TrainerAwait.until(trainer, () -> trainer.eventsTrained() == 501 + DURING_STALL && lag.value() == 0);
            } finally {
                stall.release.countDown();
                trainer.close();
            }
        }
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, int from, int to) {
        for (int i = from; i < to; i++) {
            Rating r = new Rating(1 + i % 89, 1 + i % 131, 0.5f * (1 + i % 10), 1_700_000_000_000L + i);
            producer.send(new ProducerRecord<>(Topics.RATINGS.name(), r.key().getBytes(StandardCharsets.UTF_8),
                    RatingCodec.toJson(r)));
        }
        producer.flush();
    }
}
