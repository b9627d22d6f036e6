package io.linkwatch.schemas.serde;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Avro single-object encoding: {@code C3 01}, the 8-byte little-endian CRC-64-AVRO fingerprint of
 * the writer schema, then the Avro binary body. The reader resolves older writer schemas from the
 * schema history that ships with this module ({@link SchemaHistory}).
 */
final class SingleObjectSerde<T extends SpecificRecord> implements Serde<T> {

  private final Class<T> type;
  private final BinaryMessageEncoder<T> encoder;
  private final BinaryMessageDecoder<T> decoder;

  private SingleObjectSerde(Class<T> type, List<Schema> history) {
    this.type = type;
    SpecificData model = SpecificData.getForClass(type);
    Schema schema = model.getSchema(type);
    this.encoder = new BinaryMessageEncoder<>(model, schema);
    this.decoder = new BinaryMessageDecoder<>(model, schema);
    for (Schema old : history) {
      decoder.addSchema(old);
    }
  }

  static <T extends SpecificRecord> SingleObjectSerde<T> forType(Class<T> type) {
    return forType(
        type,
        SchemaHistory.versionsOf(SpecificData.getForClass(type).getSchema(type).getFullName()));
  }

  /** With the writer schemas it can read beyond the current one (tests). */
  static <T extends SpecificRecord> SingleObjectSerde<T> forType(
      Class<T> type, List<Schema> history) {
    return new SingleObjectSerde<>(type, history);
  }

  @Override
  public Serializer<T> serializer() {
    return (topic, data) -> {
      if (data == null) {
        return null;
      }
      try {
        ByteBuffer buffer = encoder.encode(data);
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (AvroRuntimeException | ClassCastException | NullPointerException e) {
        throw new SerializationException(
            "cannot encode a "
                + type.getSimpleName()
                + " for topic "
                + topic
                + ": "
                + e.getMessage(),
            e);
      }
    };
  }

  @Override
  public Deserializer<T> deserializer() {
    return (topic, data) -> {
      if (data == null) {
        return null;
      }
      try {
        return decoder.decode(data);
      } catch (BadHeaderException e) {
        throw new SerializationException(
            "record on topic "
                + topic
                + " is not Avro single-object encoded (expected header C3 01): "
                + e.getMessage(),
            e);
      } catch (MissingSchemaException e) {
        throw new SerializationException(
            "record on topic "
                + topic
                + " was written with a "
                + type.getSimpleName()
                + " schema this build does not know: "
                + e.getMessage(),
            e);
      } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException e) {
        throw new SerializationException(
            "cannot decode a "
                + type.getSimpleName()
                + " from topic "
                + topic
                + " ("
                + data.length
                + " bytes): "
                + e.getMessage(),
            e);
      }
    };
  }
}
