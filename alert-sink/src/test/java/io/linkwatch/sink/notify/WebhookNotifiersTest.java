package io.linkwatch.sink.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.linkwatch.avro.Alert;
import io.linkwatch.avro.Severity;
import io.linkwatch.sink.RecordingReceiver;
import io.linkwatch.sink.RecordingReceiver.Reply;
import io.linkwatch.sink.TestAlerts;
import io.linkwatch.sink.alert.Links;
import io.linkwatch.sink.routing.ReceiverSpec;
import io.linkwatch.sink.routing.ReceiverType;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Each HTTP notifier against a real in-test HTTP server that checks what it receives. */
class WebhookNotifiersTest {

  private static final Links LINKS = new Links("http://dash.example:8088");
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2025-06-01T12:00:30Z"), ZoneOffset.UTC);
  private final RecordingReceiver receiver = RecordingReceiver.start();

  @AfterEach
  void stop() {
    receiver.close();
  }

  private ReceiverSpec spec(ReceiverType type, String secret, ReceiverSpec.WebhookFormat format) {
    return new ReceiverSpec(
        "r1",
        type,
        receiver.url("/hook"),
        Duration.ofSeconds(5),
        Map.of("x-api-key", "k1"),
        secret,
        format,
        true,
        Duration.ofMinutes(1));
  }

  private static Notification single(Alert a) {
    return new Notification(
        "r1", a.getAlertId() + ":" + a.getSequence(), "", Map.of(), List.of(a), "transition");
  }

  @Test
  void shouldSignTheGenericWebhookSoTheReceiverCanVerifyIt() throws Exception {
    String secret = "s3cret";
    // the receiver verifies like a real one: HMAC over "<timestamp>.<raw body>", constant-time
    // compare
    receiver.check(
        r -> {
          String expected =
              "sha256=" + WebhookNotifier.sign(secret, r.header("X-Linkwatch-Timestamp"), r.body());
          boolean ok =
              r.header("X-Linkwatch-Signature") != null
                  && MessageDigest.isEqual(
                      expected.getBytes(StandardCharsets.UTF_8),
                      r.header("X-Linkwatch-Signature").getBytes(StandardCharsets.UTF_8));
          return ok ? Reply.ok() : new Reply(401, Map.of());
        });
    Alert fired = TestAlerts.fired("hub-1", Severity.SEV1);

    new WebhookNotifier(
            spec(ReceiverType.WEBHOOK, secret, ReceiverSpec.WebhookFormat.JSON), LINKS, CLOCK)
        .send(single(fired));

    RecordingReceiver.Request req = receiver.accepted().get(0);
    assertThat(req.header("Idempotency-Key")).isEqualTo(fired.getAlertId() + ":1");
    assertThat(req.header("X-Linkwatch-Timestamp"))
        .isEqualTo(Long.toString(CLOCK.instant().getEpochSecond()));
    assertThat(req.header("x-api-key")).isEqualTo("k1");
    JsonNode body = req.json();
    assertThat(body.path("version").asText()).isEqualTo("linkwatch.webhook.v1");
    assertThat(body.path("status").asText()).isEqualTo("firing");
    assertThat(body.path("idempotencyKey").asText()).isEqualTo(fired.getAlertId() + ":1");
    JsonNode alert = body.path("alerts").get(0);
    assertThat(alert.path("labels").path("alertname").asText())
        .isEqualTo("Device disconnects on hub");
    assertThat(alert.path("labels").path("severity").asText()).isEqualTo("Sev1");
    assertThat(alert.path("labels").path("hub").asText()).isEqualTo("hub-1");
    assertThat(alert.path("condition").path("observedValue").asDouble()).isEqualTo(57);
    assertThat(alert.path("condition").path("threshold").asDouble()).isEqualTo(20);
    assertThat(alert.path("hint").path("probableCause").asText())
        .startsWith("Devices lose their connection");
    assertThat(alert.path("evidence").path("sampleEvents").get(0).path("offset").asLong())
        .isEqualTo(1234);
    assertThat(alert.path("url").asText())
        .isEqualTo("http://dash.example:8088/?alert=hub-disconnects%7Chub%3Dhub-1");
  }

