package io.streamrec.contract;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;

import java.io.IOException;

/**
 * Writes a {@link Recommendation} field by field, as the contract's mapper would write the record (absent optionals
 * omitted), with each score rounded to single precision: the scorer ranks in float32 (predicted stars and cluster
 * shares are rounded), and a float widened to double printed 17 digits, 9 of them noise. The scorer writes a list for
 * every rating, and through the bean serializer (a reflective accessor call per field, and those digits) that was
 * 16 % of its stream thread at 10,000 ratings/s (JFR, {@code bench score}). {@code ContractRecordsTest} keeps it
 * writing what the bean serializer writes for scores exact in single precision.
 */
final class RecommendationJson extends StdSerializer<Recommendation> {
    private static final SerializedString USER_ID = new SerializedString("userId");
    private static final SerializedString MODEL_VERSION = new SerializedString("modelVersion");
    private static final SerializedString GENERATED_AT = new SerializedString("generatedAt");
    private static final SerializedString TRIGGERED_AT = new SerializedString("triggeredAt");
    private static final SerializedString TRIGGER = new SerializedString("trigger");
    private static final SerializedString SOURCE = new SerializedString("source");
    private static final SerializedString ITEMS = new SerializedString("items");
    private static final SerializedString MOVIE_ID = new SerializedString("movieId");
    private static final SerializedString TITLE = new SerializedString("title");
    private static final SerializedString SCORE = new SerializedString("score");

    RecommendationJson() {
        super(Recommendation.class);
    }

    @Override
    public void serialize(Recommendation list, JsonGenerator out, SerializerProvider provider) throws IOException {
        out.writeStartObject();
        out.writeFieldName(USER_ID);
        out.writeNumber(list.userId());
        out.writeFieldName(MODEL_VERSION);
        out.writeNumber(list.modelVersion());
        out.writeFieldName(GENERATED_AT);
        out.writeNumber(list.generatedAt());
        if (list.triggeredAt() != null) {
            out.writeFieldName(TRIGGERED_AT);
            out.writeNumber(list.triggeredAt());
        }
        if (list.trigger() != null) {
            out.writeFieldName(TRIGGER);
            out.writeString(list.trigger());
        }
        if (list.source() != null) {
            out.writeFieldName(SOURCE);
            out.writeString(list.source());
        }
        out.writeFieldName(ITEMS);
        out.writeStartArray();
        for (Recommendation.Item item : list.items()) {
            out.writeStartObject();
            out.writeFieldName(MOVIE_ID);
            out.writeNumber(item.movieId());
            if (item.title() != null) {
                out.writeFieldName(TITLE);
                out.writeString(item.title());
            }
            out.writeFieldName(SCORE);
            out.writeNumber((float) item.score());
            out.writeEndObject();
        }
        out.writeEndArray();
        out.writeEndObject();
    }
}
