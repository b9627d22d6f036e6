package io.linkwatch.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.linkwatch.avro.DeadLetter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

/** Avro single-object encoding, the embedded default. */
class SingleObjectSerdeTest {

  private static final String TOPIC = "linkwatch.ingest.deadletter.v1";

  @Test
  void shouldBeTheEncodingWithoutARegistry() {
    assertThat(AvroSerdes.fromConfig(Map.of()).encoding())
        .isEqualTo(AvroSerdes.Encoding.SINGLE_OBJECT);
    assertThat(AvroSerdes.fromConfig(Map.of(AvroSerdes.SCHEMA_REGISTRY_URL, " ")).encoding())
        .isEqualTo(AvroSerdes.Encoding.SINGLE_OBJECT);
  }

  @Test
  void shouldRoundTripWithTheSingleObjectHeader() {
    Serde<DeadLetter> serde = AvroSerdes.singleObject().valueSerde(DeadLetter.class);
    DeadLetter record = ConfluentSerdeTest.deadLetter("{\"a\":");

    byte[] bytes = serde.serializer().serialize(TOPIC, record);

    assertThat(bytes[0]).isEqualTo((byte) 0xC3);
    assertThat(bytes[1]).isEqualTo((byte) 0x01);
    assertThat(serde.deserializer().deserialize(TOPIC, bytes)).isEqualTo(record);
    assertThat(serde.deserializer().deserialize(TOPIC, null)).isNull();
  }

  @Test
  void shouldReadDataWrittenWithAnOlderSchemaVersion() throws Exception {
    Schema older = olderDeadLetter();
    byte[] bytes = encodeWith(older, "from an older build");
    Serde<DeadLetter> serde = SingleObjectSerde.forType(DeadLetter.class, List.of(older));

    DeadLetter read = serde.deserializer().deserialize(TOPIC, bytes);

    assertThat(StandardCharsets.UTF_8.decode(read.getRaw()).toString())
        .isEqualTo("from an older build");
    assertThat(read.getAttempts()).isNull();
    assertThat(read.getTarget()).isNull();
  }

  @Test
  void shouldNameTheTypeWhenTheWriterSchemaIsUnknown() throws Exception {
    byte[] bytes = encodeWith(olderDeadLetter(), "x");
    Serde<DeadLetter> serde = SingleObjectSerde.forType(DeadLetter.class, List.of());

    assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, bytes))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("written with a DeadLetter schema this build does not know");
  }

  @Test
  void shouldSayWhenARecordIsNotSingleObjectEncoded() {
    Serde<DeadLetter> serde = AvroSerdes.singleObject().valueSerde(DeadLetter.class);

    assertThatThrownBy(
            () ->
                serde
                    .deserializer()
                    .deserialize(TOPIC, "{\"json\": true}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("not Avro single-object encoded");
  }

  @Test
  void shouldReadEveryCommittedVersionOfEveryRecord() {
    for (String path : SchemaHistory.index()) {
      String record = path.substring(0, path.indexOf('/'));
      assertThat(SchemaHistory.versionsOf("io.linkwatch.avro." + record)).isNotEmpty();
    }
  }

  /** DeadLetter before the optional fields target and attempts were added. */
  private static Schema olderDeadLetter() {
    Schema current = DeadLetter.getClassSchema();
    List<Schema.Field> fields = new ArrayList<>();
    for (Schema.Field f : current.getFields()) {
      if (!f.name().equals("target") && !f.name().equals("attempts")) {
        fields.add(new Schema.Field(f, f.schema()));
      }
    }
    return Schema.createRecord(
        current.getName(), current.getDoc(), current.getNamespace(), false, fields);
  }

  private static byte[] encodeWith(Schema older, String raw) throws Exception {
    DeadLetter template = ConfluentSerdeTest.deadLetter(raw);
    GenericRecord record = new GenericData.Record(older);
    for (Schema.Field f : older.getFields()) {
      record.put(f.name(), template.get(f.name()));
    }
    ByteBuffer buffer =
        new BinaryMessageEncoder<GenericRecord>(SpecificData.getForClass(DeadLetter.class), older)
            .encode(record);
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    return bytes;
  }
}
