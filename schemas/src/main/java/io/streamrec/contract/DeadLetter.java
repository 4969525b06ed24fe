package io.streamrec.contract;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;

/**
 * The dead-letter contract: an invalid record goes to {@code ratings-dlq} with its original key and value bytes
 * untouched, the original headers kept, and these headers added.
 */
public final class DeadLetter {
    public static final String REASON = "streamrec.dlq.reason";
    public static final String SOURCE_TOPIC = "streamrec.dlq.topic";
    public static final String SOURCE_PARTITION = "streamrec.dlq.partition";
    public static final String SOURCE_OFFSET = "streamrec.dlq.offset";
    public static final String SOURCE_TIMESTAMP = "streamrec.dlq.timestamp";

    private DeadLetter() {
    }

    /** The dead-letter record for a rejected source record. */
    public static ProducerRecord<byte[], byte[]> of(ConsumerRecord<byte[], byte[]> source, String reason) {
        Headers headers = new RecordHeaders();
        for (Header h : source.headers()) {
            headers.add(h);
        }
        headers.add(REASON, utf8(reason));
        headers.add(SOURCE_TOPIC, utf8(source.topic()));
        headers.add(SOURCE_PARTITION, utf8(Integer.toString(source.partition())));
        headers.add(SOURCE_OFFSET, utf8(Long.toString(source.offset())));
        headers.add(SOURCE_TIMESTAMP, utf8(Long.toString(source.timestamp())));
        return new ProducerRecord<>(Topics.RATINGS_DLQ.name(), null, source.key(), source.value(), headers);
    }

    /** A header's value as text, or null when absent. */
    public static String header(Headers headers, String name) {
        Header h = headers.lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
