package io.streamrec.contract;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The dead-letter contract: an invalid record goes to {@code ratings-dlq} with its original key and value bytes, the
 * original headers kept, and these headers added: the reason and the full source coordinates.
 *
 * <p>Every record the broker accepted on {@code ratings} can be dead-lettered. The broker checks a record's size
 * after compression, and a producer may compress (a 3 MB value sent with lz4 is accepted at a few kilobytes), but the
 * trainer's dead letter is written uncompressed in its checkpoint transaction: copied whole, such a record fails that
 * transaction with {@code RecordTooLargeException} on every attempt and after every restart. So a dead letter is
 * bounded by {@link #MAX_BYTES}, which fits the dead-letter topic's {@code max.message.bytes} (the same as
 * {@code ratings}'): source headers past {@link #MAX_SOURCE_HEADER_BYTES} are dropped, a key past
 * {@link #MAX_KEY_BYTES} is cut, and the value keeps what room is left; what was cut is said in {@link #TRUNCATED}
 * and the {@code *-bytes} headers. The whole original stays in {@code ratings} (kept forever) at the coordinates in
 * the headers.
 */
public final class DeadLetter {
    public static final String REASON = "streamrec.dlq.reason";
    public static final String SOURCE_TOPIC = "streamrec.dlq.topic";
    public static final String SOURCE_PARTITION = "streamrec.dlq.partition";
    public static final String SOURCE_OFFSET = "streamrec.dlq.offset";
    public static final String SOURCE_TIMESTAMP = "streamrec.dlq.timestamp";
    /** Present when anything was cut: says what, e.g. "value: first 1031680 of 3000111 bytes kept". */
    public static final String TRUNCATED = "streamrec.dlq.truncated";
    /** The original key's length in bytes, present when the key was cut. */
    public static final String KEY_BYTES = "streamrec.dlq.key-bytes";
    /** The original value's length in bytes, present when the value was cut. */
    public static final String VALUE_BYTES = "streamrec.dlq.value-bytes";

    /**
     * The most a dead letter weighs (key, value and headers): {@code ratings-dlq}'s limit less a margin for the record
     * batch's own overhead. Anything the broker accepted whole uncompressed fits whole.
     */
    public static final int MAX_BYTES = Topics.RATINGS_MAX_MESSAGE_BYTES - 16 * 1024;
    /** A longer key is cut to this many bytes; a valid key is a user id of at most 19 digits. */
    public static final int MAX_KEY_BYTES = 16 * 1024;
    /** The source record's headers are kept only if together they are at most this large. */
    public static final int MAX_SOURCE_HEADER_BYTES = 64 * 1024;
    /** A longer reason is cut to this many characters (a parser's message may quote the input). */
    static final int MAX_REASON_CHARS = 1_000;
    /** Room kept for the headers that say what was cut. */
    private static final int CUT_HEADER_BYTES = 512;

    private DeadLetter() {
    }

    /** The dead-letter record for a rejected source record, cut to the bounds above when it is larger. */
    public static ProducerRecord<byte[], byte[]> of(ConsumerRecord<byte[], byte[]> source, String reason) {
        Headers headers = new RecordHeaders();
        StringBuilder truncated = new StringBuilder();
        int sourceHeaderBytes = 0;
        int sourceHeaders = 0;
        for (Header h : source.headers()) {
            sourceHeaderBytes += headerBytes(h);
            sourceHeaders++;
        }
        if (sourceHeaderBytes <= MAX_SOURCE_HEADER_BYTES) {
            source.headers().forEach(headers::add);
        } else {
            truncated.append(sourceHeaders).append(" source headers of ").append(sourceHeaderBytes)
                    .append(" bytes dropped");
        }
        headers.add(REASON, utf8(reason.length() <= MAX_REASON_CHARS ? reason : reason.substring(0, MAX_REASON_CHARS) + "…"));
        headers.add(SOURCE_TOPIC, utf8(source.topic()));
        headers.add(SOURCE_PARTITION, utf8(Integer.toString(source.partition())));
        headers.add(SOURCE_OFFSET, utf8(Long.toString(source.offset())));
        headers.add(SOURCE_TIMESTAMP, utf8(Long.toString(source.timestamp())));
        byte[] key = cut(source.key(), MAX_KEY_BYTES, "key", KEY_BYTES, headers, truncated);
        int room = MAX_BYTES - CUT_HEADER_BYTES - headerBytes(headers) - (key == null ? 0 : key.length);
        byte[] value = cut(source.value(), room, "value", VALUE_BYTES, headers, truncated);
        if (!truncated.isEmpty()) {
            headers.add(TRUNCATED, utf8(truncated.toString()));
        }
        return new ProducerRecord<>(Topics.RATINGS_DLQ.name(), null, key, value, headers);
    }

    /**
     * The same dead letter with no key, no value and no source headers: its reason, source coordinates and sizes
     * only. For a dead-letter topic that refuses even the bounded record (an operator set its limit lower).
     */
    public static ProducerRecord<byte[], byte[]> withoutPayload(ProducerRecord<byte[], byte[]> letter) {
        Headers headers = new RecordHeaders();
        for (Header h : letter.headers()) {
            if (h.key().startsWith("streamrec.dlq.") && !h.key().equals(TRUNCATED)) {
                headers.add(h);
            }
        }
        if (headers.lastHeader(KEY_BYTES) == null && letter.key() != null) {
            headers.add(KEY_BYTES, utf8(Integer.toString(letter.key().length)));
        }
        if (headers.lastHeader(VALUE_BYTES) == null && letter.value() != null) {
            headers.add(VALUE_BYTES, utf8(Integer.toString(letter.value().length)));
        }
        headers.add(TRUNCATED, utf8("payload dropped: " + letter.topic() + " refused the record as too large"));
        return new ProducerRecord<>(letter.topic(), null, (byte[]) null, (byte[]) null, headers);
    }

    private static byte[] cut(byte[] bytes, int max, String what, String lengthHeader, Headers headers,
                              StringBuilder truncated) {
        if (bytes == null || bytes.length <= max) {
            return bytes;
        }
        headers.add(lengthHeader, utf8(Integer.toString(bytes.length)));
        if (!truncated.isEmpty()) {
            truncated.append("; ");
        }
        truncated.append(what).append(": first ").append(max).append(" of ").append(bytes.length).append(" bytes kept");
        return Arrays.copyOf(bytes, max);
    }

    private static int headerBytes(Headers headers) {
        int bytes = 0;
        for (Header h : headers) {
            bytes += headerBytes(h);
        }
        return bytes;
    }

    private static int headerBytes(Header h) {
        return h.key().getBytes(StandardCharsets.UTF_8).length + (h.value() == null ? 0 : h.value().length);
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
