package io.streamrec.stream;

import io.streamrec.config.Settings;
import io.streamrec.contract.FactorRow;
import io.streamrec.contract.Rating;
import io.streamrec.contract.RatingCodec;
import io.streamrec.contract.Topics;
import io.streamrec.kafka.KafkaClients;
import io.streamrec.metrics.Metrics;
import io.streamrec.testkit.KafkaBroker;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code trainer.serving.precision=int8} (the default, set here all the same) through a real trainer and broker:
 * every served user row is int8, and once the serving snapshots cover every rating, each user's served values are
 * their final checkpoint's float32 values, each within half a step of its block (with replay off, a user's row moves
 * only with the user's own ratings).
 */
class ServingPrecisionTest {
    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.singleNode();

    private static final int N = 2_000;

    @Test
    void int8ServingRowsHoldTheCheckpointedParametersWithinHalfAStep() throws Exception {
        // d = 40: each mf row is a block of 32 values and one of 9 (the last 8 factors and the bias).
        Settings settings = kafka.settings().with("metrics.port", -1).with("trainer.engine", "java")
                .with("trainer.dim", 40).with("trainer.serving.precision", "int8")
                .with("trainer.replay.positives-per-second", 0).with("trainer.snapshot-every-ms", 200);
        try (Metrics metrics = Metrics.inMemory();
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(KafkaClients.producer(settings, "precision-test"))) {
            StreamingTrainer trainer = StreamingTrainer.start(settings, metrics.registry());
            try {
                for (int i = 0; i < N; i++) {
                    Rating r = new Rating(1 + i % 53, 1 + (i * 7) % 151, 4f, 1_700_000_000_000L + i);
                    producer.send(new ProducerRecord<>(Topics.RATINGS.name(), r.key().getBytes(StandardCharsets.UTF_8),
                            RatingCodec.toJson(r)));
                }
                producer.flush();
                // Until the serving snapshots cover every rating: then each user's last change was served. (A
                // manifest's eventsTrained counts the ratings since the previous snapshot; waiting for one snapshot
                // to hold all of them failed whenever training spanned two, as on a cold JVM.)
                TrainerAwait.until(trainer, () -> {
                    var manifests = ModelTopics.manifests(settings, Topics.SNAPSHOTS.name());
                    return !manifests.isEmpty() && manifests.get(manifests.size() - 1).eventsTotal() == N;
                });
            } finally {
                trainer.close(); // commits a final checkpoint
            }
        }
        Map<Long, byte[]> served = latest(Topics.USER_FACTORS.name());
        Map<Long, FactorRow> checkpointed = new HashMap<>();
        latest(Topics.USER_CHECKPOINTS.name()).forEach((user, bytes) -> checkpointed.put(user, FactorRow.decode(bytes)));
        assertThat(served.keySet()).hasSize(53).isEqualTo(checkpointed.keySet());

        for (Map.Entry<Long, byte[]> e : served.entrySet()) {
            assertThat(e.getValue()[3]).as("flags of user %d's served row: int8", e.getKey()).isEqualTo((byte) 4);
            FactorRow row = FactorRow.decode(e.getValue());
            FactorRow exact = checkpointed.get(e.getKey());
            assertThat(row.count()).as("user %d's count", e.getKey()).isEqualTo(exact.count());
            float[] want = exact.params();
            for (int from = 0; from < want.length; from += FactorRow.INT8_BLOCK) {
                int to = Math.min(want.length, from + FactorRow.INT8_BLOCK);
                float largest = 0;
                for (int k = from; k < to; k++) {
                    largest = Math.max(largest, Math.abs(want[k]));
                }
                for (int k = from; k < to; k++) {
                    assertThat(Math.abs(row.params()[k] - want[k])).as("user %d, parameter %d", e.getKey(), k)
                            .isLessThanOrEqualTo(largest / 127 / 2 * 1.0001f);
                }
            }
        }
    }

    /** Each key's latest committed value on a compacted model topic. */
    private static Map<Long, byte[]> latest(String topic) {
        Map<Long, byte[]> rows = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : ModelTopics.readAll(kafka.settings(), topic)) {
            rows.put(Long.parseLong(new String(r.key(), StandardCharsets.UTF_8)), r.value());
        }
        return rows;
    }
}
