package io.linkwatch.ingest.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.linkwatch.avro.DeadLetterReason;
import io.linkwatch.avro.SourceKind;
import io.linkwatch.ingest.IngestException;
import io.linkwatch.ingest.parse.AzureLogParser;
import io.linkwatch.ingest.parse.Origin;
import io.linkwatch.schemas.serde.AvroSerdes;
import io.linkwatch.schemas.topic.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class KafkaEventSinkTest {

  private static final String HUB =
      "/SUBSCRIPTIONS/0/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.DEVICES/IOTHUBS/HUB-1";

  private final Topics topics = Topics.withDefaultNames(AvroSerdes.singleObject());
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final MockProducer<byte[], byte[]> producer =
      new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
  private final KafkaEventSink sink =
      new KafkaEventSink(producer, topics, new IngestMetrics(registry, "file"), 1 << 20);

  private void parse(String json) {
    byte[] b = json.getBytes(StandardCharsets.UTF_8);
    new AzureLogParser(1 << 20, 1 << 16, () -> 0L)
        .parsePayload(b, 0, b.length, Origin.line(SourceKind.FILE, "/data/PT1H.json", 7), sink);
  }

  private static String record(String device, String time) {
    return "{\"time\":\""
        + time
        + "\",\"resourceId\":\""
        + HUB
        + "\",\"operationName\":\"deviceConnect\",\"category\":\"Connections\","
        + "\"properties\":\"{\\\"deviceId\\\":\\\""
        + device
        + "\\\"}\"}";
  }

  private double count(String name, String... tags) {
    var c = registry.find(name).tags(tags).counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void shouldKeyAndTimestampEventsAndCountThemOnceAcknowledged() {
    parse(record("d1", "2024-05-01T10:00:00.5Z") + "\n" + record("d2", "2024-05-01T10:00:01Z"));

    assertThat(producer.history()).hasSize(2);
    ProducerRecord<byte[], byte[]> first = producer.history().get(0);
    assertThat(first.topic()).isEqualTo(topics.connections().name());
    assertThat(new String(first.key(), StandardCharsets.UTF_8)).isEqualTo("hub-1/d1");
    assertThat(first.timestamp()).isEqualTo(Instant.parse("2024-05-01T10:00:00.5Z").toEpochMilli());
    assertThat(count(IngestMetrics.RECORDS_IN, "source", "file")).isEqualTo(2);
    assertThat(count(IngestMetrics.RECORDS_OUT, "source", "file", "type", "connection")).isZero();

    producer.completeNext();
    producer.completeNext();

    assertThat(count(IngestMetrics.RECORDS_OUT, "source", "file", "type", "connection"))
        .isEqualTo(2);
    assertThat(sink.unacknowledged()).isZero();
  }

  @Test
  void shouldRepeatTheProvenanceAndReasonOfADeadLetterInItsHeaders() {
    parse("{\"records\":[" + record("d1", "not a time") + "]}");

    ProducerRecord<byte[], byte[]> dl = producer.history().get(0);
    assertThat(dl.topic()).isEqualTo(topics.ingestDeadLetter().name());
    assertThat(new String(dl.key(), StandardCharsets.UTF_8)).isEqualTo("/data/PT1H.json");
    assertThat(header(dl, KafkaEventSink.H_REASON_CODE)).isEqualTo("INVALID_VALUE");
    assertThat(header(dl, KafkaEventSink.H_REASON)).contains("time 'not a time'");
    assertThat(header(dl, KafkaEventSink.H_SOURCE_KIND)).isEqualTo("FILE");
    assertThat(header(dl, KafkaEventSink.H_POSITION)).isEqualTo("7");
    assertThat(header(dl, KafkaEventSink.H_RECORD_INDEX)).isEqualTo("0");
    assertThat(dl.headers().lastHeader(KafkaEventSink.H_REQUEST_ID)).isNull();
    assertThat(
            count(
                IngestMetrics.DEADLETTERED,
                "source",
                "file",
                "reason",
                DeadLetterReason.INVALID_VALUE.name().toLowerCase()))
        .isEqualTo(1);
  }

  @Test
  void shouldReportARefusedSendWhenFlushingAndCountItByError() {
    parse(record("d1", "2024-05-01T10:00:00Z"));

    producer.errorNext(new TimeoutException("no broker"));

    assertThatThrownBy(sink::flush)
        .isInstanceOf(IngestException.class)
        .hasMessageContaining("TimeoutException")
        .hasMessageContaining("nothing after the last checkpoint is assumed stored");
    assertThat(
            count(
                IngestMetrics.PRODUCER_ERRORS,
                "source",
                "file",
                "type",
                "connection",
                "error",
                "TimeoutException"))
        .isEqualTo(1);
  }

  @Test
  void shouldCompleteABatchOnlyWhenEveryRecordIsAcknowledged() throws Exception {
    KafkaEventSink.Batch batch = sink.batch();
    byte[] b =
        (record("d1", "2024-05-01T10:00:00Z") + "\n" + record("d2", "2024-05-01T10:00:01Z"))
            .getBytes(StandardCharsets.UTF_8);
    new AzureLogParser(1 << 20, 1 << 16, () -> 0L)
        .parsePayload(b, 0, b.length, Origin.http("POST /api/v1/records", "r-1"), batch);
    batch.seal();

    assertThat(batch.await(10)).isFalse();
    producer.completeNext();
    assertThat(batch.isDone()).isFalse();
    producer.completeNext();

    assertThat(batch.await(1000)).isTrue();
    assertThat(batch.events()).isEqualTo(2);
    assertThat(batch.error()).isNull();
  }

  private static String header(ProducerRecord<?, ?> r, String name) {
    return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }
}
