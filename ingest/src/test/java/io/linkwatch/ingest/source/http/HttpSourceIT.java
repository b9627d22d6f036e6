package io.linkwatch.ingest.source.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.linkwatch.avro.ConnectionEvent;
import io.linkwatch.avro.DeadLetter;
import io.linkwatch.avro.DeadLetterReason;
import io.linkwatch.ingest.config.KafkaClients;
import io.linkwatch.ingest.parse.AgentLogParser;
import io.linkwatch.ingest.parse.AzureLogParser;
import io.linkwatch.ingest.sink.IngestMetrics;
import io.linkwatch.ingest.sink.KafkaEventSink;
import io.linkwatch.ingest.testing.AzureRecords;
import io.linkwatch.schemas.topic.Topics;
import io.linkwatch.testkit.KafkaCluster;
import io.linkwatch.testkit.KafkaTestCluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.zip.GZIPOutputStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@KafkaCluster
class HttpSourceIT {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String TOKEN = "s3cret-token";
  // recent event times: the broker's time-based retention deletes rolled segments of old ones
  private static final Instant T0 = Instant.now().minus(Duration.ofHours(1));

  static KafkaTestCluster kafka;
  static Topics topics;

  private final HttpClient http = HttpClient.newHttpClient();
  private HttpSource source;
  private KafkaEventSink sink;

  @BeforeAll
  static void topics() {
    topics = kafka.createLinkwatchTopics("http.");
  }

  @AfterEach
  void stop() {
    if (source != null) {
      source.close();
    }
    if (sink != null) {
      sink.close();
    }
  }

