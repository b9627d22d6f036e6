package io.linkwatch.sink.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.linkwatch.avro.Severity;
import io.linkwatch.sink.TestAlerts;
import io.linkwatch.sink.alert.AlertLabels;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class RoutingPlanParserTest {

  private static final String PLAN =
      """
      receivers:
        - name: oncall
          type: alertmanager
          url: http://127.0.0.1:9093
        - name: itsm
          type: azure-common-alert-schema
          url: https://itsm.example/hook
          headers:
            x-api-key: ${ITSM_KEY}
        - name: chat
          type: webhook
          format: slack
          url: https://chat.example/hook
          secret: ${CHAT_SECRET:-dev-secret}
        - name: console
          type: console
      routes:
        - name: pages
          matchers: ['severity=~"Sev0|Sev1"']
          receivers: [oncall, chat]
          group_by: [hub]
          group_wait: 10s
          group_interval: 2m
          repeat_interval: 1h
          continue: true
        - matchers: ['team="iot-oncall"']
          receivers: [itsm]
      default:
        receivers: [console]
      silences:
        - name: hub-9 patching
          comment: CHG-1234
          matchers: ['hub="hub-9"']
          starts_at: 2025-06-01T00:00:00Z
          ends_at: 2025-06-02T00:00:00Z
        - name: nightly maintenance
          matchers: ['hub=~"lab-.*"']
          schedule:
            time_zone: Europe/Paris
            days: [mon-fri]
            start: "22:00"
            end: "02:00"
          receivers: [chat]
      """;

  private static RoutingPlan parse(String yaml) {
    return RoutingPlanParser.parse(yaml, "sink.yaml", Map.of("ITSM_KEY", "k-123")::get);
  }

  @Test
  void shouldRouteASev1AlertToEveryMatchingRouteWhileTheyContinue() {
    RoutingPlan plan = parse(PLAN);

    Map<String, String> labels = AlertLabels.labels(TestAlerts.fired("hub-1", Severity.SEV1));

    assertThat(plan.receiversFor(labels)).containsExactly("oncall", "chat", "itsm");
    assertThat(plan.routeTo("chat", labels).orElseThrow().grouping().groupBy())
        .containsExactly("hub");
  }

  @Test
  void shouldSendAlertsNoRouteMatchesToTheDefaultReceivers() {
    RoutingPlan plan = parse(PLAN);

    assertThat(plan.receiversFor(Map.of("severity", "Sev3", "team", "other")))
        .containsExactly("console");
  }

  @Test
  void shouldReadSecretsFromTheEnvironmentWithDefaults() {
    RoutingPlan plan = parse(PLAN);

    assertThat(plan.receivers().get("itsm").headers()).containsEntry("x-api-key", "k-123");
    assertThat(plan.receivers().get("chat").secret()).isEqualTo("dev-secret");
    assertThat(plan.receivers().get("chat").toString()).doesNotContain("dev-secret");
  }

  @Test
  void shouldNameTheVariableWhenASecretIsMissingFromTheEnvironment() {
    assertThatThrownBy(() -> RoutingPlanParser.parse(PLAN, "sink.yaml", name -> null))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "sink.yaml: receivers[1].headers.x-api-key: environment variable ITSM_KEY is not set");
  }

  @Test
  void shouldNameTheFieldOfARouteToAnUnknownReceiver() {
    String yaml = PLAN.replace("receivers: [itsm]", "receivers: [itsm, pager]");

    assertThatThrownBy(() -> parse(yaml))
        .hasMessage(
            "sink.yaml: routes[1].receivers[1]: no receiver named 'pager' (receivers: chat, console, itsm, oncall)");
  }

  @Test
  void shouldRejectAnUnknownFieldAndSuggestTheRightOne() {
    String yaml = PLAN.replace("group_wait: 10s", "groupWait: 10s");

    assertThatThrownBy(() -> parse(yaml))
        .hasMessageStartingWith(
            "sink.yaml: routes[0].groupWait: unknown field (did you mean 'group_wait'?)");
  }

  @Test
  void shouldExplainABadMatcherDurationUrlAndType() {
    assertThatThrownBy(() -> parse(PLAN.replace("severity=~\"Sev0|Sev1\"", "severity=~\"Sev(0\"")))
        .hasMessageContaining("routes[0].matchers[0]: 'severity=~\"Sev(0\"' has an invalid regex");
    assertThatThrownBy(() -> parse(PLAN.replace("group_wait: 10s", "group_wait: ten seconds")))
        .hasMessageContaining("routes[0].group_wait: 'ten seconds' is not a duration");
    assertThatThrownBy(
            () -> parse(PLAN.replace("url: http://127.0.0.1:9093", "url: 127.0.0.1:9093")))
        .hasMessageContaining("receivers[0].url: must be an absolute http or https URL");
    assertThatThrownBy(() -> parse(PLAN.replace("type: alertmanager", "type: pagerduty")))
        .hasMessageContaining(
            "receivers[0].type: unknown type 'pagerduty' (one of: alertmanager, azure-common-alert-schema, webhook, console)");
  }

  @Test
  void shouldPointAtTheLineOfInvalidYaml() {
    assertThatThrownBy(() -> parse("receivers:\n  - name: a\n   type: [console\n"))
        .hasMessageStartingWith("sink.yaml: not valid YAML (line");
  }

  @Test
  void shouldDeliverEverythingEverywhereWhenTheFileOnlyListsReceivers() {
    RoutingPlan plan =
        parse(
            "receivers:\n  - {name: a, type: console}\n  - {name: b, type: webhook, url: 'http://h/x'}\n");

    assertThat(plan.receiversFor(Map.of())).containsExactly("a", "b");
  }

  @Test
  void shouldMuteOnlyInsideAOneTimeSilence() {
    RoutingPlan plan = parse(PLAN);
    Map<String, String> hub9 = Map.of("hub", "hub-9", "severity", "Sev1");

    assertThat(plan.silencing("oncall", hub9, Instant.parse("2025-06-01T10:00:00Z"))).isPresent();
    assertThat(plan.silencing("oncall", hub9, Instant.parse("2025-06-02T00:00:00Z"))).isEmpty();
    assertThat(
            plan.silencing("oncall", Map.of("hub", "hub-1"), Instant.parse("2025-06-01T10:00:00Z")))
        .isEmpty();
  }

  @Test
  void shouldMuteARecurringWindowThatRunsPastMidnightInItsTimeZone() {
    RoutingPlan plan = parse(PLAN);
    Map<String, String> lab = Map.of("hub", "lab-3");

    // Friday 2025-06-06 23:30 Paris (21:30Z): inside; Saturday 01:30 Paris: still Friday's window
    assertThat(plan.silencing("chat", lab, Instant.parse("2025-06-06T21:30:00Z"))).isPresent();
    assertThat(plan.silencing("chat", lab, Instant.parse("2025-06-06T23:30:00Z"))).isPresent();
    // Saturday 23:30 Paris: no window starts on Saturday
    assertThat(plan.silencing("chat", lab, Instant.parse("2025-06-07T21:30:00Z"))).isEmpty();
    // Monday 12:00 Paris: outside the hours
    assertThat(plan.silencing("chat", lab, Instant.parse("2025-06-09T10:00:00Z"))).isEmpty();
    // the window applies to chat only
    assertThat(plan.silencing("oncall", lab, Instant.parse("2025-06-06T21:30:00Z"))).isEmpty();
  }

  @Test
  void shouldRefuseASilenceThatWouldMuteEverythingForever() {
    assertThatThrownBy(() -> parse(PLAN.replace("matchers: ['hub=\"hub-9\"']", "matchers: []")))
        .hasMessageContaining("silences[0].matchers: a silence needs at least one matcher");
  }

  @Test
  void shouldParseGoAndIsoDurations() {
    assertThat(RoutingPlanParser.parseDuration("1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(RoutingPlanParser.parseDuration("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(RoutingPlanParser.parseDuration("PT15M")).isEqualTo(Duration.ofMinutes(15));
    assertThat(RoutingPlanParser.parseDuration("P7D")).isEqualTo(Duration.ofDays(7));
  }
}
