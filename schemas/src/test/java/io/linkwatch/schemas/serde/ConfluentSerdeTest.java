package io.linkwatch.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.linkwatch.avro.DeadLetter;
import io.linkwatch.avro.DeadLetterReason;
import io.linkwatch.avro.DeadLetterStage;
import io.linkwatch.avro.Provenance;
import io.linkwatch.avro.SourceKind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Confluent wire format against a registry that follows the documented REST contract. */
class ConfluentSerdeTest {

  private static final String TOPIC = "linkwatch.ingest.deadletter.v1";
  private static final String SUBJECT = TOPIC + "-value";

  private FakeSchemaRegistry registry;

  @BeforeEach
  void start() throws IOException {
    registry = new FakeSchemaRegistry();
  }

  @AfterEach
  void stop() {
    registry.close();
  }

  private Serde<DeadLetter> serde(Map<String, String> extra) {
    Map<String, String> config = new HashMap<>(extra);
    config.put(AvroSerdes.SCHEMA_REGISTRY_URL, registry.url());
    AvroSerdes serdes = AvroSerdes.fromConfig(config);
    assertThat(serdes.encoding()).isEqualTo(AvroSerdes.Encoding.CONFLUENT);
    return serdes.valueSerde(DeadLetter.class);
  }

  private Serde<DeadLetter> serde() {
    return serde(Map.of());
  }

  @Test
  void shouldWriteMagicByteThenBigEndianIdThenAvroBinary() throws IOException {
    registry.preRegister("unrelated-value", Schema.create(Schema.Type.STRING));
    registry.preRegister("other-value", Schema.create(Schema.Type.LONG));
    DeadLetter record = deadLetter("{\"records\": [");

    byte[] bytes = serde().serializer().serialize(TOPIC, record);

    assertThat(bytes[0]).isEqualTo((byte) 0);
    assertThat(Arrays.copyOfRange(bytes, 1, 5)).containsExactly(0, 0, 0, 3); // ids 1, 2 are taken
    assertThat(Arrays.copyOfRange(bytes, 5, bytes.length)).isEqualTo(avroBinary(record));
  }

  @Test
  void shouldWriteLargeIdsBigEndian() throws IOException {
    for (int i = 0; i < 300; i++) {
      registry.preRegister("filler-" + i + "-value", Schema.createFixed("F" + i, null, "t", 1));
    }

    byte[] bytes = serde().serializer().serialize(TOPIC, deadLetter("x"));

    assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(301);
    assertThat(Arrays.copyOfRange(bytes, 1, 5)).containsExactly(0, 0, 1, 45);
  }

