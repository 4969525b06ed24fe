package io.streamrec.contract;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Reads and writes {@code ratings} values at stream rates and enforces {@code rating.schema.json} while reading.
 *
 * <p>Why not a generic JSON Schema validator per record: it builds a tree and walks the schema for every one of
 * up to millions of records per second. This class makes one streaming pass instead. The numeric bounds come from
 * the schema file itself, so the schema stays the one source of truth, and {@code RatingCodecConformanceTest}
 * checks this parser against the reference validator on thousands of generated good and bad documents.
 */
public final class RatingCodec {

    /** Event time may run at most this far ahead of the record's produce time. */
    public static final long MAX_FUTURE_SKEW_MS = 24L * 3600 * 1000;

    private static final JsonFactory JSON = new JsonFactory();
    private static final Bounds ID;
    private static final Bounds STARS;
    private static final Bounds TIME;
    private static final int EVENT_ID_MAX_LENGTH;

    static {
        JsonNode props = JsonSchemas.RATING.document().get("properties");
        ID = Bounds.of(props.get("userId"));
        STARS = Bounds.of(props.get("rating"));
        TIME = Bounds.of(props.get("timestamp"));
        EVENT_ID_MAX_LENGTH = props.get("eventId").get("maxLength").asInt();
        if (!ID.equals(Bounds.of(props.get("movieId")))) {
            throw new IllegalStateException("rating.schema.json: userId and movieId are expected to share bounds");
        }
    }

    private record Bounds(double min, double max, double step) {
        static Bounds of(JsonNode property) {
            return new Bounds(property.get("minimum").asDouble(), property.get("maximum").asDouble(),
                    property.has("multipleOf") ? property.get("multipleOf").asDouble() : 0);
        }
    }

    private RatingCodec() {
    }

