package io.streamrec.contract;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The fast streaming parser must accept exactly what the reference JSON Schema validator accepts. */
class RatingCodecConformanceTest {

    private static final String[] USER_IDS = {"1", "42", "0", "-3", "9007199254740991", "9007199254740992",
            "99999999999999999999", "1.0", "1.5", "\"7\"", "null", "true", "[]", "{}"};
    private static final String[] RATINGS = {"0.5", "1", "3.5", "5.0", "5", "0", "5.5", "-1", "3.7", "4.25",
            "\"4\"", "null", "1e0", "2.50", "4.5000000001", "4.50000000000000000001", "0.49999999999999999999",
            "45e-1", "4.500", "5.0000000000000000001"};
    private static final String[] TIMES = {"964982703000", "788918400000", "788918399999", "964982703",
            "4102444800000", "4102444800001", "964982703000.0", "\"2000-07-30\"", "null", "-1"};
    private static final String[] EVENT_IDS = {null, "\"e-1\"", "\"\"", "7", "null", "\"" + "x".repeat(129) + "\""};

    @Test
    void agreesWithTheReferenceValidatorOnGeneratedDocuments() throws Exception {
        Random random = new Random(7);
        List<String> documents = new ArrayList<>();
        for (int i = 0; i < 4000; i++) {
            documents.add(randomDocument(random));
        }
        int accepted = 0;
        int duplicated = 0;
        for (String doc : documents) {
            // Decimals as written: read as doubles, 4.50000000000000000001 would reach the validator as 4.5.
            JsonNode tree = JsonSchemas.MAPPER.reader().with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).readTree(doc);
            // JSON Schema sees the tree, where a repeated name has already lost all but its last value: the contract
            // rejects the document outright.
            boolean repeatsAName = repeatsAName(doc);
            duplicated += repeatsAName ? 1 : 0;
            boolean reference = JsonSchemas.RATING.violations(tree).isEmpty() && !repeatsAName;
            boolean fast;
            try {
                RatingCodec.parse(doc.getBytes(StandardCharsets.UTF_8));
                fast = true;
            } catch (ContractViolation e) {
                fast = false;
            }
            assertThat(fast).as("fast parser vs schema on %s (schema says %s)", doc,
                    JsonSchemas.RATING.violations(tree)).isEqualTo(reference);
            accepted += fast ? 1 : 0;
        }
        assertThat(accepted).as("the generator must exercise both outcomes").isBetween(200, 3800);
        assertThat(duplicated).as("documents that repeat a name").isGreaterThan(100);
    }

    private static boolean repeatsAName(String doc) throws Exception {
        Set<String> names = new HashSet<>();
        try (JsonParser p = JsonSchemas.MAPPER.getFactory().createParser(doc)) {
            p.nextToken();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                if (!names.add(p.currentName())) {
                    return true;
                }
                p.nextToken();
                p.skipChildren();
            }
        }
        return false;
    }

    private static String randomDocument(Random r) {
        List<String> fields = new ArrayList<>();
        maybe(r, fields, "userId", pick(r, USER_IDS));
        maybe(r, fields, "movieId", pick(r, USER_IDS));
        maybe(r, fields, "rating", pick(r, RATINGS));
        maybe(r, fields, "timestamp", pick(r, TIMES));
        String eventId = EVENT_IDS[r.nextInt(EVENT_IDS.length)];
        if (eventId != null) {
            fields.add("\"eventId\":" + eventId);
        }
        if (r.nextInt(5) == 0) {
            fields.add("\"extra\":{\"nested\":[1,2,{\"a\":null}]}");
        }
        if (r.nextInt(20) == 0 && !fields.isEmpty()) {
            fields.add(fields.get(r.nextInt(fields.size())));
        }
        if (r.nextInt(20) == 0) {
            fields.add("\"userId\":" + pick(r, USER_IDS));
        }
        java.util.Collections.shuffle(fields, r);
        return "{" + String.join(",", fields) + "}";
    }

    /** Mostly valid values, so that roughly a third of documents pass. */
    private static String pick(Random r, String[] values) {
        return r.nextInt(10) < 8 ? values[r.nextInt(2)] : values[r.nextInt(values.length)];
    }

    private static void maybe(Random r, List<String> fields, String name, String value) {
        if (r.nextInt(30) != 0) {
            fields.add("\"" + name + "\":" + value);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not json", "{\"userId\":1", "[1,2]", "{\"userId\":1,\"movieId\":2,\"rating\":3,\"timestamp\":964982703000} x",
            "{\"userId\":1,\"movieId\":2,\"rating\":3}", "\"text\"", "null"})
    void rejectsMalformedOrIncompleteValues(String value) {
        assertThatThrownBy(() -> RatingCodec.parse(value.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(ContractViolation.class)
                .hasMessageMatching("(empty value.*|malformed JSON.*|value is not a JSON object|missing field .*)");
    }

    @Test
    void explainsWhatIsWrong() {
        assertThatThrownBy(() -> parse("{\"userId\":1,\"movieId\":2,\"rating\":7,\"timestamp\":964982703000}"))
                .hasMessageContaining("rating 7 is off the scale");
        assertThatThrownBy(() -> parse("{\"userId\":1,\"movieId\":2,\"rating\":4.5000000001,\"timestamp\":964982703000}"))
                .hasMessageContaining("rating 4.5000000001 is off the scale: 0.5 to 5.0 in steps of 0.5");
        assertThatThrownBy(() -> parse("{\"userId\":1,\"movieId\":2,\"rating\":3,\"timestamp\":964982703000,\"userId\":2}"))
                .hasMessage("duplicate field userId: a name may appear once in a rating (which of the values would count?)");
        assertThatThrownBy(() -> RatingCodec.parse(null)).hasMessageStartingWith("tombstone: the record has no value");
        assertThatThrownBy(() -> parse("{\"userId\":0,\"movieId\":2,\"rating\":3,\"timestamp\":964982703000}"))
                .hasMessageContaining("userId 0 is out of range");
        assertThatThrownBy(() -> parse("{\"userId\":\"1\",\"movieId\":2,\"rating\":3,\"timestamp\":964982703000}"))
                .hasMessageContaining("userId must be an integer, got the string \"1\"");
        assertThatThrownBy(() -> parse("{\"userId\":1,\"movieId\":2,\"rating\":3,\"timestamp\":964982703}"))
                .hasMessageContaining("timestamp 964982703 is out of range").hasMessageContaining("epoch seconds?");
    }

    /** RFC 8259: JSON exchanged between systems is UTF-8 (without a byte order mark); anything else is refused. */
    @Test
    void readsUtf8AloneAndSaysWhichEncodingItSaw() {
        String doc = "{\"userId\":1,\"movieId\":2,\"rating\":3,\"timestamp\":964982703000,\"eventId\":\"caf\u00e9\"}";
        assertThat(RatingCodec.parse(doc.getBytes(StandardCharsets.UTF_8)).eventId()).isEqualTo("caf\u00e9");
        for (java.nio.charset.Charset wide : List.of(StandardCharsets.UTF_16BE, StandardCharsets.UTF_16LE,
                StandardCharsets.UTF_16, java.nio.charset.Charset.forName("UTF-32"))) {
            assertThatThrownBy(() -> RatingCodec.parse(doc.getBytes(wide))).as(wide.name())
                    .hasMessageStartingWith("not UTF-8 (the bytes look like UTF-16 or UTF-32)");
        }
        assertThatThrownBy(() -> RatingCodec.parse(doc.getBytes(StandardCharsets.ISO_8859_1)))
                .hasMessageStartingWith("not valid UTF-8: byte 0xE9 at offset 74");
        byte[] bom = ("\uFEFF" + doc).getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> RatingCodec.parse(bom)).hasMessageStartingWith("starts with a byte order mark");
        // A lone surrogate half written as UTF-8 (CESU-style) is not UTF-8 either, even inside an ignored field.
        byte[] surrogate = "{\"userId\":1,\"movieId\":2,\"rating\":3,\"timestamp\":964982703000,\"x\":\"??? \"}"
                .getBytes(StandardCharsets.UTF_8);
        surrogate[surrogate.length - 6] = (byte) 0xED;
        surrogate[surrogate.length - 5] = (byte) 0xA0;
        surrogate[surrogate.length - 4] = (byte) 0x80;
        assertThatThrownBy(() -> RatingCodec.parse(surrogate)).hasMessageStartingWith("not valid UTF-8: byte 0xED");
    }

    @Test
    void checksKeyAndEventTimeAgainstTheRecord() {
        byte[] value = "{\"userId\":12,\"movieId\":2,\"rating\":3,\"timestamp\":964982703000}".getBytes(StandardCharsets.UTF_8);
        assertThat(RatingCodec.parse("12".getBytes(StandardCharsets.UTF_8), value, 964982703000L).userId()).isEqualTo(12);
        assertThatThrownBy(() -> RatingCodec.parse(null, value, -1)).hasMessageContaining("missing key");
        assertThatThrownBy(() -> RatingCodec.parse("13".getBytes(StandardCharsets.UTF_8), value, -1))
                .hasMessageContaining("does not match userId 12");
        assertThatThrownBy(() -> RatingCodec.parse("012".getBytes(StandardCharsets.UTF_8), value, -1))
                .hasMessageContaining("does not match");
        assertThatThrownBy(() -> RatingCodec.parse("12".getBytes(StandardCharsets.UTF_8), value, 964982703000L - 2 * RatingCodec.MAX_FUTURE_SKEW_MS))
                .hasMessageContaining("more than a day after the record was produced");
    }

    @Test
    void writesWhatItReads() {
        Rating r = new Rating(7, 31, 2.5f, 964982703000L, "ev-\"1\"");
        byte[] json = RatingCodec.toJson(r);
        assertThat(new String(json, StandardCharsets.UTF_8))
                .isEqualTo("{\"userId\":7,\"movieId\":31,\"rating\":2.5,\"timestamp\":964982703000,\"eventId\":\"ev-\\\"1\\\"\"}");
        assertThat(RatingCodec.parse(json)).isEqualTo(r);
        assertThat(RatingCodec.parse(RatingCodec.toJson(new Rating(1, 2, 4f, 964982703000L)))).isEqualTo(new Rating(1, 2, 4f, 964982703000L));
    }

    private static Rating parse(String json) {
        return RatingCodec.parse(json.getBytes(StandardCharsets.UTF_8));
    }
}
