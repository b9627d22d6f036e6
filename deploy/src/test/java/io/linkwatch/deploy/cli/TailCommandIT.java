package io.linkwatch.deploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.linkwatch.avro.ConnectionEvent;
import io.linkwatch.avro.DeadLetter;
import io.linkwatch.avro.DeadLetterReason;
import io.linkwatch.avro.DeadLetterStage;
import io.linkwatch.avro.IotHubOperation;
import io.linkwatch.avro.Level;
import io.linkwatch.avro.Provenance;
import io.linkwatch.avro.SourceKind;
import io.linkwatch.schemas.topic.Topics;
import io.linkwatch.testkit.KafkaCluster;
import io.linkwatch.testkit.KafkaTestCluster;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code linkwatch tail} prints linkwatch's Avro records as plain JSON lines. */
@KafkaCluster
class TailCommandIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant TIME = Instant.parse("2026-03-01T12:00:00.250Z");

  static Topics topics;

  @BeforeAll
  static void records(KafkaTestCluster kafka) {
    topics = kafka.createLinkwatchTopics();
    kafka.produce(topics.connections(), "hub-1/dev-1", connect("dev-1", 401003));
    kafka.produce(topics.connections(), "hub-1/dev-2", connect("dev-2", null));
    kafka.produce(topics.ingestDeadLetter(), "file:/logs/PT1H.json", deadLetter());
  }

  @Test
  void shouldPrintAvroRecordsAsPlainJsonLines(KafkaTestCluster kafka) throws Exception {
    CliRun run =
        CliRun.of(
            "tail",
            "connections",
            "--from-beginning",
            "--max",
            "2",
            "--format",
            "json",
            "-b",
            kafka.bootstrapServers());

    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.outLines()).hasSize(2);
    List<JsonNode> lines = run.outLines().stream().map(TailCommandIT::parse).toList();
    JsonNode failed =
        lines.stream().filter(l -> l.get("key").asText().equals("hub-1/dev-1")).findFirst().get();
    assertThat(failed.get("topic").asText()).isEqualTo("linkwatch.events.connections.v1");
    assertThat(failed.get("offset").isNumber()).isTrue();
    JsonNode value = failed.get("value");
    assertThat(value.get("time").asText()).isEqualTo("2026-03-01T12:00:00.250Z");
    assertThat(value.get("operation").asText()).isEqualTo("DEVICE_CONNECT");
    assertThat(value.get("resultCode").asInt()).isEqualTo(401003);
    assertThat(value.get("deviceId").asText()).isEqualTo("dev-1");
    assertThat(value.get("provenance").get("sourceKind").asText()).isEqualTo("SIMULATOR");
    JsonNode ok =
        lines.stream().filter(l -> l.get("key").asText().equals("hub-1/dev-2")).findFirst().get();
    assertThat(ok.get("value").get("resultCode").isNull()).isTrue();
  }

  @Test
  void shouldShowTheRawInputOfADeadLetterAsText(KafkaTestCluster kafka) {
    CliRun run =
        CliRun.of(
            "tail",
            "ingest-deadletter",
            "-f",
            "-n",
            "1",
            "--format",
            "json",
            "-b",
            kafka.bootstrapServers());

    assertThat(run.exitCode()).as(run.toString()).isZero();
    JsonNode value = parse(run.outLines().get(0)).get("value");
    assertThat(value.get("raw").asText()).isEqualTo("{\"records\": [ {\"time\": ");
    assertThat(value.get("reasonCode").asText()).isEqualTo("MALFORMED_JSON");
  }

  @Test
  void shouldStopQuietlyWhenNothingArrivesWithinTheTimeout(KafkaTestCluster kafka) {
    CliRun run =
        CliRun.of(
            "tail",
            "alerts",
            "--timeout",
            "1s",
            "--format",
            "json",
            "-b",
            kafka.bootstrapServers());

    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.out()).isEmpty();
  }

  @Test
  void shouldSayWhenTheTopicDoesNotExist(KafkaTestCluster kafka) {
    CliRun run = CliRun.of("tail", "no.such.topic", "-b", kafka.bootstrapServers());

    assertThat(run.exitCode()).isEqualTo(ExitCode.FAILED);
    assertThat(run.errLines()).singleElement().asString().contains("no.such.topic does not exist");
  }

  @Test
  void shouldPrintOtherTopicsAsText(KafkaTestCluster kafka) {
    kafka.createTopic("eventhubs.raw", 1);
    kafka.produce("eventhubs.raw", null, "{\"records\":[]}".getBytes(StandardCharsets.UTF_8));

    CliRun run =
        CliRun.of(
            "tail",
            "eventhubs.raw",
            "-f",
            "-n",
            "1",
            "--format",
            "json",
            "-b",
            kafka.bootstrapServers());

    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(parse(run.outLines().get(0)).get("value").asText()).isEqualTo("{\"records\":[]}");
  }

  private static JsonNode parse(String line) {
    try {
      return JSON.readTree(line);
    } catch (Exception e) {
      throw new AssertionError("not a JSON line: " + line, e);
    }
  }

  private static ConnectionEvent connect(String device, Integer resultCode) {
    return ConnectionEvent.newBuilder()
        .setEventId(device + "-1")
        .setTime(TIME)
        .setHub("hub-1")
        .setDeviceId(device)
        .setCategory("Connections")
        .setOperationName("deviceConnect")
        .setOperation(IotHubOperation.DEVICE_CONNECT)
        .setResultCode(resultCode)
        .setLevel(resultCode == null ? Level.INFORMATIONAL : Level.ERROR)
        .setResourceId(
            "/SUBSCRIPTIONS/S/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.DEVICES/IOTHUBS/HUB-1")
        .setProvenance(provenance())
        .build();
  }

  private static DeadLetter deadLetter() {
    return DeadLetter.newBuilder()
        .setTime(TIME)
        .setStage(DeadLetterStage.INGEST)
        .setReasonCode(DeadLetterReason.MALFORMED_JSON)
        .setReason("unexpected end of input at line 1, column 22")
        .setRaw(ByteBuffer.wrap("{\"records\": [ {\"time\": ".getBytes(StandardCharsets.UTF_8)))
        .setProvenance(provenance())
        .build();
  }

  private static Provenance provenance() {
    return Provenance.newBuilder()
        .setSourceKind(SourceKind.SIMULATOR)
        .setSource("test")
        .setIngestTime(TIME)
        .build();
  }
}
