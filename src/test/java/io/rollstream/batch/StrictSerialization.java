package io.rollstream.batch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/** Flink serialization with generic (Kryo) types switched off, as {@code pipeline.generic-types: false}. */
final class StrictSerialization {

    static final Configuration NO_GENERIC_TYPES = Configuration.fromMap(Map.of("pipeline.generic-types", "false"));

    private StrictSerialization() {}

    static SerializerConfig serializerConfig() {
        return new SerializerConfigImpl(NO_GENERIC_TYPES);
    }

    /** Serializes and deserializes {@code value} with the serializer Flink would use (fails on Kryo). */
    static <T> T roundTrip(TypeInformation<T> type, T value) {
        TypeSerializer<T> serializer = type.createSerializer(serializerConfig());
        try {
            DataOutputSerializer out = new DataOutputSerializer(1024);
            serializer.serialize(value, out);
            return serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
