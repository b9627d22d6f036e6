package io.linkwatch.sink.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.linkwatch.avro.Alert;
import io.linkwatch.avro.Severity;
import io.linkwatch.schemas.topic.Topics;
import io.linkwatch.sink.RecordingReceiver;
import io.linkwatch.sink.TestAlerts;
import io.linkwatch.sink.alert.Links;
import io.linkwatch.sink.dashboard.Board;
import io.linkwatch.sink.delivery.Delivery;
import io.linkwatch.sink.delivery.DeliveryObserver;
import io.linkwatch.sink.delivery.FiringSource;
import io.linkwatch.sink.delivery.SinkHarness;
import io.linkwatch.sink.routing.RoutingPlan;
import io.linkwatch.sink.routing.RoutingPlanParser;
import io.linkwatch.testkit.KafkaCluster;
import io.linkwatch.testkit.KafkaTestCluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An alert produced to the alerts topic reaches a real Prometheus Alertmanager through the sink;
 * Alertmanager's API v2 shows it, Alertmanager notifies its own webhook receiver, and the
 * resolution that follows resolves it there too.
 */
@KafkaCluster
class AlertmanagerIT {

  private static final Duration WAIT = Duration.ofSeconds(60);

  @Test
  void shouldFireThenResolveTheAlertInARealAlertmanager(KafkaTestCluster kafka, @TempDir Path dir)
      throws Exception {
    Topics topics = kafka.createLinkwatchTopics("am.");
    try (RecordingReceiver amWebhook = RecordingReceiver.start();
        AlertmanagerProcess am =
            AlertmanagerProcess.start(
                """
                route:
                  receiver: hook
                  group_by: [alertname, hub]
                  group_wait: 1s
                  group_interval: 1s
                  repeat_interval: 1h
                receivers:
                  - name: hook
                    webhook_configs:
                      - url: %s
                        send_resolved: true
                """
                    .formatted(amWebhook.url("/am")),
                dir,
                Path.of("target", "alertmanager-it.log"))) {
      RoutingPlan plan =
          RoutingPlanParser.parse(
              "receivers:\n  - {name: oncall, type: alertmanager, url: '" + am.url() + "'}\n",
              "test.yaml",
              n -> null);
      Instant firedAt =
          Instant.now().minusSeconds(5).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
      Alert fired = TestAlerts.fired("am-disconnects", "am-hub-1", Severity.SEV1, firedAt);
      Delivery first =
          SinkHarness.start(
              kafka,
              topics,
              plan,
              "am",
              SinkHarness.fastRetries(10),
              dir.resolve("state"),
              new SimpleMeterRegistry(),
              DeliveryObserver.NONE,
              FiringSource.NONE,
              System.out);
      JsonNode firingNotice;
      try (first) {
        kafka.produce(topics.alerts(), fired.getFingerprint(), fired);

        JsonNode inAm =
            await("Alertmanager's API v2 lists the alert for hub am-hub-1")
                .atMost(WAIT)
                .until(() -> find(am.alerts(), "am-hub-1"), Optional::isPresent)
                .orElseThrow();
        assertThat(inAm.path("labels").path("alertname").asText())
            .isEqualTo("Device disconnects on hub");
        assertThat(inAm.path("labels").path("severity").asText()).isEqualTo("Sev1");
        assertThat(inAm.path("labels").path("rule_id").asText()).isEqualTo("am-disconnects");
        assertThat(inAm.path("status").path("state").asText()).isEqualTo("active");
        assertThat(inAm.path("annotations").path("probable_cause").asText())
            .startsWith("Devices lose their connection");
        assertThat(inAm.path("annotations").path("observed_value").asText()).isEqualTo("57");
        assertThat(inAm.path("generatorURL").asText())
            .isEqualTo("http://localhost:48080/?alert=am-disconnects%7Chub%3Dam-hub-1");
        assertThat(Instant.parse(inAm.path("startsAt").asText())).isEqualTo(firedAt);

        firingNotice =
            await("Alertmanager notifies its webhook that the alert fires")
                .atMost(WAIT)
                .until(() -> notification(amWebhook, "firing"), Optional::isPresent)
                .orElseThrow();
        assertThat(firingNotice.path("alerts").get(0).path("labels").path("hub").asText())
            .isEqualTo("am-hub-1");
        assertThat(first.healthy()).isTrue();
      }
      Instant endsAtBeforeRestart =
          Instant.parse(find(am.alerts(), "am-hub-1").orElseThrow().path("endsAt").asText());

      // a restarted sink has committed the FIRED transition and does not read it again: it learns
      // that the alert still fires from the alerts topic (the board) and re-posts it at once, then
      // every resend_interval, pushing its endsAt forward
      Board board = new Board(plan, new Links("http://localhost:48080"), Clock.systemUTC());
      SinkHarness.Feed feed = SinkHarness.feed(kafka, topics, board);
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      try (Delivery second =
          SinkHarness.start(
              kafka,
              topics,
              plan,
              "am",
              SinkHarness.fastRetries(10),
              dir.resolve("state"),
              registry,
              board,
              board,
              System.out)) {
        await("the restarted sink re-posts the firing alert it did not read again")
            .atMost(WAIT)
            .until(
                () ->
                    registry.find("linkwatch.sink.refreshes").tag("result", "success").counter()
                        != null);
        await("Alertmanager's endsAt of the alert moves forward")
            .atMost(WAIT)
            .until(
                () ->
                    Instant.parse(
                            find(am.alerts(), "am-hub-1").orElseThrow().path("endsAt").asText())
                        .isAfter(endsAtBeforeRestart));

        Alert resolved = TestAlerts.resolved(fired, Instant.now());
        kafka.produce(topics.alerts(), resolved.getFingerprint(), resolved);

        JsonNode resolvedNotice =
            await("Alertmanager notifies its webhook that the alert is resolved")
                .atMost(WAIT)
                .until(() -> notification(amWebhook, "resolved"), Optional::isPresent)
                .orElseThrow();
        assertThat(resolvedNotice.path("alerts").get(0).path("status").asText())
            .isEqualTo("resolved");
        assertThat(resolvedNotice.path("alerts").get(0).path("fingerprint").asText())
            .as("the same series in Alertmanager: labels did not change")
            .isEqualTo(firingNotice.path("alerts").get(0).path("fingerprint").asText());
        await("Alertmanager no longer lists the alert as active")
            .atMost(WAIT)
            .until(
                () ->
                    find(am.alerts(), "am-hub-1")
                        .map(a -> !a.path("status").path("state").asText().equals("active"))
                        .orElse(true));
        assertThat(second.healthy()).isTrue();
      } finally {
        feed.close();
      }
    }
  }

  private static Optional<JsonNode> find(JsonNode alerts, String hub) {
    return StreamSupport.stream(alerts.spliterator(), false)
        .filter(a -> a.path("labels").path("hub").asText().equals(hub))
        .findFirst();
  }

  private static Optional<JsonNode> notification(RecordingReceiver r, String status) {
    return r.accepted().stream()
        .map(RecordingReceiver.Request::json)
        .filter(j -> j.path("status").asText().equals(status))
        .findFirst();
  }
}
