package io.linkwatch.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.linkwatch.avro.Alert;
import io.linkwatch.avro.Severity;
import io.linkwatch.schemas.topic.TopicRole;
import io.linkwatch.schemas.topic.Topics;
import io.linkwatch.sink.config.SinkConfig;
import io.linkwatch.sink.routing.RoutingPlan;
import io.linkwatch.testkit.KafkaCluster;
import io.linkwatch.testkit.KafkaTestCluster;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sink role as {@code linkwatch sink} wires it: settings in, alerts printed, health and metrics
 * served.
 */
@KafkaCluster
class AlertSinkIT {

  @Test
  void shouldPrintAnAlertAndServeHealthAndMetrics(KafkaTestCluster kafka, @TempDir Path dir)
      throws Exception {
    Topics topics = kafka.createLinkwatchTopics("role.");
    Map<String, String> settings = new HashMap<>();
    settings.put("bootstrap.servers", kafka.bootstrapServers());
    for (TopicRole role : TopicRole.values()) {
      settings.put(role.configKey(), topics.name(role));
    }
    settings.put(SinkConfig.DASHBOARD_PORT, "0");
    settings.put(SinkConfig.DASHBOARD_HOST, "127.0.0.1");
    settings.put(SinkConfig.STATE_DIR, dir.toString());
    settings.put(SinkConfig.START, "earliest");
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    Alert fired = TestAlerts.fired("hub-7", Severity.SEV2);

    try (AlertSink sink =
        AlertSink.start(
            new SinkConfig(settings),
            RoutingPlan.consoleOnly(),
            registry,
            registry::scrape,
            new PrintStream(console, true, StandardCharsets.UTF_8),
            false)) {
      kafka.produce(topics.alerts(), fired.getFingerprint(), fired);

      await("the console receiver prints the alert")
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  console
                      .toString(StandardCharsets.UTF_8)
                      .contains("(hub=hub-7, resultCode=404104)"));
      HttpClient http = HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + sink.dashboardPort();
      await("the sink reports itself healthy")
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  http.send(
                              HttpRequest.newBuilder(URI.create(base + "/health")).build(),
                              HttpResponse.BodyHandlers.ofString())
                          .statusCode()
                      == 200);
      String metrics =
          http.send(
                  HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      assertThat(metrics)
          .contains(
              "linkwatch_sink_deliveries_total{receiver=\"console\",result=\"delivered\"} 1.0");
      assertThat(console.toString(StandardCharsets.UTF_8))
          .contains("FIRED")
          .contains("Sev2")
          .contains("cause:");
    }
  }
}
