package io.linkwatch.schemas.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.linkwatch.avro.DeadLetter;
import io.linkwatch.avro.DeadLetterReason;
import io.linkwatch.avro.DeadLetterStage;
import io.linkwatch.avro.Provenance;
import io.linkwatch.avro.SourceKind;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AvroJsonTest {

  private static DeadLetter deadLetter(byte[] raw) {
    return DeadLetter.newBuilder()
        .setTime(Instant.parse("2026-03-01T12:00:00.250Z"))
        .setStage(DeadLetterStage.INGEST)
        .setReasonCode(DeadLetterReason.MALFORMED_JSON)
        .setReason("unexpected end of input")
        .setRaw(ByteBuffer.wrap(raw))
        .setAttempts(3)
        .setProvenance(
            Provenance.newBuilder()
                .setSourceKind(SourceKind.FILE)
                .setSource("/logs/PT1H.json")
                .setPosition(1234L)
                .setIngestTime(Instant.parse("2026-03-01T12:00:01Z"))
                .build())
        .build();
  }

  @Test
  void shouldWriteWhatAnOperatorExpectsNotAvrosJsonEncoding() {
    JsonNode json = AvroJson.toJson(deadLetter("{\"a\":".getBytes(StandardCharsets.UTF_8)));

    assertThat(json.get("time").asText()).isEqualTo("2026-03-01T12:00:00.250Z");
    assertThat(json.get("stage").asText()).isEqualTo("INGEST");
    assertThat(json.get("attempts").isInt()).isTrue();
    assertThat(json.get("attempts").asInt()).isEqualTo(3);
    assertThat(json.get("detail").isNull()).isTrue();
    assertThat(json.get("raw").asText()).isEqualTo("{\"a\":");
    assertThat(json.get("provenance").get("position").asLong()).isEqualTo(1234L);
    assertThat(json.get("provenance").get("ingestTime").asText()).isEqualTo("2026-03-01T12:00:01Z");
  }

  @Test
  void shouldKeepTheSchemaFieldOrder() {
    JsonNode json = AvroJson.toJson(deadLetter(new byte[0]));

    assertThat(json.fieldNames())
        .toIterable()
        .startsWith("time", "stage", "reasonCode", "reason", "detail", "raw");
  }

  @Test
  void shouldWriteBinaryBytesAsBase64() {
    JsonNode json = AvroJson.toJson(deadLetter(new byte[] {(byte) 0xC3, 0x01, 0x00, (byte) 0xFF}));

    assertThat(json.get("raw").asText()).isEqualTo("base64:wwEA/w==");
  }

  @Test
  void shouldWriteOneLine() {
    assertThat(AvroJson.toJsonLine(deadLetter("line1\nline2".getBytes(StandardCharsets.UTF_8))))
        .doesNotContain("\n")
        .contains("\"raw\":\"line1\\nline2\"");
  }
}