  @Test
  void shouldRegisterUnderTheTopicValueSubjectOnceAndFetchEachIdOnce() {
    Serde<DeadLetter> serde = serde();

    for (int i = 0; i < 5; i++) {
      byte[] bytes = serde.serializer().serialize(TOPIC, deadLetter("line " + i));
      assertThat(serde.deserializer().deserialize(TOPIC, bytes).getReason()).isEqualTo("bad line");
    }

    assertThat(registry.requests())
        .extracting(FakeSchemaRegistry.Request::method, FakeSchemaRegistry.Request::path)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("POST", "/subjects/" + SUBJECT + "/versions"));
    assertThat(registry.requests().get(0).contentType())
        .isEqualTo("application/vnd.schemaregistry.v1+json");
    assertThat(registry.requests().get(0).body())
        .startsWith("{\"schema\":\"{\\\"type\\\":\\\"record\\\"");
  }

  @Test
  void shouldRoundTripThroughAFreshReaderThatFetchesTheSchemaById() {
    byte[] bytes = serde().serializer().serialize(TOPIC, deadLetter("{\"a\":"));

    DeadLetter read = serde().deserializer().deserialize(TOPIC, bytes);

    assertThat(read).isEqualTo(deadLetter("{\"a\":"));
    assertThat(registry.requests())
        .extracting(FakeSchemaRegistry.Request::path)
        .contains("/schemas/ids/1");
  }

  @Test
  void shouldReadRecordsWrittenWithAnOlderSchemaVersion() throws IOException {
    // an older DeadLetter: without the optional fields added later (target, attempts)
    Schema current = DeadLetter.getClassSchema();
    Schema older = withoutFields(current, "target", "attempts");
    int olderId = registry.preRegister(SUBJECT, older);
    GenericRecord old = new GenericData.Record(older);
    DeadLetter template = deadLetter("old input");
    for (Schema.Field f : older.getFields()) {
      old.put(f.name(), template.get(f.name()));
    }
    byte[] bytes = confluentBytes(olderId, old, older);

    DeadLetter read = serde().deserializer().deserialize(TOPIC, bytes);

    assertThat(read.getReason()).isEqualTo("bad line");
    assertThat(StandardCharsets.UTF_8.decode(read.getRaw()).toString()).isEqualTo("old input");
    assertThat(read.getTarget()).isNull();
    assertThat(read.getAttempts()).isNull();
  }

  @Test
  void shouldNameTheSubjectAndTheRegistryErrorWhenTheSchemaIsIncompatible() {
    Schema incompatible =
        Schema.createRecord(
            "DeadLetter",
            null,
            "io.linkwatch.avro",
            false,
            java.util.List.of(new Schema.Field("time", Schema.create(Schema.Type.STRING))));
    registry.preRegister(SUBJECT, incompatible);

    assertThatThrownBy(() -> serde().serializer().serialize(TOPIC, deadLetter("x")))
        .isInstanceOf(SchemaRegistryException.class)
        .hasMessageContaining(registry.url())
        .hasMessageContaining("subject '" + SUBJECT + "'")
        .hasMessageContaining("HTTP 409, error_code 409")
        .hasMessageContaining("incompatible")
        .satisfies(e -> assertThat(((SchemaRegistryException) e).errorCode()).isEqualTo(409));
  }

  @Test
  void shouldNameAnUnknownSchemaIdFromTheRegistry() {
    byte[] bytes = {0, 0, 0, 0, 42, 2, 3};

    assertThatThrownBy(() -> serde().deserializer().deserialize(TOPIC, bytes))
        .isInstanceOf(SchemaRegistryException.class)
        .hasMessageContaining("fetch the schema with id 42")
        .hasMessageContaining("error_code 40403");
  }

  @Test
  void shouldUseTheLatestVersionWhenAutoRegistrationIsOff() {
    int id = registry.preRegister(SUBJECT, DeadLetter.getClassSchema());

    byte[] bytes =
        serde(Map.of(AvroSerdes.AUTO_REGISTER_SCHEMAS, "false"))
            .serializer()
            .serialize(TOPIC, deadLetter("x"));

    assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(id);
    assertThat(registry.requests())
        .extracting(FakeSchemaRegistry.Request::path)
        .containsExactly("/subjects/" + SUBJECT + "/versions/latest");
  }

  @Test
  void shouldRefuseToWriteWhenAutoRegistrationIsOffAndTheSchemaIsNotRegistered() {
    Serde<DeadLetter> serde = serde(Map.of(AvroSerdes.AUTO_REGISTER_SCHEMAS, "false"));

    assertThatThrownBy(() -> serde.serializer().serialize(TOPIC, deadLetter("x")))
        .isInstanceOf(SchemaRegistryException.class)
        .hasMessageContaining("not registered under subject '" + SUBJECT + "'")
        .hasMessageContaining("the subject does not exist")
        .hasMessageContaining("auto.register.schemas=true");
  }

  @Test
  void shouldRetryServerErrorsThenSucceed() {
    registry.failNext(2);

    byte[] bytes = serde().serializer().serialize(TOPIC, deadLetter("x"));

    assertThat(bytes[0]).isZero();
    assertThat(registry.requests()).hasSize(3);
  }

  @Test
  void shouldGiveUpOnAPersistentServerErrorNamingTheRegistryAndTheCode() {
    registry.failNext(100);

    assertThatThrownBy(() -> serde().serializer().serialize(TOPIC, deadLetter("x")))
        .isInstanceOf(SchemaRegistryException.class)
        .hasMessageContaining(registry.url())
        .hasMessageContaining("HTTP 500, error_code 50001")
        .hasMessageContaining("gave up after 3 attempts");
  }

  @Test
  void shouldNameAnUnreachableRegistry() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String url = "http://127.0.0.1:" + port;
    Serde<DeadLetter> serde =
        AvroSerdes.fromConfig(Map.of(AvroSerdes.SCHEMA_REGISTRY_URL, url))
            .valueSerde(DeadLetter.class);

    assertThatThrownBy(() -> serde.serializer().serialize(TOPIC, deadLetter("x")))
        .isInstanceOf(SchemaRegistryException.class)
        .hasMessageContaining("schema registry " + url + " is unreachable")
        .hasMessageContaining("subject '" + SUBJECT + "'");
  }

  @Test
  void shouldSendBasicAuthFromUserInfo() {
    String header =
        "Basic "
            + Base64.getEncoder().encodeToString("sr-user:s3cret".getBytes(StandardCharsets.UTF_8));
    registry.requireBasicAuth(header);

    byte[] bytes =
        serde(Map.of(SchemaRegistryClient.BASIC_AUTH_USER_INFO, "sr-user:s3cret"))
            .serializer()
            .serialize(TOPIC, deadLetter("x"));

    assertThat(bytes[0]).isZero();
    assertThat(registry.requests())
        .allSatisfy(r -> assertThat(r.authorization()).isEqualTo(header));
  }

  @Test
  void shouldReportAMissingLoginAsTheRegistrysAnswer() {
    registry.requireBasicAuth("Basic x");

    assertThatThrownBy(() -> serde().serializer().serialize(TOPIC, deadLetter("x")))
        .isInstanceOf(SchemaRegistryException.class)
        .hasMessageContaining("HTTP 401")
        .hasMessageContaining("Unauthorized");
  }

  @Test
  void shouldSayWhenARecordIsNotInTheConfluentFormat() {
    byte[] singleObject =
        AvroSerdes.singleObject()
            .valueSerde(DeadLetter.class)
            .serializer()
            .serialize(TOPIC, deadLetter("x"));

    assertThatThrownBy(() -> serde().deserializer().deserialize(TOPIC, singleObject))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("not in the Confluent wire format")
        .hasMessageContaining("first byte 0xC3");
  }

  @Test
  void shouldRejectAUrlThatIsNotHttp() {
    assertThatThrownBy(
            () -> AvroSerdes.fromConfig(Map.of(AvroSerdes.SCHEMA_REGISTRY_URL, "localhost:8081")))
        .isInstanceOf(org.apache.kafka.common.config.ConfigException.class)
        .hasMessageContaining("schema.registry.url")
        .hasMessageContaining("http://");
  }

  static DeadLetter deadLetter(String raw) {
    return DeadLetter.newBuilder()
        .setTime(Instant.parse("2026-03-01T12:00:00Z"))
        .setStage(DeadLetterStage.INGEST)
        .setReasonCode(DeadLetterReason.MALFORMED_JSON)
        .setReason("bad line")
        .setRaw(ByteBuffer.wrap(raw.getBytes(StandardCharsets.UTF_8)))
        .setProvenance(
            Provenance.newBuilder()
                .setSourceKind(SourceKind.FILE)
                .setSource("/logs/PT1H.json")
                .setIngestTime(Instant.parse("2026-03-01T12:00:01Z"))
                .build())
        .build();
  }

  private static byte[] avroBinary(DeadLetter record) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new SpecificDatumWriter<>(DeadLetter.class).write(record, encoder);
    encoder.flush();
    return out.toByteArray();
  }

  private static byte[] confluentBytes(int id, GenericRecord record, Schema schema)
      throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0);
    out.write(ByteBuffer.allocate(4).putInt(id).array());
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    // the specific model knows the logical types (Instant) and enums of the generated classes
    new GenericDatumWriter<GenericRecord>(schema, SpecificData.getForClass(DeadLetter.class))
        .write(record, encoder);
    encoder.flush();
    return out.toByteArray();
  }

  private static Schema withoutFields(Schema schema, String... names) {
    java.util.List<String> drop = java.util.List.of(names);
    java.util.List<Schema.Field> fields =
        schema.getFields().stream()
            .filter(f -> !drop.contains(f.name()))
            .map(f -> new Schema.Field(f, f.schema()))
            .toList();
    return Schema.createRecord(
        schema.getName(), schema.getDoc(), schema.getNamespace(), false, fields);
  }
}
