package io.linkwatch.sink.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The Grafana dashboard under deploy/grafana is importable and queries what the sink exports. */
class GrafanaDashboardTest {

  private static final Path DASHBOARD = Path.of("..", "deploy", "grafana", "linkwatch.json");

  @Test
  void shouldQueryEverySinkMetricUnderTheNamePrometheusScrapes() throws Exception {
    JsonNode dashboard = new ObjectMapper().readTree(Files.readString(DASHBOARD));
    List<String> queries = new ArrayList<>();
    Set<Integer> ids = new HashSet<>();
    for (JsonNode panel : dashboard.path("panels")) {
      assertThat(ids.add(panel.path("id").asInt())).as("panel ids are unique").isTrue();
      panel.path("targets").forEach(t -> queries.add(t.path("expr").asText()));
    }
    assertThat(dashboard.path("uid").asText()).isEqualTo("linkwatch-overview");
    assertThat(queries).isNotEmpty();

    // the sink's meters, as the Prometheus endpoint names them
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    SinkMetrics metrics = new SinkMetrics(registry);
    metrics.outcome("am", Outcome.DELIVERED);
    metrics.notification("am", true, 2);
    metrics.retry("am", "timeout");
    metrics.deadLetter("am", "http_4xx");
    metrics.refresh("am", true);
    metrics.latency("am", "event", Duration.ofMillis(30));
    metrics.pendingGauge("am", () -> 3);
    Set<String> exported = new HashSet<>();
    Matcher m =
        Pattern.compile("(?m)^(linkwatch_sink_[a-z_]+?)(_bucket|_count|_sum|_max)?\\{")
            .matcher(registry.scrape());
    while (m.find()) {
      exported.add(m.group(1));
    }
    assertThat(exported).hasSizeGreaterThanOrEqualTo(7);
    for (String name : exported) {
      assertThat(queries).as("a panel shows %s", name).anyMatch(q -> q.contains(name));
    }
  }
}
