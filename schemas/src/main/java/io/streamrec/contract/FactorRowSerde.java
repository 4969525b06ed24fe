package io.streamrec.contract;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** Serde of factor records in the binary layout of {@code schemas/FACTORS.md}; null is a tombstone. */
public final class FactorRowSerde implements Serde<FactorRow> {
    @Override
    public Serializer<FactorRow> serializer() {
        return (topic, row) -> row == null ? null : row.encode();
    }

    @Override
    public Deserializer<FactorRow> deserializer() {
        return (topic, bytes) -> bytes == null ? null : FactorRow.decode(bytes);
    }
}
