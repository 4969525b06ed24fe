package io.streamrec.stream;

import io.streamrec.config.Settings;
import io.streamrec.contract.Rating;
import io.streamrec.kafka.KafkaClients;
import io.streamrec.metrics.Metrics;
import io.streamrec.testkit.KafkaBroker;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;

import static io.streamrec.stream.StreamingTrainerRepeatsTest.repeated;
import static io.streamrec.stream.StreamingTrainerRepeatsTest.send;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A mini-batch is cut at its size in ratings that are trained: repeats among the records consumed do not count
 * towards it. (The repeated-event check runs over many records at once, when a batch looks full and at each cut,
 * not record by record; a batch cut before it would come out short by its repeats.)
 */
class StreamingTrainerBatchCutTest {
    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.singleNode();

    @Test
    void repeatsDoNotCountTowardsABatchesSize() throws Exception {
        Settings settings = kafka.settings().with("metrics.port", -1).with("trainer.engine", "java")
                .with("trainer.dim", 8).with("trainer.batch-size", 100).with("trainer.batch-max-wait-ms", 5_000);
        List<Rating> first = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            first.add(new Rating(1 + i % 89, 1 + (i * 7) % 211, 4f, 1_700_000_000_000L + i, "b|" + i));
        }
        List<Rating> mixed = new ArrayList<>(); // each new rating after nine repeats
        for (int i = 0; i < 300; i++) {
            for (int r = 0; r < 9; r++) {
                mixed.add(first.get((9 * i + r) % first.size()));
            }
            mixed.add(new Rating(1 + i % 89, 1 + (i * 11) % 211, 3f, 1_700_000_100_000L + i, "b|new-" + i));
        }
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(KafkaClients.producer(settings, "batches-test"));
             Metrics metrics = Metrics.inMemory()) {
            StreamingTrainer trainer = StreamingTrainer.start(settings, metrics.registry());
            try {
                send(producer, first);
                send(producer, mixed);
                TrainerAwait.until(trainer, () -> trainer.eventsTrained() == 1_300);
            } finally {
                trainer.close();
            }
            var batches = metrics.registry().find("streamrec.trainer.batch.size").summary();
            assertThat(repeated(metrics.registry())).isEqualTo(2_700);
            assertThat(batches.max()).isEqualTo(100);
            assertThat(batches.count()).as("13 full batches, none cut short by repeats").isEqualTo(13);
        }
    }
}