  @Test
  void shouldBeRefusedByAReceiverThatChecksAnotherSecret() {
    receiver.check(
        r ->
            ("sha256=" + WebhookNotifier.sign("other", r.header("X-Linkwatch-Timestamp"), r.body()))
                    .equals(r.header("X-Linkwatch-Signature"))
                ? Reply.ok()
                : new Reply(401, Map.of()));
    WebhookNotifier n =
        new WebhookNotifier(
            spec(ReceiverType.WEBHOOK, "s3cret", ReceiverSpec.WebhookFormat.JSON), LINKS, CLOCK);

    assertThatThrownBy(() -> n.send(single(TestAlerts.fired("hub-1", Severity.SEV1))))
        .isInstanceOfSatisfying(
            DeliveryException.class,
            e -> {
              assertThat(e.retriable()).as("a refusal is not retried").isFalse();
              assertThat(e.reason()).isEqualTo("http_4xx");
              assertThat(e.getMessage()).contains("HTTP 401");
            });
  }

  @Test
  void shouldSendASlackMessageWithSeverityColourAndHint() throws Exception {
    Alert fired = TestAlerts.fired("hub-1", Severity.SEV0);
    Alert resolved =
        TestAlerts.resolved(
            TestAlerts.fired("hub-2", Severity.SEV2), TestAlerts.T0.plusSeconds(300));

    new WebhookNotifier(
            spec(ReceiverType.WEBHOOK, null, ReceiverSpec.WebhookFormat.SLACK), LINKS, CLOCK)
        .send(
            new Notification(
                "r1", "group:abc", "{hub=\"x\"}", Map.of(), List.of(fired, resolved), "group"));

    JsonNode body = receiver.accepted().get(0).json();
    assertThat(body.path("text").asText()).isEqualTo("2 alerts for {hub=\"x\"}");
    JsonNode first = body.path("attachments").get(0);
    assertThat(first.path("color").asText()).isEqualTo("#b71c1c");
    assertThat(first.path("title").asText()).isEqualTo("[FIRING] Sev0 Device disconnects on hub");
    assertThat(first.path("text").asText()).contains("*Probable cause:*").contains("*What to do:*");
    assertThat(first.path("title_link").asText()).startsWith("http://dash.example:8088/?alert=");
    assertThat(body.path("attachments").get(1).path("color").asText()).isEqualTo("#2e7d32");
    assertThat(receiver.accepted().get(0).header("X-Linkwatch-Signature"))
        .as("no secret, no signature")
        .isNull();
  }

