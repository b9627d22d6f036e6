package io.linkwatch.sink.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.linkwatch.avro.Alert;
import io.linkwatch.avro.AlertTransition;
import io.linkwatch.avro.Severity;
import io.linkwatch.avro.WindowedAggregate;
import io.linkwatch.schemas.topic.Topics;
import io.linkwatch.sink.TestAlerts;
import io.linkwatch.sink.alert.Links;
import io.linkwatch.sink.delivery.Delivery;
import io.linkwatch.sink.delivery.SinkHarness;
import io.linkwatch.sink.routing.RoutingPlan;
import io.linkwatch.sink.routing.RoutingPlanParser;
import io.linkwatch.testkit.KafkaCluster;
import io.linkwatch.testkit.KafkaTestCluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard in a real headless Chromium: alerts produced to the topic a moment before appear on
 * the page (live, over server-sent events), inhibited and flapping ones marked, with charts of the
 * aggregates; screenshots are saved under target/ for a person to look at.
 */
@KafkaCluster
class DashboardIT {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void shouldShowAnAlertProducedAMomentBeforeInARealBrowser(
      KafkaTestCluster kafka, @TempDir Path dir) throws Exception {
    Topics topics = kafka.createLinkwatchTopics("dash.");
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    RoutingPlan plan =
        RoutingPlanParser.parse(
            """
            receivers:
              - {name: console, type: console}
            silences:
              - name: lab hubs, nightly patching
                matchers: ['hub=~"lab-.*"']
                schedule: {time_zone: Europe/Paris, days: [mon-fri], start: "22:00", end: "02:00"}
            """,
            "test.yaml",
            n -> null);
    Clock clock = Clock.systemUTC();
    Board board = new Board(plan, new Links("http://localhost:48080"), clock);

    // aggregates of two signals over the last hour, for the charts
    for (int w = 60; w >= 1; w--) {
      Instant end = now.minus(w, ChronoUnit.MINUTES);
      for (String hub : new String[] {"hub-1", "hub-2", "hub-3"}) {
        long count =
            hub.equals("hub-1")
                ? 5 + (60 - w) * (w < 15 ? 4 : 0) + (w % 7)
                : 3 + (w * 7 + hub.hashCode()) % 6;
        produceAggregate(kafka, topics, "iothub.disconnects", Map.of("hub", hub), end, count);
      }
      produceAggregate(
          kafka, topics, "dps.attestation.failures", Map.of("dps", "dps-eu"), end, 1 + (w % 5));
    }
    Alert throttling =
        named(
            TestAlerts.fired("hub-throttling", "hub-1", Severity.SEV0, now.minusSeconds(240)),
            "Hub-wide throttling (429001)",
            "iothub.throttled");
    Alert inhibited =
        TestAlerts.inhibited(
            TestAlerts.fired("device-disconnects", "hub-1", Severity.SEV1, now.minusSeconds(200)),
            throttling.getFingerprint());
    Alert flapping =
        Alert.newBuilder(
                named(
                    TestAlerts.fired(
                        "dps-attestation", "hub-2", Severity.SEV2, now.minusSeconds(900)),
                    "DPS attestation failures",
                    "dps.attestation.failures"))
            .setTransition(AlertTransition.FLAPPING)
            .setFlapping(true)
            .setSequence(5)
            .build();
    Alert warning =
        named(
            TestAlerts.fired("agent-unreachable", "hub-3", Severity.SEV3, now.minusSeconds(1800)),
            "Arc agent cannot reach Azure",
            "arc.agent.errors");
    Alert gone =
        named(
            TestAlerts.fired("hub-429", "hub-2", Severity.SEV2, now.minusSeconds(3000)),
            "DPS throttled (429)",
            "dps.throttled");
    for (Alert a :
        new Alert[] {
          throttling,
          inhibited,
          flapping,
          warning,
          gone,
          TestAlerts.resolved(gone, now.minusSeconds(1200))
        }) {
      kafka.produce(topics.alerts(), a.getFingerprint(), a);
    }

    SinkHarness.Feed feed = SinkHarness.feed(kafka, topics, board);
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    try (Delivery delivery =
            SinkHarness.start(
                kafka,
                topics,
                plan,
                "dash",
                SinkHarness.fastRetries(3),
                dir.resolve("state"),
                new SimpleMeterRegistry(),
                board,
                board,
                new PrintStream(console, true, StandardCharsets.UTF_8));
        DashboardServer server =
            DashboardServer.start(
                board, "127.0.0.1", 0, () -> "# metrics\n", delivery::healthy, clock)) {
      await("the board reads the alerts topic to its end").atMost(WAIT).until(board::caughtUp);
      String base = "http://127.0.0.1:" + server.port();

      try (HeadlessChromium chromium =
          HeadlessChromium.start(
              dir.resolve("chromium"), Path.of("target", "chromium-it.log"), 1440, 1000)) {
        chromium.navigate(base + "/");
        await("the page connects to the live feed and lists 4 active alerts")
            .atMost(WAIT)
            .until(
                () ->
                    chromium
                            .eval("document.getElementById('live-status')?.textContent")
                            .asText()
                            .equals("live")
                        && chromium
                                .eval(
                                    "document.querySelectorAll('#active-alerts .alert-card').length")
                                .asInt()
                            == 4);

        // a moment after the page loaded, a new alert is produced: it appears without a reload
        Alert fresh =
            TestAlerts.fired("dps-registration-failures", "hub-4", Severity.SEV1, Instant.now());
        kafka.produce(topics.alerts(), fresh.getFingerprint(), fresh);
        String card =
            "document.querySelector('#active-alerts .alert-card[data-fingerprint=\""
                + fresh.getFingerprint()
                + "\"]')";
        await("the alert produced a moment before shows on the page")
            .atMost(WAIT)
            .until(() -> chromium.eval(card + " !== null").asBoolean());
        await("the charts have drawn the aggregates")
            .atMost(WAIT)
            .until(
                () ->
                    chromium.eval("document.querySelectorAll('#signals canvas').length").asInt()
                        == 2);

        assertThat(chromium.eval(card + ".querySelector('.sev').textContent").asText())
            .isEqualTo("Sev1");
        assertThat(chromium.eval(card + ".querySelector('.hint').textContent").asText())
            .contains("Probable cause:");
        assertThat(
                chromium
                    .eval("document.querySelector('.alert-card.inhibited .tag.inhibited') !== null")
                    .asBoolean())
            .as("the inhibited alert is marked")
            .isTrue();
        assertThat(
                chromium
                    .eval("document.querySelector('.alert-card .tag.flapping') !== null")
                    .asBoolean())
            .as("the flapping alert is marked")
            .isTrue();
        assertThat(
                chromium
                    .eval("document.querySelector('#counts [data-sev=Sev0] .n').textContent")
                    .asText())
            .isEqualTo("1");
        assertThat(chromium.eval("document.getElementById('transitions').textContent").asText())
            .contains("RESOLVED");
        assertThat(chromium.eval("document.getElementById('silences').textContent").asText())
            .contains("lab hubs, nightly patching");
        Thread.sleep(
            600); // let the 'fresh' highlight and the last chart redraw settle before the picture
        // (not a wait for a condition)
        chromium.screenshot(Path.of("target", "dashboard.png"));

        chromium.eval(card + ".click(); true");
        await("the alert's evidence opens")
            .atMost(WAIT)
            .until(
                () ->
                    !chromium.eval("document.getElementById('detail').hidden").asBoolean()
                        && chromium
                                .eval(
                                    "document.querySelectorAll('#detail-body table.evidence tbody tr').length")
                                .asInt()
                            >= 1);
        assertThat(chromium.eval("document.getElementById('detail-body').textContent").asText())
            .contains("deviceDisconnect 404104 DeviceConnectionClosedRemotely")
            .contains("linkwatch.events.connections.v1/1@1234");
        chromium.screenshot(Path.of("target", "dashboard-detail.png"));

        chromium.eval(
            "document.getElementById('detail-close').click(); document.getElementById('theme-toggle').click(); true");
        chromium.screenshot(Path.of("target", "dashboard-light.png"));
      }

      HttpClient http = HttpClient.newHttpClient();
      JsonNode active =
          JSON.readTree(
              http.send(
                      HttpRequest.newBuilder(URI.create(base + "/api/v1/alerts")).build(),
                      HttpResponse.BodyHandlers.ofString())
                  .body());
      assertThat(active).hasSize(5);
      assertThat(active.get(0).path("severity").asText()).as("most severe first").isEqualTo("Sev0");
      HttpResponse<String> health =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/health")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(JSON.readTree(health.body()).path("status").asText()).isEqualTo("UP");
      JsonNode signal =
          JSON.readTree(
              http.send(
                      HttpRequest.newBuilder(
                              URI.create(base + "/api/v1/signals/iothub.disconnects"))
                          .build(),
                      HttpResponse.BodyHandlers.ofString())
                  .body());
      assertThat(signal.path("series")).hasSize(3);
      assertThat(console.toString(StandardCharsets.UTF_8))
          .as("the inhibited alert is not paged")
          .doesNotContain("INHIBITED");
    } finally {
      feed.close();
    }
  }

  private static Alert named(Alert a, String ruleName, String signal) {
    return Alert.newBuilder(a).setRuleName(ruleName).setSignal(signal).build();
  }

  private static void produceAggregate(
      KafkaTestCluster kafka,
      Topics topics,
      String signal,
      Map<String, String> dims,
      Instant end,
      long count) {
    WindowedAggregate a =
        WindowedAggregate.newBuilder()
            .setSignal(signal)
            .setDimensions(dims)
            .setWindowStart(end.minus(1, ChronoUnit.MINUTES))
            .setWindowEnd(end)
            .setCount(count)
            .setSum(count)
            .setMin(1.0)
            .setMax(1.0)
            .setDistinctDevices(Math.max(1, count / 2))
            .build();
    kafka.produce(topics.aggregates(), signal + "|" + dims, a);
  }
}