  private SimpleMeterRegistry start(String bootstrap, long maxInflight, long ackTimeoutMs)
      throws Exception {
    Map<String, String> settings = new HashMap<>();
    settings.put("bootstrap.servers", bootstrap);
    Map<String, Object> props = KafkaClients.producer(settings, "http-it");
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 3000);
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 4000);
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 1000);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    sink =
        new KafkaEventSink(
            new KafkaProducer<>(props), topics, new IngestMetrics(registry, "http"), 1 << 20);
    source =
        new HttpSource(
                new HttpSource.Options(
                    "127.0.0.1", 0, TOKEN, 64 * 1024, maxInflight, ackTimeoutMs, 4, 7),
                sink,
                () -> new AzureLogParser(1 << 20, 1 << 16, System::currentTimeMillis),
                () -> new AgentLogParser(1 << 20, 1 << 16, System::currentTimeMillis),
                registry)
            .start();
    return registry;
  }

  private HttpResponse<String> post(String path, byte[] body, String... headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + source.port() + path))
            .timeout(Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    for (int i = 0; i + 1 < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String record(String device, int i) {
    return AzureRecords.connection("hub-h", device, T0.plusSeconds(i), "deviceConnect", null);
  }

  @Test
  void shouldStoreAnEnvelopeAndAnswerWithWhatWasStoredAndWhatWasDeadLettered() throws Exception {
    start(kafka.bootstrapServers(), 1 << 20, 20_000);
    String envelope =
        "{\"records\":[" + record("h-1", 1) + "," + record("h-2", 2) + ",{\"time\":\"x\"}]}";

    HttpResponse<String> r =
        post(
            HttpSource.RECORDS_PATH,
            envelope.getBytes(StandardCharsets.UTF_8),
            "Authorization",
            "Bearer " + TOKEN,
            "X-Request-Id",
            "req-42");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body())
        .contains("\"requestId\":\"req-42\"")
        .contains("\"events\":2")
        .contains("\"deadLettered\":1")
        .contains("MISSING_FIELD");
    List<ConsumerRecord<String, ConnectionEvent>> events =
        kafka.awaitRecords(
            topics.connections(),
            rs -> rs.stream().anyMatch(c -> c.key().equals("hub-h/h-2")),
            "the events of h-1 and h-2",
            WAIT);
    assertThat(events).extracting(ConsumerRecord::key).contains("hub-h/h-1", "hub-h/h-2");
    ConsumerRecord<String, DeadLetter> dead =
        kafka.awaitRecord(
            topics.ingestDeadLetter(),
            d -> "req-42".equals(d.value().getProvenance().getRequestId()),
            "the dead letter of request req-42",
            WAIT);
    assertThat(dead.value().getReasonCode()).isEqualTo(DeadLetterReason.MISSING_FIELD);
    assertThat(dead.value().getProvenance().getRecordIndex()).isEqualTo(2);
  }

  @Test
  void shouldAcceptGzippedNdjsonAndAgentLogLines() throws Exception {
    start(kafka.bootstrapServers(), 1 << 20, 20_000);
    String ndjson = record("g-1", 3) + "\n" + record("g-2", 4) + "\n";
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(gz)) {
      z.write(ndjson.getBytes(StandardCharsets.UTF_8));
    }

    HttpResponse<String> records =
        post(
            HttpSource.RECORDS_PATH,
            gz.toByteArray(),
            "Authorization",
            "Bearer " + TOKEN,
            "Content-Encoding",
            "gzip",
            "Content-Type",
            "application/x-ndjson");
    HttpResponse<String> lines =
        post(
            HttpSource.AGENT_LOGS_PATH + "?machine=arc-http-1",
            ("time=\"2024-05-01T10:00:00Z\" level=error msg=\"Failed to acquire authorization"
                    + " token from SPN: Invalid client secret is provided\"\n")
                .getBytes(StandardCharsets.UTF_8),
            "Authorization",
            "Bearer " + TOKEN);

    assertThat(records.statusCode()).as(records.body()).isEqualTo(200);
    assertThat(records.body()).contains("\"events\":2");
    assertThat(lines.statusCode()).as(lines.body()).isEqualTo(200);
    kafka.awaitRecord(topics.connections(), c -> c.key().equals("hub-h/g-2"), "g-2", WAIT);
    assertThat(
            kafka
                .awaitRecord(topics.agent(), a -> a.key().equals("arc-http-1"), "agent line", WAIT)
                .value()
                .getCause()
                .name())
        .isEqualTo("INVALID_CLIENT_SECRET");
  }

  @Test
  void shouldRefuseWithoutTheTokenOverTheLimitAndWhenNothingCanBeRead() throws Exception {
    start(kafka.bootstrapServers(), 1 << 20, 20_000);
    byte[] one = record("x-1", 5).getBytes(StandardCharsets.UTF_8);

    HttpResponse<String> noToken = post(HttpSource.RECORDS_PATH, one);
    HttpResponse<String> wrongToken =
        post(HttpSource.RECORDS_PATH, one, "Authorization", "Bearer nope");
    HttpResponse<String> tooLarge =
        post(HttpSource.RECORDS_PATH, new byte[100 * 1024], "Authorization", "Bearer " + TOKEN);
    HttpResponse<String> garbage =
        post(
            HttpSource.RECORDS_PATH,
            "this is not json".getBytes(StandardCharsets.UTF_8),
            "Authorization",
            "Bearer " + TOKEN,
            "X-Request-Id",
            "req-garbage");
    HttpResponse<String> noMachine =
        post(HttpSource.AGENT_LOGS_PATH, one, "Authorization", "Bearer " + TOKEN);

    assertThat(noToken.statusCode()).isEqualTo(401);
    assertThat(noToken.headers().firstValue("WWW-Authenticate"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
    assertThat(wrongToken.statusCode()).isEqualTo(401);
    assertThat(tooLarge.statusCode()).isEqualTo(413);
    assertThat(tooLarge.body()).contains("ingest.http.max.body.bytes");
    assertThat(garbage.statusCode()).isEqualTo(400);
    assertThat(garbage.body()).contains("MALFORMED_JSON").contains("\"events\":0");
    assertThat(noMachine.statusCode()).isEqualTo(400);
    assertThat(noMachine.body()).contains("?machine=");
    // what could not be read is kept all the same
    kafka.awaitRecord(
        topics.ingestDeadLetter(),
        d -> "req-garbage".equals(d.value().getProvenance().getRequestId()),
        "the dead letter of the garbage request",
        WAIT);
  }

  @Test
  void shouldAnswer429And503WithRetryAfterWhenTheBrokerCannotKeepUp() throws Exception {
    // a broker that does not answer: sends wait, then fail
    SimpleMeterRegistry registry = start("127.0.0.1:1", 1024, 1_000);
    byte[] body = (record("b-1", 1) + "\n" + record("b-2", 2)).getBytes(StandardCharsets.UTF_8);

    CompletableFuture<HttpResponse<String>> first =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return post(HttpSource.RECORDS_PATH, body, "Authorization", "Bearer " + TOKEN);
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    await("the first request in flight")
        .atMost(WAIT)
        .until(() -> registry.get("linkwatch.ingest.http.inflight.bytes").gauge().value() > 0);
    HttpResponse<String> second =
        post(HttpSource.RECORDS_PATH, body, "Authorization", "Bearer " + TOKEN);
    HttpResponse<String> firstAnswer = first.get();
    HttpResponse<String> third =
        post(HttpSource.RECORDS_PATH, body, "Authorization", "Bearer " + TOKEN);

    assertThat(second.statusCode()).isEqualTo(429);
    assertThat(second.headers().firstValue("Retry-After")).hasValue("7");
    assertThat(firstAnswer.statusCode()).isEqualTo(503);
    assertThat(firstAnswer.headers().firstValue("Retry-After")).hasValue("7");
    assertThat(third.statusCode()).isEqualTo(503);
    assertThat(third.body()).contains("not acknowledging");
  }
}