  @Test
  void shouldPostOneCommonAlertSchemaPayloadPerAlertWithTheDocumentedFields() throws Exception {
    Alert fired = TestAlerts.fired("hub-1", Severity.SEV2);
    Alert resolved = TestAlerts.resolved(fired, TestAlerts.T0.plusSeconds(300));
    CommonAlertSchemaNotifier n =
        new CommonAlertSchemaNotifier(
            spec(ReceiverType.COMMON_ALERT_SCHEMA, null, ReceiverSpec.WebhookFormat.JSON), LINKS);

    n.send(new Notification("r1", "group:x", "g", Map.of(), List.of(fired, resolved), "group"));

    assertThat(receiver.accepted()).hasSize(2);
    JsonNode firedBody = receiver.accepted().get(0).json();
    assertThat(firedBody.path("schemaId").asText()).isEqualTo("azureMonitorCommonAlertSchema");
    JsonNode e = firedBody.path("data").path("essentials");
    List<String> fields = new ArrayList<>();
    e.fieldNames().forEachRemaining(fields::add);
    assertThat(fields)
        .containsAll(
            List.of(
                "alertId",
                "alertRule",
                "severity",
                "signalType",
                "monitorCondition",
                "monitoringService",
                "alertTargetIDs",
                "configurationItems",
                "originAlertId",
                "firedDateTime",
                "description",
                "essentialsVersion",
                "alertContextVersion"));
    assertThat(e.path("severity").asText()).isEqualTo("Sev2");
    assertThat(e.path("signalType").asText()).isEqualTo("Metric");
    assertThat(e.path("monitorCondition").asText()).isEqualTo("Fired");
    assertThat(e.path("firedDateTime").asText()).isEqualTo("2025-06-01T12:00:00Z");
    assertThat(e.has("resolvedDateTime")).isFalse();
    assertThat(e.path("alertTargetIDs").get(0).asText())
        .isEqualTo(
            "/subscriptions/0000/resourcegroups/rg-iot/providers/microsoft.devices/iothubs/hub-1");
    assertThat(e.path("configurationItems").get(0).asText()).isEqualTo("hub-1");
    assertThat(e.path("targetResourceGroup").asText()).isEqualTo("rg-iot");
    assertThat(e.path("targetResourceType").asText()).isEqualTo("microsoft.devices/iothubs");
    assertThat(e.path("investigationLink").asText()).startsWith("http://dash.example:8088/?alert=");

    JsonNode ctx = firedBody.path("data").path("alertContext");
    assertThat(ctx.path("conditionType").asText())
        .isEqualTo("MultipleResourceMultipleMetricCriteria");
    assertThat(ctx.path("condition").path("windowSize").asText()).isEqualTo("PT5M");
    JsonNode criterion = ctx.path("condition").path("allOf").get(0);
    assertThat(criterion.path("metricName").asText()).isEqualTo("iothub.disconnects");
    assertThat(criterion.path("operator").asText()).isEqualTo("GreaterThan");
    assertThat(criterion.path("threshold").asText()).isEqualTo("20");
    assertThat(criterion.path("timeAggregation").asText()).isEqualTo("Count");
    assertThat(criterion.path("metricValue").asDouble()).isEqualTo(57);
    assertThat(criterion.path("dimensions").toString())
        .contains("{\"name\":\"hub\",\"value\":\"hub-1\"}");
    assertThat(ctx.path("condition").path("windowStartTime").asText())
        .isEqualTo("2025-06-01T11:55:00Z");
    assertThat(ctx.path("condition").path("windowEndTime").asText())
        .isEqualTo("2025-06-01T12:00:00Z");
    JsonNode custom = firedBody.path("data").path("customProperties");
    assertThat(custom.path("idempotencyKey").asText()).isEqualTo(fired.getAlertId() + ":1");
    assertThat(custom.path("solution").asText()).startsWith("Check the site's connectivity");

    JsonNode resolvedEssentials = receiver.accepted().get(1).json().path("data").path("essentials");
    assertThat(resolvedEssentials.path("monitorCondition").asText()).isEqualTo("Resolved");
    assertThat(resolvedEssentials.path("resolvedDateTime").asText())
        .isEqualTo("2025-06-01T12:05:00Z");
    assertThat(receiver.accepted().get(1).header("Idempotency-Key"))
        .isEqualTo(fired.getAlertId() + ":2");
  }

