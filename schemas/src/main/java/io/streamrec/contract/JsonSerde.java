package io.streamrec.contract;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import java.io.IOException;

/**
 * A JSON serde for a contract record: writes with the contract's mapper, and on read validates against the
 * record's JSON Schema before binding, so a reader never sees a value that breaks the contract.
 */
public final class JsonSerde<T> implements Serde<T> {
    private final Class<T> type;
    private final JsonSchemas schema;

    public JsonSerde(Class<T> type, JsonSchemas schema) {
        this.type = type;
        this.schema = schema;
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, value) -> value == null ? null : write(value);
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, bytes) -> bytes == null ? null : read(bytes);
    }

    public byte[] write(T value) {
        try {
            return JsonSchemas.MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new SerializationException("cannot write " + type.getSimpleName(), e);
        }
    }

    /** @throws ContractViolation when the bytes are not JSON or break the schema */
    public T read(byte[] bytes) {
        JsonNode tree;
        try {
            tree = JsonSchemas.MAPPER.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new ContractViolation("malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ContractViolation("malformed JSON: " + e.getMessage());
        }
        if (tree == null || tree.isMissingNode()) {
            throw new ContractViolation("empty value");
        }
        schema.check(tree);
        try {
            return JsonSchemas.MAPPER.treeToValue(tree, type);
        } catch (JsonProcessingException e) {
            throw new ContractViolation(schema.file() + ": " + e.getOriginalMessage());
        }
    }
}
