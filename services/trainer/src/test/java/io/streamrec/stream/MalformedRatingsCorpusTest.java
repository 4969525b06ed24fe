package io.streamrec.stream;

import io.streamrec.config.Settings;
import io.streamrec.contract.DeadLetter;
import io.streamrec.contract.Topics;
import io.streamrec.kafka.KafkaClients;
import io.streamrec.metrics.Metrics;
import io.streamrec.testkit.KafkaBroker;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fault-injection corpus: well over a hundred kinds of malformed or mutated rating records, produced to the real
 * broker beside valid edge cases, through the real {@link StreamingTrainer}. Every malformed record must land in
 * {@code ratings-dlq} exactly once (read read_committed), with its original bytes, its source partition and offset,
 * and a reason a user can act on; every valid edge case must be trained and never dead-lettered. Records too large to
 * copy whole into a dead letter are {@link StreamingTrainerPoisonPillTest}'s.
 */
class MalformedRatingsCorpusTest {
    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.singleNode();

    /** Names each produced record, kept by the dead letter with the other original headers. */
    private static final String CASE = "corpus-case";
    private static final long NOW = System.currentTimeMillis();
    private static final long T = 964982703000L;
    /** Under the broker's 1 MB record limit with room for the dead-letter headers. */
    private static final int LARGE = 900 * 1024;

    /** A record to produce: its key and value bytes, an explicit partition or null, and what must come of it. */
    private record Case(String name, byte[] key, byte[] value, Integer partition, String reason) {
        boolean valid() {
            return reason == null;
        }
    }

    private final List<Case> corpus = new ArrayList<>();
    private int nextUser = 1_000;

