package io.streamrec.contract;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** A dead letter keeps what it can and always fits the dead-letter topic, however large the record it copies. */
class DeadLetterTest {

    @Test
    void aSmallRecordIsCopiedWholeWithItsHeadersAndCoordinates() {
        RecordHeaders headers = new RecordHeaders();
        headers.add("trace", bytes(16, 't'));
        ConsumerRecord<byte[], byte[]> source = record(7, 42, "12".getBytes(StandardCharsets.UTF_8), bytes(90, 'v'), headers);

        ProducerRecord<byte[], byte[]> letter = DeadLetter.of(source, "rating: not a number");

        assertThat(letter.topic()).isEqualTo(Topics.RATINGS_DLQ.name());
        assertThat(letter.key()).isEqualTo(source.key());
        assertThat(letter.value()).isEqualTo(source.value());
        assertThat(letter.headers().lastHeader("trace").value()).isEqualTo(bytes(16, 't'));
        assertThat(DeadLetter.header(letter.headers(), DeadLetter.REASON)).isEqualTo("rating: not a number");
        assertThat(DeadLetter.header(letter.headers(), DeadLetter.SOURCE_PARTITION)).isEqualTo("7");
        assertThat(DeadLetter.header(letter.headers(), DeadLetter.SOURCE_OFFSET)).isEqualTo("42");
        assertThat(DeadLetter.header(letter.headers(), DeadLetter.TRUNCATED)).isNull();
        assertThat(DeadLetter.header(letter.headers(), DeadLetter.VALUE_BYTES)).isNull();
    }

    @Test
    void aValueTooLargeToFitIsCutAndSaysSo() {
        // What kcat -z lz4 delivers: accepted compressed, 3 MB once decompressed.
        byte[] value = bytes(3_000_111, 'x');
        ProducerRecord<byte[], byte[]> letter = DeadLetter.of(record(2, 9, "5".getBytes(StandardCharsets.UTF_8), value,
                new RecordHeaders()), "not JSON");

        int kept = letter.value().length;
        assertThat(kept).as("all the room there is").isGreaterThan(DeadLetter.MAX_BYTES - 2_048);
        assertThat(Arrays.equals(letter.value(), 0, kept, value, 0, kept)).as("the first bytes").isTrue();
        assertThat(DeadLetter.header(letter.headers(), DeadLetter.VALUE_BYTES)).isEqualTo("3000111");
        assertThat(DeadLetter.header(letter.headers(), DeadLetter.TRUNCATED))
                .isEqualTo("value: first " + kept + " of 3000111 bytes kept");
        assertThat(DeadLetter.header(letter.headers(), DeadLetter.SOURCE_OFFSET)).isEqualTo("9");
        assertThat(size(letter)).isLessThanOrEqualTo(DeadLetter.MAX_BYTES);
    }

    @Test
    void aRecordThatFitsIsKeptWholeHoweverLarge() {
        byte[] value = bytes(900_000, 'p');
        ProducerRecord<byte[], byte[]> letter = DeadLetter.of(record(1, 5, "1".getBytes(StandardCharsets.UTF_8), value,
                new RecordHeaders()), "rating: 9 is off the scale");
        assertThat(letter.value()).isEqualTo(value);
        assertThat(DeadLetter.header(letter.headers(), DeadLetter.TRUNCATED)).isNull();
    }

    @Test
    void everythingLargeAtOnceStillFitsTheTopic() {
        RecordHeaders headers = new RecordHeaders();
        for (int i = 0; i < 40; i++) {
            headers.add("h" + i, bytes(10_000, 'h'));
        }
        ProducerRecord<byte[], byte[]> letter = DeadLetter.of(record(0, 1, bytes(100_000, 'k'), bytes(1_048_400, 'v'), headers),
                "x".repeat(50_000));

        assertThat(letter.key()).hasSize(DeadLetter.MAX_KEY_BYTES);
        assertThat(letter.value().length).isLessThan(1_048_400);
        assertThat(letter.headers().lastHeader("h0")).isNull();
        assertThat(DeadLetter.header(letter.headers(), DeadLetter.TRUNCATED))
                .startsWith("40 source headers of ").contains("key: first").contains("value: first");
        assertThat(DeadLetter.header(letter.headers(), DeadLetter.REASON)).hasSize(1_001);
        assertThat(size(letter)).isLessThanOrEqualTo(DeadLetter.MAX_BYTES);
        // a batch holds one letter this large at most (the publisher's batch.size is half of it), plus its overhead
        assertThat(DeadLetter.MAX_BYTES + 1024).isLessThan(Topics.RATINGS_MAX_MESSAGE_BYTES);
        assertThat(Topics.RATINGS_DLQ.creationConfigs()).containsEntry("max.message.bytes",
                Topics.RATINGS.creationConfigs().get("max.message.bytes"));
    }

    @Test
    void withoutPayloadKeepsTheReasonCoordinatesAndSizes() {
        RecordHeaders headers = new RecordHeaders();
        headers.add("trace", bytes(16, 't'));
        ProducerRecord<byte[], byte[]> letter = DeadLetter.withoutPayload(DeadLetter.of(
                record(3, 77, "9".getBytes(StandardCharsets.UTF_8), bytes(5_000, 'v'), headers), "not JSON"));

        assertThat(letter.key()).isNull();
        assertThat(letter.value()).isNull();
        assertThat(letter.headers().lastHeader("trace")).isNull();
        assertThat(DeadLetter.header(letter.headers(), DeadLetter.REASON)).isEqualTo("not JSON");
        assertThat(DeadLetter.header(letter.headers(), DeadLetter.SOURCE_PARTITION)).isEqualTo("3");
        assertThat(DeadLetter.header(letter.headers(), DeadLetter.SOURCE_OFFSET)).isEqualTo("77");
        assertThat(DeadLetter.header(letter.headers(), DeadLetter.VALUE_BYTES)).isEqualTo("5000");
        assertThat(DeadLetter.header(letter.headers(), DeadLetter.TRUNCATED)).startsWith("payload dropped");
    }

    private static ConsumerRecord<byte[], byte[]> record(int partition, long offset, byte[] key, byte[] value,
                                                         RecordHeaders headers) {
        return new ConsumerRecord<>(Topics.RATINGS.name(), partition, offset, 1_700_000_000_000L,
                TimestampType.CREATE_TIME, key.length, value.length, key, value, headers, Optional.empty());
    }

    private static int size(ProducerRecord<byte[], byte[]> r) {
        int size = (r.key() == null ? 0 : r.key().length) + (r.value() == null ? 0 : r.value().length);
        for (Header h : r.headers()) {
            size += h.key().length() + h.value().length;
        }
        return size;
    }

    private static byte[] bytes(int n, char c) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) c);
        return b;
    }
}
