package io.streamrec.contract;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** Serde of {@code ratings} values; reading validates the value through {@link RatingCodec}. */
public final class RatingSerde implements Serde<Rating> {
    @Override
    public Serializer<Rating> serializer() {
        return (topic, rating) -> rating == null ? null : RatingCodec.toJson(rating);
    }

    @Override
    public Deserializer<Rating> deserializer() {
        return new Deserializer<>() {
            @Override
            public Rating deserialize(String topic, byte[] data) {
                return data == null ? null : RatingCodec.parse(data);
            }

            @Override
            public Rating deserialize(String topic, Headers headers, byte[] data) {
                return deserialize(topic, data);
            }
        };
    }
}
