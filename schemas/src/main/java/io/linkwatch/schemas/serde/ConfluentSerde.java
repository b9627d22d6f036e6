package io.linkwatch.schemas.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The Confluent wire format: magic byte {@code 0}, the 4-byte big-endian id of the writer schema in
 * a schema registry, then the Avro binary body. Schemas live under the subject {@code
 * <topic>-value} (TopicNameStrategy).
 *
 * <p>The writer registers the generated class's schema on first use per topic ({@code
 * auto.register.schemas=true}, the default); otherwise it uses the subject's latest version when
 * that is this very schema, or the id under which this exact schema is registered, and fails naming
 * the subject when there is none — it never writes with an id whose schema differs from the bytes.
 * The reader fetches the writer schema by id and resolves it against the generated class, so
 * records written with older versions of a schema are read with defaults for new fields.
 */
final class ConfluentSerde<T extends SpecificRecord> implements Serde<T> {

  static final byte MAGIC_BYTE = 0;
  private static final int HEADER = 5;

  private final Class<T> type;
  private final Schema schema;
  private final SpecificData model;
  private final SchemaRegistryClient registry;
  private final boolean autoRegister;
  private final SpecificDatumWriter<T> writer;
  private final Map<String, Integer> idsBySubject = new ConcurrentHashMap<>();
  private final Map<Integer, SpecificDatumReader<T>> readersById = new ConcurrentHashMap<>();
  private final ThreadLocal<Buffers> buffers = ThreadLocal.withInitial(Buffers::new);

  private ConfluentSerde(Class<T> type, SchemaRegistryClient registry, boolean autoRegister) {
    this.type = type;
    this.model = SpecificData.getForClass(type);
    this.schema = model.getSchema(type);
    this.registry = registry;
    this.autoRegister = autoRegister;
    this.writer = new SpecificDatumWriter<>(schema, model);
  }

  static <T extends SpecificRecord> ConfluentSerde<T> forType(
      Class<T> type, SchemaRegistryClient registry, boolean autoRegister) {
    return new ConfluentSerde<>(type, registry, autoRegister);
  }

  /** The subject of a topic's values (TopicNameStrategy). */
  static String subject(String topic) {
    return topic + "-value";
  }

  @Override
  public Serializer<T> serializer() {
    return (topic, data) -> {
      if (data == null) {
        return null;
      }
      int id = idsBySubject.computeIfAbsent(subject(topic), this::writerId);
      Buffers b = buffers.get();
      b.out.reset();
      b.out.write(MAGIC_BYTE);
      b.out.write(id >>> 24);
      b.out.write(id >>> 16);
      b.out.write(id >>> 8);
      b.out.write(id);
      try {
        b.encoder = EncoderFactory.get().directBinaryEncoder(b.out, b.encoder);
        writer.write(data, b.encoder);
        b.encoder.flush();
      } catch (IOException | AvroRuntimeException | ClassCastException | NullPointerException e) {
        throw new SerializationException(
            "cannot encode a "
                + type.getSimpleName()
                + " for topic "
                + topic
                + ": "
                + e.getMessage(),
            e);
      }
      return b.out.toByteArray();
    };
  }

  private int writerId(String subject) {
    if (autoRegister) {
      return registry.register(subject, schema);
    }
    SchemaRegistryClient.Registered latest = latestOrNull(subject);
    if (latest != null && latest.schema().equals(schema)) {
      return latest.id();
    }
    String found =
        latest == null
            ? " (the subject does not exist)"
            : " (its latest version " + latest.version() + " is another schema)";
    return registry
        .lookup(subject, schema)
        .orElseThrow(
            () ->
                new SchemaRegistryException(
                    "the "
                        + type.getSimpleName()
                        + " schema of this build is not registered under subject '"
                        + subject
                        + "' in "
                        + registry.urls()
                        + found
                        + "; register it, or set auto.register.schemas=true"));
  }

  private SchemaRegistryClient.Registered latestOrNull(String subject) {
    try {
      return registry.latest(subject);
    } catch (SchemaRegistryException e) {
      if (e.errorCode() == 40401 || e.errorCode() == 40403) {
        return null;
      }
      throw e;
    }
  }

  @Override
  public Deserializer<T> deserializer() {
    return (topic, data) -> {
      if (data == null) {
        return null;
      }
      if (data.length < HEADER || data[0] != MAGIC_BYTE) {
        throw new SerializationException(
            "record on topic "
                + topic
                + " is not in the Confluent wire format (expected magic byte 0 and a 4-byte schema"
                + " id, found "
                + (data.length == 0 ? "no bytes" : String.format("first byte 0x%02X", data[0]))
                + "); is schema.registry.url set on the writer too?");
      }
      int id = ByteBuffer.wrap(data, 1, 4).getInt();
      SpecificDatumReader<T> reader = readersById.computeIfAbsent(id, this::reader);
      Buffers b = buffers.get();
      try {
        b.decoder =
            DecoderFactory.get().binaryDecoder(data, HEADER, data.length - HEADER, b.decoder);
        return reader.read(null, b.decoder);
      } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException e) {
        throw new SerializationException(
            "cannot decode a "
                + type.getSimpleName()
                + " (writer schema id "
                + id
                + ") from topic "
                + topic
                + " ("
                + data.length
                + " bytes): "
                + e.getMessage(),
            e);
      }
    };
  }

  private SpecificDatumReader<T> reader(int id) {
    Schema writerSchema = registry.schemaById(id);
    SchemaCompatibility.SchemaPairCompatibility compatibility =
        SchemaCompatibility.checkReaderWriterCompatibility(schema, writerSchema);
    if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
      throw new SerializationException(
          "schema id "
              + id
              + " ("
              + writerSchema.getFullName()
              + ") cannot be read as this build's "
              + type.getSimpleName()
              + ": "
              + compatibility.getDescription());
    }
    return new SpecificDatumReader<>(writerSchema, schema, model);
  }

  /** Per-thread reusable encoder, decoder and output buffer: no allocation on the hot path. */
  private static final class Buffers {
    final ByteArrayOutputStream out = new ByteArrayOutputStream(512);
    BinaryEncoder encoder;
    BinaryDecoder decoder;
  }
}
