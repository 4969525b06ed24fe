package io.streamrec.contract;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

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
    private static final BigDecimal STARS_STEP;
    /** Bits of the fields seen so far. */
    private static final int USER_ID = 1, MOVIE_ID = 2, STARS_FIELD = 4, TIMESTAMP = 8, EVENT_ID = 16;
    private static final int REQUIRED = USER_ID | MOVIE_ID | STARS_FIELD | TIMESTAMP;

    static {
        JsonNode props = JsonSchemas.RATING.document().get("properties");
        ID = Bounds.of(props.get("userId"));
        STARS = Bounds.of(props.get("rating"));
        TIME = Bounds.of(props.get("timestamp"));
        EVENT_ID_MAX_LENGTH = props.get("eventId").get("maxLength").asInt();
        STARS_STEP = BigDecimal.valueOf(STARS.step);
        if (!(STARS.step > 0) || STARS.step != Math.scalb(1.0, Math.getExponent(STARS.step))) {
            throw new IllegalStateException("rating.schema.json: the rating's multipleOf is expected to be a power of"
                    + " two (0.5), which a double divides exactly");
        }
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
     * Parses and validates a value alone (no key, no record time). Beyond what JSON Schema can say, the value must
     * be UTF-8 without a byte order mark (RFC 8259 section 8.1; UTF-16 would otherwise be detected and read), and
     * no name may appear twice in the object (a repeated userId would leave the reader to pick one).
     *
     * @throws ContractViolation with the reason when the value breaks the contract
     */
    public static Rating parse(byte[] value) {
        if (value == null) {
            throw new ContractViolation("tombstone: the record has no value (null), and a rating cannot be deleted");
        }
        if (value.length == 0) {
            throw new ContractViolation("empty value (0 bytes): a rating is a JSON object");
        }
        String encoding = encodingProblem(value);
        if (encoding != null) {
            throw new ContractViolation(encoding);
        }
        long userId = 0, movieId = 0, timestamp = 0;
        double stars = 0;
        String eventId = null;
        int seen = 0;
        Set<String> otherNames = null;
        try (JsonParser p = JSON.createParser(value)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new ContractViolation("value is not a JSON object");
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                int bit = switch (field) {
                    case "userId" -> USER_ID;
                    case "movieId" -> MOVIE_ID;
                    case "rating" -> STARS_FIELD;
                    case "timestamp" -> TIMESTAMP;
                    case "eventId" -> EVENT_ID;
                    default -> 0;
                };
                if ((seen & bit) != 0 || (bit == 0 && !(otherNames = orNew(otherNames)).add(field))) {
                    throw new ContractViolation("duplicate field " + abbreviate(field)
                            + ": a name may appear once in a rating (which of the values would count?)");
                }
                seen |= bit;
                JsonToken v = p.nextToken();
                switch (bit) {
                    case USER_ID -> userId = integer(p, v, field, ID);
                    case MOVIE_ID -> movieId = integer(p, v, field, ID);
                    case STARS_FIELD -> stars = stars(p, v);
                    case TIMESTAMP -> timestamp = integer(p, v, field, TIME);
                    case EVENT_ID -> eventId = eventId(p, v);
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
        if ((seen & REQUIRED) != REQUIRED) {
            throw new ContractViolation("missing field " + missing(seen));
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

    /**
     * The stars, on the schema's scale and exactly on its grid: 4.5000000001 is off the half-star grid although a
     * tolerance would round it on. A double decides every value whose text is short (4.5, 3.0, 1e0); a longer text
     * such as 4.50000000000000000001, which a double rounds to 4.5, is checked in decimal.
     */
    private static double stars(JsonParser p, JsonToken v) throws IOException {
        if (v != JsonToken.VALUE_NUMBER_INT && v != JsonToken.VALUE_NUMBER_FLOAT) {
            throw new ContractViolation("rating must be a number, got " + describe(p, v));
        }
        double stars = p.getDoubleValue();
        boolean onGrid = isMultiple(stars, STARS.step)
                && (p.getTextLength() <= 4 || p.getDecimalValue().remainder(STARS_STEP).signum() == 0);
        if (stars < STARS.min || stars > STARS.max || !onGrid) {
            throw new ContractViolation("rating " + abbreviate(p.getText()) + " is off the scale: " + STARS.min + " to "
                    + STARS.max + " in steps of " + STARS.step);
        }
        return stars;
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

    /** Exact for the power-of-two steps the class accepts (division by one only shifts the exponent). */
    private static boolean isMultiple(double value, double step) {
        double q = value / step;
        return q == Math.rint(q);
    }

    /**
     * Why the bytes are not UTF-8 JSON, or null when they are. UTF-16 and UTF-32 show in the first four bytes (RFC
     * 4627, section 3: the first character of JSON is ASCII, so its zero bytes fall in a pattern), or in their byte
     * order mark.
     */
    private static String encodingProblem(byte[] value) {
        if (looksUtf16Or32(value)) {
            return "not UTF-8 (the bytes look like UTF-16 or UTF-32): JSON on the wire is UTF-8 (RFC 8259)";
        }
        if (value.length >= 3 && value[0] == (byte) 0xEF && value[1] == (byte) 0xBB && value[2] == (byte) 0xBF) {
            return "starts with a byte order mark: JSON on the wire is UTF-8 without one (RFC 8259)";
        }
        for (byte b : value) {
            if (b < 0) {
                return invalidUtf8(value);
            }
        }
        return null;
    }

    private static boolean looksUtf16Or32(byte[] v) {
        if (v.length >= 2 && ((v[0] == (byte) 0xFE && v[1] == (byte) 0xFF) || (v[0] == (byte) 0xFF && v[1] == (byte) 0xFE))) {
            return true;
        }
        if (v.length < 4) {
            return v.length >= 2 && (v[0] == 0) != (v[1] == 0);
        }
        boolean z0 = v[0] == 0, z1 = v[1] == 0, z2 = v[2] == 0, z3 = v[3] == 0;
        return (z0 && z1 && z2 && !z3)            // UTF-32BE, and its byte order mark 00 00 FE FF
                || (z0 && z1 && v[2] == (byte) 0xFE && v[3] == (byte) 0xFF)
                || (!z0 && z1 && z2 && z3)         // UTF-32LE
                || (z0 && !z1 && z2 && !z3)        // UTF-16BE
                || (!z0 && z1 && !z2 && z3);       // UTF-16LE
    }

    /** Checks a value that is not plain ASCII with a strict decoder; the reason names the first bad byte. */
    private static String invalidUtf8(byte[] value) {
        ByteBuffer in = ByteBuffer.wrap(value);
        CoderResult result = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(in, CharBuffer.allocate(value.length), true);
        if (!result.isError()) {
            return null;
        }
        return String.format("not valid UTF-8: byte 0x%02X at offset %d (Latin-1 or another encoding?); JSON on the"
                + " wire is UTF-8 (RFC 8259)", value[in.position()] & 0xFF, in.position());
    }

    private static Set<String> orNew(Set<String> names) {
        return names == null ? new HashSet<>() : names;
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
