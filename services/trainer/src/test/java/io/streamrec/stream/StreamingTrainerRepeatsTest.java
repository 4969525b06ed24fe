package io.streamrec.stream;

import io.micrometer.core.instrument.MeterRegistry;
import io.streamrec.config.Settings;
import io.streamrec.contract.Rating;
import io.streamrec.contract.RatingCodec;
import io.streamrec.contract.Topics;
import io.streamrec.kafka.KafkaClients;
import io.streamrec.metrics.Metrics;
import io.streamrec.testkit.KafkaBroker;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Idempotent ingestion: a dataset replayed twice, and a third time after a restart, leaves every count as after the
 * first replay; the repeats are counted. A re-rating with an event id of its own is a new rating, and ratings without
 * an event id are all trained, as before event ids existed.
 */
class StreamingTrainerRepeatsTest {
    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.singleNode();

    private static final int N = 3_000;

    @Test
    void aDatasetReplayedTwiceCountsOnceAcrossARestart() throws Exception {
        Settings settings = kafka.settings().with("metrics.port", -1).with("trainer.engine", "java")
                .with("trainer.dim", 8).with("trainer.checkpoint-every-ms", 500);
        List<Rating> dataset = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            dataset.add(new Rating(1 + i % 97, 1 + (i * 7) % 211, 0.5f * (1 + i % 10), 1_700_000_000_000L + i, "ml|" + i));
        }
        List<Rating> withoutIds = dataset.subList(0, 40).stream()
                .map(r -> new Rating(r.userId(), r.movieId(), r.rating(), r.timestamp())).toList();
        Rating reRating = new Rating(dataset.get(0).userId(), dataset.get(0).movieId(), 5f, 1_700_000_100_000L, "ml|re-rated");

        Map<Long, Integer> perUser;
        Map<Long, Integer> perItem;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(KafkaClients.producer(settings, "repeats-test"))) {
            try (Metrics metrics = Metrics.inMemory()) {
                StreamingTrainer trainer = StreamingTrainer.start(settings, metrics.registry());
                try {
                    send(producer, dataset);
                    send(producer, withoutIds);
                    TrainerAwait.until(trainer, () -> trainer.eventsTrained() == N + 40);
                    send(producer, dataset);
                    send(producer, withoutIds);
                    send(producer, List.of(reRating));
                    TrainerAwait.until(trainer, () -> consumed(metrics.registry()) == 2 * N + 81);
                } finally {
                    trainer.close(); // trains everything consumed
                }
                assertThat(repeated(metrics.registry())).isEqualTo(N);
                assertThat(trainer.eventsTrained()).as("the repeats skipped, the rest trained").isEqualTo(N + 81);
            }
            perUser = ModelTopics.latestCounts(settings, Topics.USER_CHECKPOINTS.name());
            perItem = ModelTopics.latestCounts(settings, Topics.ITEM_CHECKPOINTS.name());
            List<Rating> once = new ArrayList<>(dataset);
            once.addAll(withoutIds);
            once.addAll(withoutIds);
            once.add(reRating);
            assertThat(perUser).isEqualTo(counts(once, Rating::userId));
            assertThat(perItem).isEqualTo(counts(once, Rating::movieId));

            // A restarted trainer reads the window back from the log: the dataset a third time is still a repeat.
            try (Metrics metrics = Metrics.inMemory()) {
                StreamingTrainer trainer = StreamingTrainer.start(settings, metrics.registry());
                try {
                    assertThat(trainer.eventsTrained()).isEqualTo(N + 81);
                    send(producer, dataset);
                    TrainerAwait.until(trainer, () -> consumed(metrics.registry()) == N);
                } finally {
                    trainer.close();
                }
                assertThat(repeated(metrics.registry())).isEqualTo(N);
                assertThat(trainer.eventsTrained()).isEqualTo(N + 81);
            }
        }
        assertThat(ModelTopics.latestCounts(settings, Topics.USER_CHECKPOINTS.name())).isEqualTo(perUser);
        assertThat(ModelTopics.latestCounts(settings, Topics.ITEM_CHECKPOINTS.name())).isEqualTo(perItem);
    }

    private static Map<Long, Integer> counts(List<Rating> ratings, ToLongFunction<Rating> id) {
        Map<Long, Integer> counts = new HashMap<>();
        ratings.forEach(r -> counts.merge(id.applyAsLong(r), 1, Integer::sum));
        return counts;
    }

    private static double consumed(MeterRegistry registry) {
        return registry.find("streamrec.trainer.events.consumed").counter().count();
    }

    static double repeated(MeterRegistry registry) {
        return registry.find("streamrec.trainer.events.repeated").counter().count();
    }

    static void send(KafkaProducer<byte[], byte[]> producer, List<Rating> ratings) {
        for (Rating r : ratings) {
            producer.send(new ProducerRecord<>(Topics.RATINGS.name(), r.key().getBytes(StandardCharsets.UTF_8),
                    RatingCodec.toJson(r)));
        }
        producer.flush();
    }
}
