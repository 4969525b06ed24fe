package io.streamrec.stream;

import io.micrometer.core.instrument.FunctionCounter;
import io.streamrec.config.Settings;
import io.streamrec.contract.DeadLetter;
import io.streamrec.contract.Rating;
import io.streamrec.contract.RatingCodec;
import io.streamrec.contract.Topics;
import io.streamrec.kafka.KafkaClients;
import io.streamrec.metrics.Metrics;
import io.streamrec.testkit.KafkaBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Records the broker accepted on {@code ratings} but too large to copy whole into {@code ratings-dlq} (issue 13's
 * reproductions: a 1,048,400-byte invalid value, and a 3 MB one sent lz4-compressed) are dead-lettered once, cut and
 * marked, and the trainer trains on around them; a restart does not meet them again. A dead-letter topic an operator
 * set too small for even a cut letter shows in the publish-failure meters at once, and gets the letters without
 * their payloads instead of failing on them for ever.
 */
class StreamingTrainerPoisonPillTest {
    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.singleNode();

    private static final int VALID = 300;

    @Test
    void oversizedInvalidRecordsAreDeadLetteredCutAndTheTrainerGoesOn() throws Exception {
        Settings settings = kafka.settings().with("metrics.port", -1).with("trainer.engine", "java")
                .with("trainer.dim", 8).with("trainer.checkpoint-every-ms", 300);
        send(settings, "none", ratings(0, VALID / 2));
        long justUnderTheLimit = send(settings, "none", List.of(record(bytes(1_048_400, 'x')))).get(0).offset();
        long compressed = send(settings, "lz4", List.of(record(bytes(3_000_000, 'y')))).get(0).offset();
        send(settings, "none", ratings(VALID / 2, VALID));

        try (Metrics metrics = Metrics.inMemory()) {
            StreamingTrainer trainer = StreamingTrainer.start(settings, metrics.registry());
            try {
                TrainerAwait.until(trainer, () -> trainer.eventsTrained() == VALID && dlq(settings).size() == 2);
                assertThat(trainer.eventsDeadLettered()).as("what train's console line reports").isEqualTo(2);
            } finally {
                trainer.close();
            }
            assertThat(trainer.failure()).isNull();
        }
        List<ConsumerRecord<byte[], byte[]>> letters = dlq(settings);
        assertThat(letters).hasSize(2);
        assertThat(letters).extracting(r -> DeadLetter.header(r.headers(), DeadLetter.SOURCE_OFFSET))
                .containsExactlyInAnyOrder(Long.toString(justUnderTheLimit), Long.toString(compressed));
        assertThat(letters).extracting(r -> DeadLetter.header(r.headers(), DeadLetter.VALUE_BYTES))
                .containsExactlyInAnyOrder("1048400", "3000000");
        assertThat(letters).allSatisfy(r -> {
            assertThat(r.value().length).isBetween(DeadLetter.MAX_BYTES - 2_048, DeadLetter.MAX_BYTES);
            assertThat(DeadLetter.header(r.headers(), DeadLetter.TRUNCATED)).contains("bytes kept");
            assertThat(DeadLetter.header(r.headers(), DeadLetter.REASON)).isNotBlank().hasSizeLessThan(1_100);
        });

        // A restart resumes past them: nothing is dead-lettered twice, nothing trained twice.
        try (Metrics metrics = Metrics.inMemory()) {
            StreamingTrainer trainer = StreamingTrainer.start(settings, metrics.registry());
            try {
                assertThat(trainer.eventsTrained()).isEqualTo(VALID);
                // Now an operator sets ratings-dlq below even a cut letter's size.
                setDeadLetterLimit(settings, 2_000);
                long refused = send(settings, "none", List.of(record(bytes(20_000, 'z')))).get(0).offset();
                send(settings, "none", ratings(VALID, VALID + 10));
                FunctionCounter failures = metrics.registry().find("streamrec.trainer.publish.failures")
                        .tag("kind", "checkpoint").functionCounter();
                TrainerAwait.until(trainer, () -> trainer.eventsTrained() == VALID + 10 && dlq(settings).size() == 3);
                assertThat(failures.count()).as("the refused attempt counted").isGreaterThanOrEqualTo(1);
                assertThat(metrics.registry().find("streamrec.trainer.publish.failing").tag("kind", "checkpoint")
                        .gauge().value()).as("healthy again once the letter went without its payload").isZero();
                ConsumerRecord<byte[], byte[]> withoutPayload = dlq(settings).get(2);
                assertThat(DeadLetter.header(withoutPayload.headers(), DeadLetter.SOURCE_OFFSET)).isEqualTo(Long.toString(refused));
                assertThat(withoutPayload.value()).isNull();
                assertThat(DeadLetter.header(withoutPayload.headers(), DeadLetter.VALUE_BYTES)).isEqualTo("20000");
                assertThat(DeadLetter.header(withoutPayload.headers(), DeadLetter.TRUNCATED)).startsWith("payload dropped");
            } finally {
                trainer.close();
            }
            assertThat(trainer.failure()).isNull();
        }
    }

    private static List<ConsumerRecord<byte[], byte[]>> dlq(Settings settings) {
        return ModelTopics.readAll(settings, Topics.RATINGS_DLQ.name());
    }

    private static void setDeadLetterLimit(Settings settings, int bytes) throws Exception {
        try (Admin admin = KafkaClients.newAdmin(settings, "poison-test-admin")) {
            ConfigResource dlq = new ConfigResource(ConfigResource.Type.TOPIC, Topics.RATINGS_DLQ.name());
            admin.incrementalAlterConfigs(Map.of(dlq, List.of(new AlterConfigOp(
                    new ConfigEntry("max.message.bytes", Integer.toString(bytes)), AlterConfigOp.OpType.SET)))).all().get();
        }
    }

    /** Sends the records with the given compression, as a producer that raised its own request limit would. */
    private static List<RecordMetadata> send(Settings settings, String compression,
                                             List<ProducerRecord<byte[], byte[]>> records) throws Exception {
        Properties p = KafkaClients.producer(settings, "poison-test-" + compression);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(4 * 1024 * 1024));
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            List<Future<RecordMetadata>> sent = records.stream().map(producer::send).toList();
            producer.flush();
            List<RecordMetadata> out = new ArrayList<>();
            for (var f : sent) {
                out.add(f.get());
            }
            return out;
        }
    }

    private static List<ProducerRecord<byte[], byte[]>> ratings(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> {
            Rating r = new Rating(1 + i % 37, 1 + i % 53, 0.5f * (1 + i % 10), 1_700_000_000_000L + i);
            return new ProducerRecord<>(Topics.RATINGS.name(), r.key().getBytes(StandardCharsets.UTF_8), RatingCodec.toJson(r));
        }).toList();
    }

    private static ProducerRecord<byte[], byte[]> record(byte[] value) {
        return new ProducerRecord<>(Topics.RATINGS.name(), "7".getBytes(StandardCharsets.UTF_8), value);
    }

    private static byte[] bytes(int n, char c) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) c);
        return b;
    }
}