    /**
     * Parses and validates a value alone (no key, no record time).
     *
     * @throws ContractViolation with the reason when the value breaks the contract
     */
    public static Rating parse(byte[] value) {
        if (value == null || value.length == 0) {
            throw new ContractViolation("empty value");
        }
        long userId = 0, movieId = 0, timestamp = 0;
        double stars = 0;
        String eventId = null;
        int seen = 0;
        try (JsonParser p = JSON.createParser(value)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new ContractViolation("value is not a JSON object");
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken v = p.nextToken();
                switch (field) {
                    case "userId" -> { userId = integer(p, v, field, ID); seen |= 1; }
                    case "movieId" -> { movieId = integer(p, v, field, ID); seen |= 2; }
                    case "rating" -> { stars = number(p, v, field); seen |= 4; }
                    case "timestamp" -> { timestamp = integer(p, v, field, TIME); seen |= 8; }
                    case "eventId" -> eventId = eventId(p, v);
                    default -> p.skipChildren();
                }
            }
            if (t != JsonToken.END_OBJECT) {
                throw new ContractViolation("malformed JSON object");
            }
            if (p.nextToken() != null) {
                throw new ContractViolation("malformed JSON: content after the object");
            }
        } catch (IOException e) {
            throw new ContractViolation("malformed JSON: " + firstLine(e.getMessage()));
        }
        if (seen != 15) {
            throw new ContractViolation("missing field " + missing(seen));
        }
        if (stars < STARS.min || stars > STARS.max || (STARS.step > 0 && !isMultiple(stars, STARS.step))) {
            throw new ContractViolation("rating " + stars + " is off the scale: " + STARS.min + " to " + STARS.max
                    + " in steps of " + STARS.step);
        }
        return new Rating(userId, movieId, (float) stars, timestamp, eventId);
    }

    /**
     * Full boundary check of a {@code ratings} record: the value, the key the contract requires, and event time
     * against produce time.
     *
     * @param recordTimestamp the Kafka record timestamp, or a negative number when there is none
     * @throws ContractViolation with the reason when the record breaks the contract
     */
    public static Rating parse(byte[] key, byte[] value, long recordTimestamp) {
        Rating r = parse(value);
        if (key == null) {
            throw new ContractViolation("missing key: ratings are keyed by userId as a decimal string");
        }
        if (!isDecimal(key, r.userId())) {
            throw new ContractViolation("key '" + new String(key, StandardCharsets.UTF_8)
                    + "' does not match userId " + r.userId());
        }
        if (recordTimestamp >= 0 && r.timestamp() > recordTimestamp + MAX_FUTURE_SKEW_MS) {
            throw new ContractViolation("timestamp " + r.timestamp() + " is more than a day after the record was produced ("
                    + recordTimestamp + ")");
        }
        return r;
    }

    /** Writes the canonical JSON of a rating, without a tree or reflection. */
    public static byte[] toJson(Rating r) {
        StringBuilder sb = new StringBuilder(96)
                .append("{\"userId\":").append(r.userId())
                .append(",\"movieId\":").append(r.movieId())
                .append(",\"rating\":");
        appendStars(sb, r.rating());
        sb.append(",\"timestamp\":").append(r.timestamp());
        if (r.eventId() != null) {
            sb.append(",\"eventId\":");
            JsonSchemas.appendQuoted(sb, r.eventId());
        }
        return sb.append('}').toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void appendStars(StringBuilder sb, float stars) {
        float doubled = stars * 2;
        if (doubled == Math.rint(doubled) && stars >= 0 && stars < 1000) {
            int d = (int) doubled;
            sb.append(d / 2).append((d & 1) == 0 ? ".0" : ".5");
        } else {
            sb.append(stars);
        }
    }

    private static long integer(JsonParser p, JsonToken v, String field, Bounds bounds) throws IOException {
        long value;
        if (v == JsonToken.VALUE_NUMBER_INT) {
            if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                throw new ContractViolation(field + " " + p.getText() + " is out of range");
            }
            value = p.getLongValue();
        } else if (v == JsonToken.VALUE_NUMBER_FLOAT && p.getDoubleValue() == Math.rint(p.getDoubleValue())
                && Math.abs(p.getDoubleValue()) < 0x1p53) {
            value = (long) p.getDoubleValue(); // JSON Schema counts 3.0 as an integer
        } else {
            throw new ContractViolation(field + " must be an integer, got " + describe(p, v));
        }
        if (value < bounds.min || value > bounds.max) {
            boolean seconds = bounds == TIME && value * 1000 >= bounds.min && value * 1000 <= bounds.max;
            throw new ContractViolation(field + " " + value + " is out of range [" + (long) bounds.min + ", "
                    + (long) bounds.max + "]" + (seconds ? " (epoch seconds? the contract wants milliseconds)" : ""));
        }
        return value;
    }

    private static double number(JsonParser p, JsonToken v, String field) throws IOException {
        if (v != JsonToken.VALUE_NUMBER_INT && v != JsonToken.VALUE_NUMBER_FLOAT) {
            throw new ContractViolation(field + " must be a number, got " + describe(p, v));
        }
        return p.getDoubleValue();
    }

    private static String eventId(JsonParser p, JsonToken v) throws IOException {
        if (v != JsonToken.VALUE_STRING) {
            throw new ContractViolation("eventId must be a string, got " + describe(p, v));
        }
        String id = p.getText();
        if (id.codePointCount(0, id.length()) > EVENT_ID_MAX_LENGTH) {
            throw new ContractViolation("eventId is longer than " + EVENT_ID_MAX_LENGTH + " characters");
        }
        return id;
    }

    private static boolean isMultiple(double value, double step) {
        double q = value / step;
        return Math.abs(q - Math.rint(q)) < 1e-9;
    }

    private static boolean isDecimal(byte[] key, long expected) {
        if (key.length == 0 || key.length > 19 || (key[0] == '0')) {
            return false;
        }
        long v = 0;
        for (byte b : key) {
            if (b < '0' || b > '9') {
                return false;
            }
            v = v * 10 + (b - '0');
        }
        return v == expected;
    }

    private static String describe(JsonParser p, JsonToken v) throws IOException {
        return switch (v) {
            case VALUE_NULL -> "null";
            case VALUE_STRING -> "the string \"" + abbreviate(p.getText()) + "\"";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            default -> p.getText();
        };
    }

    private static String missing(int seen) {
        StringBuilder sb = new StringBuilder();
        String[] names = {"userId", "movieId", "rating", "timestamp"};
        for (int i = 0; i < names.length; i++) {
            if ((seen & (1 << i)) == 0) {
                sb.append(sb.length() == 0 ? "" : ", ").append(names[i]);
            }
        }
        return sb.toString();
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
