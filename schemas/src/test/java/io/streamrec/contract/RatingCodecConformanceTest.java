package io.streamrec.contract;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The fast streaming parser must accept exactly what the reference JSON Schema validator accepts. */
class RatingCodecConformanceTest {

    private static final String[] USER_IDS = {"1", "42", "0", "-3", "9007199254740991", "9007199254740992",
            "99999999999999999999", "1.0", "1.5", "\"7\"", "null", "true", "[]", "{}"};
    private static final String[] RATINGS = {"0.5", "1", "3.5", "5.0", "5", "0", "5.5", "-1", "3.7", "4.25",
            "\"4\"", "null", "1e0", "2.50"};
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
        for (String doc : documents) {
            JsonNode tree = JsonSchemas.MAPPER.readTree(doc);
            boolean reference = JsonSchemas.RATING.violations(tree).isEmpty();
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
                .hasMessageMatching("(empty value|malformed JSON.*|value is not a JSON object|missing field .*)");
    }

    @Test
    void explainsWhatIsWrong() {
        assertThatThrownBy(() -> parse("{\"userId\":1,\"movieId\":2,\"rating\":7,\"timestamp\":964982703000}"))
                .hasMessageContaining("rating 7.0 is off the scale");
        assertThatThrownBy(() -> parse("{\"userId\":0,\"movieId\":2,\"rating\":3,\"timestamp\":964982703000}"))
                .hasMessageContaining("userId 0 is out of range");
        assertThatThrownBy(() -> parse("{\"userId\":\"1\",\"movieId\":2,\"rating\":3,\"timestamp\":964982703000}"))
                .hasMessageContaining("userId must be an integer, got the string \"1\"");
        assertThatThrownBy(() -> parse("{\"userId\":1,\"movieId\":2,\"rating\":3,\"timestamp\":964982703}"))
                .hasMessageContaining("timestamp 964982703 is out of range").hasMessageContaining("epoch seconds?");
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