  @Test
  void shouldRetryAThrottledRequestAfterTheReceiversRetryAfter() {
    receiver.script(new Reply(429, Map.of("Retry-After", "7")));
    WebhookNotifier n =
        new WebhookNotifier(
            spec(ReceiverType.WEBHOOK, null, ReceiverSpec.WebhookFormat.JSON), LINKS, CLOCK);

    assertThatThrownBy(() -> n.send(single(TestAlerts.fired("hub-1", Severity.SEV1))))
        .isInstanceOfSatisfying(
            DeliveryException.class,
            e -> {
              assertThat(e.retriable()).isTrue();
              assertThat(e.reason()).isEqualTo("http_429");
              assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(7));
            });
  }

  @Test
  void shouldRetryServerErrorsAndRefusedConnections() throws Exception {
    receiver.script(new Reply(503, Map.of()));
    WebhookNotifier n =
        new WebhookNotifier(
            spec(ReceiverType.WEBHOOK, null, ReceiverSpec.WebhookFormat.JSON), LINKS, CLOCK);
    assertThatThrownBy(() -> n.send(single(TestAlerts.fired("hub-1", Severity.SEV1))))
        .isInstanceOfSatisfying(
            DeliveryException.class, e -> assertThat(e.reason()).isEqualTo("http_5xx"));

    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    ReceiverSpec down =
        new ReceiverSpec(
            "down",
            ReceiverType.WEBHOOK,
            URI.create("http://127.0.0.1:" + closedPort + "/"),
            Duration.ofSeconds(2),
            Map.of(),
            null,
            ReceiverSpec.WebhookFormat.JSON,
            true,
            Duration.ofMinutes(1));
    assertThatThrownBy(
            () ->
                new WebhookNotifier(down, LINKS, CLOCK)
                    .send(single(TestAlerts.fired("hub-1", Severity.SEV1))))
        .isInstanceOfSatisfying(
            DeliveryException.class,
            e -> {
              assertThat(e.retriable()).isTrue();
              assertThat(e.reason()).isEqualTo("connection_refused");
            });
  }

  @Test
  void shouldMapAnAlertToAlertmanagerLabelsAndAnnotations() {
    Alert fired = TestAlerts.fired("hub-1", Severity.SEV1);
    AlertmanagerNotifier am =
        new AlertmanagerNotifier(
            spec(ReceiverType.ALERTMANAGER, null, ReceiverSpec.WebhookFormat.JSON), LINKS, CLOCK);

    JsonNode firing = am.body(List.of(fired)).get(0);
    JsonNode done =
        am.body(List.of(TestAlerts.resolved(fired, TestAlerts.T0.plusSeconds(300)))).get(0);

    assertThat(firing.path("labels").toString())
        .isEqualTo(
            "{\"alertname\":\"Device disconnects on hub\",\"hub\":\"hub-1\",\"resultCode\":\"404104\","
                + "\"rule_id\":\"hub-disconnects\",\"severity\":\"Sev1\",\"signal\":\"iothub.disconnects\",\"team\":\"iot-oncall\"}");
    assertThat(done.path("labels"))
        .as("labels, hence the fingerprint, do not change")
        .isEqualTo(firing.path("labels"));
    assertThat(firing.path("annotations").path("probable_cause").asText()).isNotBlank();
    assertThat(firing.path("annotations").path("observed_value").asText()).isEqualTo("57");
    assertThat(firing.path("annotations").path("threshold").asText()).isEqualTo("20");
    assertThat(firing.path("startsAt").asText()).isEqualTo("2025-06-01T12:00:00Z");
    assertThat(firing.path("endsAt").asText())
        .as("4 re-send intervals ahead")
        .isEqualTo("2025-06-01T12:04:30Z");
    assertThat(done.path("endsAt").asText()).isEqualTo("2025-06-01T12:00:30Z");
    assertThat(firing.path("generatorURL").asText())
        .isEqualTo("http://dash.example:8088/?alert=hub-disconnects%7Chub%3Dhub-1");
  }

  @Test
  void shouldPrintTheAlertAndItsHintOnTheConsole() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ConsoleNotifier console =
        new ConsoleNotifier(
            "console", new PrintStream(out, true, StandardCharsets.UTF_8), false, LINKS);

    console.send(single(TestAlerts.fired("hub-1", Severity.SEV1)));

    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(text)
        .startsWith(
            "12:00:00Z  FIRED      Sev1  Device disconnects on hub  iothub.disconnects count = 57 > 20 over 5m (hub=hub-1, resultCode=404104)")
        .contains("cause: Devices lose their connection")
        .contains("fix:   Check the site's connectivity")
        .contains("evidence: http://dash.example:8088/?alert=")
        .doesNotContain("\u001b[");
  }

  @Test
  void shouldSayNoDataWhereTheWindowHadNothingToComputeTheValueFrom() throws Exception {
    Alert fired = TestAlerts.fired("hub-1", Severity.SEV2);
    Alert resolved = TestAlerts.resolved(fired, TestAlerts.T0.plusSeconds(300));
    resolved.getCondition().setObservedValue(Double.NaN); // a ratio over a window without attempts
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ConsoleNotifier console =
        new ConsoleNotifier(
            "console", new PrintStream(out, true, StandardCharsets.UTF_8), false, LINKS);
    CommonAlertSchemaNotifier cas =
        new CommonAlertSchemaNotifier(
            spec(ReceiverType.COMMON_ALERT_SCHEMA, null, ReceiverSpec.WebhookFormat.JSON), LINKS);

    console.send(single(resolved));
    cas.send(single(resolved));

    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("iothub.disconnects count = no data over 5m, fires at > 20")
        .doesNotContain("NaN");
    JsonNode criterion =
        receiver
            .accepted()
            .get(0)
            .json()
            .path("data")
            .path("alertContext")
            .path("condition")
            .path("allOf")
            .get(0);
    assertThat(criterion.path("metricValue").isNull())
        .as("metricValue is JSON null, not the string NaN: " + criterion)
        .isTrue();
  }
}
