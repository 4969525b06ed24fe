package io.streamrec.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Set;
import java.util.stream.Collectors;

/** The JSON Schema files of {@code schemas/json}, loaded from the classpath, and the validator for each. */
public enum JsonSchemas {
    RATING("rating.schema.json"),
    MOVIE("movie.schema.json"),
    RECOMMENDATION("recommendation.schema.json"),
    SNAPSHOT_MANIFEST("snapshot-manifest.schema.json");

    /**
     * The one ObjectMapper of the contract: records in, records out, absent optionals omitted; lists are written by
     * {@link RecommendationJson}.
     */
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .setSerializationInclusion(JsonInclude.Include.NON_NULL)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .registerModule(new SimpleModule("streamrec-lists").addSerializer(Recommendation.class, new RecommendationJson()));

    private final String file;
    private final JsonNode document;
    private final JsonSchema schema;

    JsonSchemas(String file) {
        this.file = file;
        try (InputStream in = JsonSchemas.class.getResourceAsStream("/schemas/" + file)) {
            if (in == null) {
                throw new IllegalStateException("schema " + file + " is not on the classpath");
            }
            this.document = new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read schema " + file, e);
        }
        this.schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(document);
    }

    public String file() {
        return file;
    }

    /** The schema document itself, for code that derives its checks from it. */
    public JsonNode document() {
        return document;
    }

    /** All violations of this schema, empty when the instance conforms. */
    public Set<String> violations(JsonNode instance) {
        Set<ValidationMessage> messages = schema.validate(instance);
        return messages.stream().map(ValidationMessage::getMessage).collect(Collectors.toCollection(java.util.TreeSet::new));
    }

    /** @throws ContractViolation naming every violation when the instance does not conform */
    public void check(JsonNode instance) {
        Set<String> violations = violations(instance);
        if (!violations.isEmpty()) {
            throw new ContractViolation(file + ": " + String.join("; ", violations));
        }
    }

    static void appendQuoted(StringBuilder sb, String s) {
        sb.append('"');
        JsonStringEncoder.getInstance().quoteAsString(s, sb);
        sb.append('"');
    }
}