    @Test
    void everyMalformedKindIsDeadLetteredOnceWithItsReasonAndEveryValidEdgeCaseIsTrained() throws Exception {
        buildCorpus();
        List<Case> invalid = corpus.stream().filter(c -> !c.valid()).toList();
        List<Case> valid = corpus.stream().filter(Case::valid).toList();
        assertThat(invalid).as("malformed kinds").hasSizeGreaterThanOrEqualTo(104);
        assertThat(corpus.stream().map(Case::name).distinct().count()).as("case names are unique").isEqualTo(corpus.size());
        System.out.printf("corpus: %d malformed kinds, %d valid edge cases%n", invalid.size(), valid.size());

        Settings settings = trainerSettings();
        Map<String, RecordMetadata> produced;
        try (Metrics metrics = Metrics.inMemory()) {
            StreamingTrainer trainer = StreamingTrainer.start(settings, metrics.registry());
            try {
                produced = produce(settings, corpus);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(45);
                while (trainer.eventsTrained() < valid.size() && trainer.isRunning() && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertThat(trainer.isRunning()).as("the trainer runs: %s", trainer.failure()).isTrue();
                assertThat(trainer.eventsTrained()).as("valid edge cases trained").isEqualTo(valid.size());
            } finally {
                trainer.close();   // publishes a last snapshot: every dead letter is committed after this
            }
            assertThat(trainer.failure()).isNull();
            assertThat(metrics.registry().find("streamrec.trainer.events.invalid").counter().count())
                    .isEqualTo(invalid.size());
        }

        Map<String, List<ConsumerRecord<byte[], byte[]>>> dead = readDeadLetters(settings);
        for (Case c : corpus) {
            List<ConsumerRecord<byte[], byte[]>> letters = dead.getOrDefault(c.name(), List.of());
            if (c.valid()) {
                assertThat(letters).as("valid case %s is not dead-lettered", c.name()).isEmpty();
                continue;
            }
            assertThat(letters).as("dead letters of %s", c.name()).hasSize(1);
            ConsumerRecord<byte[], byte[]> letter = letters.get(0);
            String reason = DeadLetter.header(letter.headers(), DeadLetter.REASON);
            assertThat(reason).as("reason for %s", c.name()).matches(c.reason());
            assertThat(letter.key()).as("original key of %s", c.name()).isEqualTo(c.key());
            assertThat(letter.value()).as("original value of %s", c.name()).isEqualTo(c.value());
            RecordMetadata source = produced.get(c.name());
            assertThat(DeadLetter.header(letter.headers(), DeadLetter.SOURCE_TOPIC)).isEqualTo(Topics.RATINGS.name());
            assertThat(DeadLetter.header(letter.headers(), DeadLetter.SOURCE_PARTITION)).isEqualTo(Integer.toString(source.partition()));
            assertThat(DeadLetter.header(letter.headers(), DeadLetter.SOURCE_OFFSET)).isEqualTo(Long.toString(source.offset()));
        }
        assertThat(dead.keySet()).as("no dead letter from outside the corpus")
                .allMatch(name -> corpus.stream().anyMatch(c -> c.name().equals(name)));
    }

    private static Settings trainerSettings() {
        return kafka.settings().with("metrics.port", -1).with("trainer.engine", "java").with("trainer.dim", 8)
                .with("trainer.snapshot-every-ms", 200).with("trainer.replay.positives-per-second", 0)
                .with("trainer.prequential-sample-rate", 0);
    }

    private void buildCorpus() throws IOException {
        String base = json(1, 1, "4", T);
        byte[] baseBytes = utf8(base);

        // ---- not a record at all
        invalid("tombstone", key(1), null, "tombstone: the record has no value \\(null\\).*");
        invalid("empty value", key(1), new byte[0], "empty value \\(0 bytes\\).*");
        invalid("plain text", key(1), utf8("not json"), "malformed JSON: .*");
        invalid("whitespace only", key(1), utf8("   \n\t "), "(malformed JSON|value is not a JSON object).*");
        invalid("json array", key(1), utf8("[1,2]"), "value is not a JSON object");
        invalid("array of the rating", key(1), utf8("[" + base + "]"), "value is not a JSON object");
        invalid("json string", key(1), utf8("\"text\""), "value is not a JSON object");
        invalid("json null", key(1), utf8("null"), "value is not a JSON object");
        invalid("json number", key(1), utf8("42"), "value is not a JSON object");
        invalid("json boolean", key(1), utf8("true"), "value is not a JSON object");
        invalid("gzip of a valid rating", key(1), gzip(baseBytes), "not valid UTF-8: byte 0x8B at offset 1.*");
        byte[] noise = new byte[64];
        new Random(3).nextBytes(noise);
        noise[0] = 'x';
        invalid("random bytes", key(1), noise, "(not (valid )?UTF-8|malformed JSON).*");

        // ---- truncated and broken syntax
        // Cut inside the last number, the parser sees a short number first: its range is then what is wrong.
        for (int cut : new int[]{1, 2, 9, 10, 11, 25, 33, 40, 52, base.length() - 1}) {
            invalid("truncated at " + cut, key(1), utf8(base.substring(0, cut)),
                    "(malformed JSON|missing field|timestamp \\d+ is out of range).*");
        }
        invalid("content after the object", key(1), utf8(base + " x"), "malformed JSON.*");
        invalid("two objects", key(1), utf8(base + base), "malformed JSON: content after the object");
        invalid("trailing comma", key(1), utf8(base.replace("}", ",}")), "malformed JSON.*");
        invalid("single quotes", key(1), utf8(base.replace('"', '\'')), "malformed JSON.*");
        invalid("unquoted names", key(1), utf8(base.replace("\"", "")), "malformed JSON.*");
        invalid("comment", key(1), utf8(base.replace("{", "{/* c */")), "malformed JSON.*");
        invalid("unterminated string", key(1), utf8("{\"userId\":1,\"eventId\":\"abc}"), "malformed JSON.*");
        invalid("raw control character in a string", key(1), utf8(json(1, 1, "4", T, "\"a\u0001b\"")), "malformed JSON.*");
        invalid("raw NUL byte between fields", key(1), utf8(base.replace(",\"movieId\"", ",\u0000\"movieId\"")),
                "malformed JSON.*");
        invalid("missing colon", key(1), utf8(base.replace("\"rating\":", "\"rating\" ")), "malformed JSON.*");
        invalid("missing comma", key(1), utf8(base.replace(",\"rating\"", " \"rating\"")), "malformed JSON.*");
        invalid("nesting deeper than the parser allows", key(1),
                utf8(base.replace("}", ",\"deep\":" + "[".repeat(1100) + "]".repeat(1100) + "}")), "malformed JSON.*");

        // ---- encodings (RFC 8259: UTF-8, no byte order mark)
        for (String charset : new String[]{"UTF-16BE", "UTF-16LE", "UTF-16", "UTF-32BE", "UTF-32LE"}) {
            invalid("encoded " + charset, key(1), base.getBytes(Charset.forName(charset)),
                    "not UTF-8 \\(the bytes look like UTF-16 or UTF-32\\).*");
        }
        invalid("UTF-8 byte order mark", key(1), utf8("\uFEFF" + base), "starts with a byte order mark.*");
        invalid("Latin-1 text", key(1), json(1, 1, "4", T, "\"caf\u00e9\"").getBytes(StandardCharsets.ISO_8859_1),
                "not valid UTF-8: byte 0xE9 .*");
        invalid("lone continuation byte", key(1), withBytes(base, ",\"x\":\"", new byte[]{(byte) 0x80}),
                "not valid UTF-8: byte 0x80 .*");
        invalid("overlong encoding", key(1), withBytes(base, ",\"x\":\"", new byte[]{(byte) 0xC0, (byte) 0xAF}),
                "not valid UTF-8: byte 0xC0 .*");
        invalid("UTF-16 surrogate written as UTF-8", key(1),
                withBytes(base, ",\"x\":\"", new byte[]{(byte) 0xED, (byte) 0xA0, (byte) 0x80}), "not valid UTF-8: byte 0xED .*");
        invalid("truncated multi-byte character", key(1), withBytes(base, ",\"x\":\"", new byte[]{(byte) 0xE2, (byte) 0x82}),
                "not valid UTF-8: byte 0xE2 .*");

        // ---- missing fields
        invalid("empty object", key(1), utf8("{}"), "missing field userId, movieId, rating, timestamp");
        for (String field : new String[]{"userId", "movieId", "rating", "timestamp"}) {
            invalid("missing " + field, key(1), utf8(without(base, field)), "missing field " + field);
        }
        invalid("only the eventId", key(1), utf8("{\"eventId\":\"e\"}"), "missing field userId, movieId, rating, timestamp");

        // ---- wrong types
        String[][] notIntegers = {{"string", "\"7\""}, {"null", "null"}, {"boolean", "true"}, {"array", "[7]"},
                {"object", "{\"value\":7}"}, {"fraction", "7.5"}};
        for (String field : new String[]{"userId", "movieId", "timestamp"}) {
            for (String[] kind : notIntegers) {
                long user = field.equals("userId") ? 7 : 1;
                invalid(field + " as " + kind[0], key(user), utf8(base.replace("\"" + field + "\":" + value(base, field),
                        "\"" + field + "\":" + kind[1])), field + " must be an integer, got .*");
            }
        }
        for (String[] kind : new String[][]{{"string", "\"4\""}, {"null", "null"}, {"boolean", "false"},
                {"array", "[4]"}, {"object", "{\"stars\":4}"}}) {
            invalid("rating as " + kind[0], key(1), utf8(base.replace("\"rating\":4", "\"rating\":" + kind[1])),
                    "rating must be a number, got .*");
        }
        for (String[] kind : new String[][]{{"number", "7"}, {"null", "null"}, {"boolean", "true"}, {"array", "[\"e\"]"},
                {"object", "{}"}}) {
            invalid("eventId as " + kind[0], key(1), utf8(json(1, 1, "4", T, kind[1])), "eventId must be a string, got .*");
        }
        invalid("eventId of 129 characters", key(1), utf8(json(1, 1, "4", T, "\"" + "e".repeat(129) + "\"")),
                "eventId is longer than 128 characters");

        // ---- out of range
        for (String id : new String[]{"0", "-1", "-9223372036854775808", "9007199254740992", "9223372036854775807"}) {
            invalid("userId " + id, utf8(id), utf8(base.replace("\"userId\":1", "\"userId\":" + id)),
                    "userId " + id + " is out of range.*");
        }
        invalid("userId beyond int64", utf8("18446744073709551616"),
                utf8(base.replace("\"userId\":1", "\"userId\":18446744073709551616")), "userId 18446744073709551616 is out of range");
        invalid("userId of 300 digits", key(1), utf8(base.replace("\"userId\":1", "\"userId\":" + "9".repeat(300))),
                "userId 9{300} is out of range");
        for (String id : new String[]{"0", "-5", "9007199254740992", "18446744073709551616"}) {
            invalid("movieId " + id, key(1), utf8(base.replace("\"movieId\":1", "\"movieId\":" + id)),
                    "movieId " + id + " is out of range.*");
        }
        for (String stars : new String[]{"0", "5.5", "-1", "10", "4.25", "3.7", "4.5000000001", "4.50000000000000000001",
                "1e3", "0.49999999999999999999", "-0.0", "1e-400"}) {
            invalid("rating " + stars, key(1), utf8(base.replace("\"rating\":4", "\"rating\":" + stars)),
                    "rating " + stars.replace(".", "\\.") + " is off the scale: 0\\.5 to 5\\.0 in steps of 0\\.5");
        }
        invalid("timestamp in seconds", key(1), utf8(json(1, 1, "4", T / 1000)),
                "timestamp 964982703 is out of range .*\\(epoch seconds\\? the contract wants milliseconds\\)");
        invalid("timestamp in microseconds", key(1), utf8(json(1, 1, "4", T * 1000)), "timestamp 964982703000000 is out of range.*");
        invalid("timestamp zero", key(1), utf8(json(1, 1, "4", 0)), "timestamp 0 is out of range.*");
        invalid("timestamp negative", key(1), utf8(json(1, 1, "4", -1)), "timestamp -1 is out of range.*");
        invalid("timestamp before 1995", key(1), utf8(json(1, 1, "4", 788918399999L)), "timestamp 788918399999 is out of range.*");
        invalid("timestamp after 2100", key(1), utf8(json(1, 1, "4", 4102444800001L)), "timestamp 4102444800001 is out of range.*");
        invalid("timestamp two days ahead of its produce time", key(1), utf8(json(1, 1, "4", NOW + 2 * 86_400_000L)),
                "timestamp \\d+ is more than a day after the record was produced \\(\\d+\\)");

        // ---- the key (it must be the userId as a decimal string)
        invalid("no key", null, baseBytes, "missing key: ratings are keyed by userId as a decimal string");
        invalid("empty key", new byte[0], baseBytes, "key '' does not match userId 1");
        for (String k : new String[]{"2", "01", " 1", "1 ", "1.0", "-1", "+1", "one", "0x1", "\u0661"}) {
            invalid("key '" + k + "'", utf8(k), baseBytes, "key '.*' does not match userId 1");
        }
        invalid("key in UTF-16", "1".getBytes(StandardCharsets.UTF_16BE), baseBytes, "key '.*' does not match userId 1");
        invalid("key of 25 digits", utf8("1".repeat(25)), baseBytes, "key '1{25}' does not match userId 1");

        // ---- a name given twice (the reader must not pick one)
        for (String field : new String[]{"userId", "movieId", "rating", "timestamp"}) {
            String v = value(base, field);
            invalid(field + " twice, same value", key(1), utf8(base.replace("}", ",\"" + field + "\":" + v + "}")),
                    "duplicate field " + field + ": a name may appear once in a rating.*");
        }
        invalid("userId twice, the second another user", key(2), utf8(base.replace("}", ",\"userId\":2}")),
                "duplicate field userId.*");
        invalid("eventId twice", key(1), utf8(json(1, 1, "4", T, "\"a\"").replace("}", ",\"eventId\":\"b\"}")),
                "duplicate field eventId.*");
        invalid("extra field twice", key(1), utf8(base.replace("}", ",\"note\":1,\"note\":2}")), "duplicate field note.*");

        // ---- large, within the broker's limit
        invalid("900 KB padding beside an off-scale rating", key(1),
                utf8(json(1, 1, "9", T).replace("}", ",\"pad\":\"" + "p".repeat(LARGE) + "\"}")), "rating 9 is off the scale.*");
        invalid("900 KB eventId", key(1), utf8(json(1, 1, "4", T, "\"" + "e".repeat(LARGE) + "\"")),
                "eventId is longer than 128 characters");
        invalid("900 KB of digits as a movieId", key(1), utf8(base.replace("\"movieId\":1", "\"movieId\":" + "1".repeat(LARGE))),
                "(malformed JSON|movieId .* is out of range).*");

        // ---- nested garbage in place of a field
        invalid("userId as a nested rating", key(1), utf8(base.replace("\"userId\":1", "\"userId\":" + base)),
                "userId must be an integer, got an object");
        invalid("rating as a deep array", key(1), utf8(base.replace("\"rating\":4", "\"rating\":[[[[4]]]]")),
                "rating must be a number, got an array");

        // ---- valid edge cases: trained, never dead-lettered
        valid("lowest rating", "0.5");
        valid("highest rating", "5.0");
        valid("integer rating", "3");
        valid("rating with trailing zeros", "2.500");
        valid("rating with an exponent", "45e-1");
        validRaw("timestamp at 1995-01-01", json(user(), 1, "4", 788918400000L));
        validRaw("timestamp an hour ahead of its produce time", json(user(), 1, "4", NOW + 3_600_000L));
        validRaw("largest ids", "{\"userId\":9007199254740991,\"movieId\":9007199254740991,\"rating\":4,\"timestamp\":" + T + "}",
                "9007199254740991");
        long u = user();
        validRaw("ids written as 3.0", "{\"userId\":" + u + ".0,\"movieId\":2.0,\"rating\":4,\"timestamp\":" + T + ".0}",
                Long.toString(u));
        u = user();
        validRaw("fields in another order with whitespace", "\n { \"timestamp\" : " + T + " ,\t\"rating\":1.5, \"movieId\":3,"
                + "\"userId\":" + u + " } \n", Long.toString(u));
        validRaw("unknown fields, nested", json(user(), 4, "4", T).replace("}", ",\"source\":{\"app\":\"kcat\",\"tags\":[1,\"a\",null,{}]}}"));
        validRaw("eventId of 128 characters", json(user(), 5, "4", T, "\"" + "x".repeat(128) + "\""));
        validRaw("eventId with escapes and non-ASCII", json(user(), 6, "4", T, "\"\\u00e9\u00e8\\n\u2603\""));
        validRaw("900 KB of whitespace before the object", " ".repeat(LARGE) + json(user(), 7, "4", T));
        u = user();
        Case wrongPartition = new Case("valid on another partition than its key's", key(u), utf8(json(u, 8, "4", T)),
                (partitionOf(key(u)) + 1) % Topics.RATINGS.partitions(), null);
        corpus.add(wrongPartition);
    }

    private void invalid(String name, byte[] key, byte[] value, String reason) {
        corpus.add(new Case(name, key, value, null, reason));
    }

    private void valid(String name, String stars) {
        long u = user();
        corpus.add(new Case(name, key(u), utf8(json(u, 1, stars, T)), null, null));
    }

    private void validRaw(String name, String json) {
        String user = json.replaceAll("(?s).*\"userId\":(\\d+).*", "$1");
        validRaw(name, json, user);
    }

    private void validRaw(String name, String json, String key) {
        corpus.add(new Case(name, utf8(key), utf8(json), null, null));
    }

    private long user() {
        return nextUser++;
    }

    private static String json(long user, long movie, String stars, long timestamp) {
        return "{\"userId\":" + user + ",\"movieId\":" + movie + ",\"rating\":" + stars + ",\"timestamp\":" + timestamp + "}";
    }

    private static String json(long user, long movie, String stars, long timestamp, String eventId) {
        return json(user, movie, stars, timestamp).replace("}", ",\"eventId\":" + eventId + "}");
    }

    private static String without(String json, String field) {
        return json.replaceAll(",?\"" + field + "\":[^,}]+", "").replace("{,", "{");
    }

    private static String value(String json, String field) {
        return json.replaceAll(".*\"" + field + "\":([^,}]+).*", "$1");
    }

    /** The base rating with raw bytes inserted in a string of an extra field. */
    private static byte[] withBytes(String base, String before, byte[] raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(utf8(base.substring(0, base.length() - 1) + before));
        out.writeBytes(raw);
        out.writeBytes(utf8("\"}"));
        return out.toByteArray();
    }

    private static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        }
        return out.toByteArray();
    }

    private static byte[] key(long user) {
        return utf8(Long.toString(user));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static int partitionOf(byte[] key) {
        return org.apache.kafka.common.utils.Utils.toPositive(org.apache.kafka.common.utils.Utils.murmur2(key))
                % Topics.RATINGS.partitions();
    }

    /** Produces every case, named in a header, and returns where each landed. */
    private static Map<String, RecordMetadata> produce(Settings settings, List<Case> cases) throws Exception {
        Map<String, Future<RecordMetadata>> sent = new HashMap<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(KafkaClients.producer(settings, "corpus"))) {
            for (Case c : cases) {
                RecordHeaders headers = new RecordHeaders();
                headers.add(CASE, utf8(c.name()));
                sent.put(c.name(), producer.send(new ProducerRecord<>(Topics.RATINGS.name(), c.partition(), null,
                        c.key(), c.value(), headers)));
            }
        }
        Map<String, RecordMetadata> landed = new HashMap<>();
        for (var e : sent.entrySet()) {
            landed.put(e.getKey(), e.getValue().get());
        }
        return landed;
    }

    /** Every committed dead letter, by the case it came from. */
    private static Map<String, List<ConsumerRecord<byte[], byte[]>>> readDeadLetters(Settings settings) {
        Properties p = KafkaClients.consumer(settings, "corpus-dlq-reader", null);
        p.put("isolation.level", "read_committed");
        p.put("max.partition.fetch.bytes", Integer.toString(4 << 20));
        Map<String, List<ConsumerRecord<byte[], byte[]>>> byCase = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            TopicPartition dlq = new TopicPartition(Topics.RATINGS_DLQ.name(), 0);
            consumer.assign(List.of(dlq));
            consumer.seekToBeginning(List.of(dlq));
            long end = consumer.endOffsets(List.of(dlq)).get(dlq);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (consumer.position(dlq) < end && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    String name = DeadLetter.header(r.headers(), CASE);
                    byCase.computeIfAbsent(name, n -> new ArrayList<>()).add(r);
                }
            }
            assertThat(consumer.position(dlq)).as("read to the end of ratings-dlq").isGreaterThanOrEqualTo(end);
        }
        return byCase;
    }
}
