package io.linkwatch.streams.alert;

import static org.assertj.core.api.Assertions.assertThat;

import io.linkwatch.avro.Alert;
import io.linkwatch.avro.AlertTransition;
import io.linkwatch.avro.MonitorCondition;
import io.linkwatch.avro.ThresholdKind;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class AlertStageTest {

  private final AlertStageHarness lw = new AlertStageHarness();

  @AfterEach
  void close() {
    lw.close();
  }

  private static String rule(String id, String extra) {
    return "id: "
        + id
        + "\nname: Test rule "
        + id
        + "\nsignal: iothub.disconnects\nsplitBy: [hub]\nwindow: 1m\nfrequency: 1m\n"
        + extra;
  }

  private static List<String> transitions(List<Alert> alerts) {
    return alerts.stream()
        .map(a -> a.getTransition() + "@" + minute(a.getCondition().getWindowEnd()))
        .toList();
  }

  private static long minute(Instant t) {
    return Duration.between(AlertStageHarness.T0, t).toMinutes();
  }

  // --- thresholds ---------------------------------------------------------------------------

  @ParameterizedTest(name = "{1} {2} {0}: fires={3}")
  @CsvSource({
    "5, '>', 4, true",
    "4, '>', 4, false",
    "4, '>=', 4, true",
    "3, '>=', 4, false",
    "3, '<', 4, true",
    "4, '<', 4, false",
    "4, '<=', 4, true",
    "5, '<=', 4, false",
    "4, '==', 4, true",
    "5, '==', 4, false",
    "5, '!=', 4, true",
    "4, '!=', 4, false"
  })
  void shouldCompareTheValueWithEachOperator(
      double value, String operator, double threshold, boolean fires) {
    lw.rule(
        rule("r", "aggregation: average\noperator: '" + operator + "'\nthreshold: " + threshold));

    lw.at("r", 1).dim("hub", "h1").value(value);

    assertThat(transitions(lw.alerts())).isEqualTo(fires ? List.of("FIRED@1") : List.of());
  }

  static Stream<Arguments> aggregations() {
    return Stream.of(
        // aggregation, value, fires: every aggregation's value is compared the same way
        Arguments.of("count", 6.0, true),
        Arguments.of("total", 6.0, true),
        Arguments.of("average", 6.0, true),
        Arguments.of("min", 6.0, true),
        Arguments.of("max", 5.0, false),
        Arguments.of("distinct_devices", 6.0, true));
  }

  @ParameterizedTest(name = "{0} of {1}")
  @MethodSource("aggregations")
  void shouldCompareTheAggregatedValueOfEveryAggregation(
      String aggregation, double value, boolean fires) {
    lw.rule(rule("r", "aggregation: " + aggregation + "\noperator: '>'\nthreshold: 5"));

    lw.at("r", 1).dim("hub", "h1").value(value);

    List<Alert> alerts = lw.alerts();
    assertThat(alerts).hasSize(fires ? 1 : 0);
    if (fires) {
      assertThat(alerts.get(0).getCondition().getAggregation())
          .isEqualTo(aggregation.toUpperCase(java.util.Locale.ROOT));
      assertThat(alerts.get(0).getCondition().getObservedValue()).isEqualTo(value);
    }
  }

  @Test
  void shouldFireOnceWhenThresholdBreachedTwiceAndResolveOnce() {
    lw.rule(rule("r", "operator: '>'\nthreshold: 2"));

    lw.values("r", 1, 5, 6, 7, 1, 1, 9);

    List<Alert> alerts = lw.alerts();
    assertThat(transitions(alerts)).containsExactly("FIRED@1", "RESOLVED@4", "FIRED@6");
    assertThat(alerts.get(0).getAlertId()).isEqualTo(alerts.get(1).getAlertId());
    assertThat(alerts.get(0).getSequence()).isEqualTo(1);
    assertThat(alerts.get(1).getSequence()).isEqualTo(2);
    assertThat(alerts.get(1).getMonitorCondition()).isEqualTo(MonitorCondition.RESOLVED);
    assertThat(alerts.get(1).getResolvedTime()).isEqualTo(AlertStageHarness.T0.plusSeconds(240));
    assertThat(alerts.get(2).getAlertId()).isNotEqualTo(alerts.get(0).getAlertId());
    assertThat(alerts.get(0).getFingerprint()).isEqualTo("r");
  }

  @Test
  void shouldNeedNFailingOfTheLastMEvaluations() {
    lw.rule(rule("r", "operator: '>'\nthreshold: 2\nfailingPeriods: 3 of 4\nresolveAfter: 1"));

    lw.values("r", 1, 5, 0, 5, 0, 5, 5, 0, 0);

    List<Alert> alerts = lw.alerts();
    // minutes 3-6 hold 3 failing of 4; minutes 4-7 only 2
    assertThat(transitions(alerts)).containsExactly("FIRED@6", "RESOLVED@7");
    assertThat(alerts.get(0).getCondition().getFailingPeriods()).isEqualTo(3);
    assertThat(alerts.get(0).getCondition().getEvaluationPeriods()).isEqualTo(4);
  }

  @Test
  void shouldWaitForThePendingDurationBeforeFiring() {
    lw.rule(rule("r", "operator: '>'\nthreshold: 2\nfor: 3m"));

    lw.values("r", 1, 5, 5, 5, 0, 5, 5, 5, 5);

    assertThat(transitions(lw.alerts())).containsExactly("FIRED@8");
  }

  @Test
  void shouldKeepFiringForTheHoldAfterTheConditionClears() {
    lw.rule(rule("r", "operator: '>'\nthreshold: 2\nkeepFiringFor: 2m"));

    lw.values("r", 1, 5, 0, 0, 5, 0, 0, 0);

    assertThat(transitions(lw.alerts())).containsExactly("FIRED@1", "RESOLVED@7");
  }

  @Test
  void shouldResolveOnlyAfterKCleanEvaluations() {
    lw.rule(rule("r", "operator: '>'\nthreshold: 2\nresolveAfter: 3"));

    lw.values("r", 1, 5, 0, 0, 5, 0, 0, 0);

    assertThat(transitions(lw.alerts())).containsExactly("FIRED@1", "RESOLVED@7");
  }

  @Test
  void shouldNeverResolveWhenAutoResolveIsOff() {
    lw.rule(rule("r", "operator: '>'\nthreshold: 2\nautoResolve: false"));

    lw.values("r", 1, 5, 0, 0, 0, 5);

    assertThat(transitions(lw.alerts())).containsExactly("FIRED@1");
  }

  // --- dynamic thresholds -------------------------------------------------------------------

  @Test
  void shouldNotFireADynamicThresholdDuringWarmUpEvenOnASpike() {
    lw.rule(rule("r", "operator: '>'\ndynamic: {sensitivity: medium, warmup: 5}"));

    lw.values("r", 1, 10, 11, 500);

    assertThat(lw.alerts()).isEmpty();
  }

  @Test
  void shouldFireADynamicThresholdOnASpikeAfterWarmUpAndShowTheBand() {
    lw.rule(rule("r", "operator: '>'\ndynamic: {sensitivity: medium, warmup: 5}"));

    lw.values("r", 1, 10, 11, 10, 12, 9, 11, 10, 13, 60, 11, 10);

    List<Alert> alerts = lw.alerts();
    assertThat(transitions(alerts)).containsExactly("FIRED@9", "RESOLVED@10");
    Alert fired = alerts.get(0);
    assertThat(fired.getCondition().getThresholdKind()).isEqualTo(ThresholdKind.DYNAMIC);
    assertThat(fired.getCondition().getSensitivity()).isEqualTo("MEDIUM");
    // median 10.5 of the 8 learned values, MAD 0.5: sigma = max(1.4826 * 0.5, 10 % of 10.5, 1)
    assertThat(fired.getCondition().getUpperThreshold()).isCloseTo(10.5 + 3 * 1.05, within());
    assertThat(fired.getCondition().getLowerThreshold()).isCloseTo(10.5 - 3 * 1.05, within());
    assertThat(fired.getCondition().getThreshold())
        .isEqualTo(fired.getCondition().getUpperThreshold());
  }

  @Test
  void shouldFireFewerAlertsWithALowerSensitivity() {
    lw.rule(rule("hi", "operator: '>'\ndynamic: {sensitivity: high, warmup: 5}"));
    lw.rule(rule("lo", "operator: '>'\ndynamic: {sensitivity: low, warmup: 5}"));

    lw.values("hi", 1, 10, 11, 10, 12, 9, 11, 10, 15);
    lw.values("lo", 1, 10, 11, 10, 12, 9, 11, 10, 15);

    assertThat(lw.alerts()).extracting(Alert::getRuleId).containsExactly("hi");
  }

  @Test
  void shouldNotLearnFromDataBeforeIgnoreDataBefore() {
    lw.rule(
        rule("r", "operator: '>'\ndynamic: {warmup: 3, ignoreDataBefore: '2026-03-02T08:03:00Z'}"));

    lw.values("r", 1, 500, 500, 500, 10, 10, 10, 60);

    assertThat(transitions(lw.alerts())).containsExactly("FIRED@7");
  }

  private static org.assertj.core.data.Offset<Double> within() {
    return org.assertj.core.data.Offset.offset(1e-9);
  }

  // --- no data ------------------------------------------------------------------------------

  @Test
  void shouldKeepAFiredAlertThroughNoDataUnderKeepState() {
    lw.rule(rule("r", "aggregation: average\noperator: '>'\nthreshold: 2\nnoData: keep_state"));

    lw.at("r", 1).value(5);
    lw.at("r", 2).noData();
    lw.at("r", 3).noData();
    lw.at("r", 4).value(1);

    assertThat(transitions(lw.alerts())).containsExactly("FIRED@1", "RESOLVED@4");
  }

  @Test
  void shouldResolveOnNoDataUnderResolve() {
    lw.rule(rule("r", "aggregation: average\noperator: '>'\nthreshold: 2\nnoData: resolve"));

    lw.at("r", 1).value(5);
    lw.at("r", 2).noData();

    List<Alert> alerts = lw.alerts();
    assertThat(transitions(alerts)).containsExactly("FIRED@1", "RESOLVED@2");
    assertThat(alerts.get(1).getStateReason()).isEqualTo("NoData");
  }

  @Test
  void shouldFireOnNoDataUnderAlert() {
    lw.rule(rule("r", "aggregation: average\noperator: '>'\nthreshold: 2\nnoData: alert"));

    lw.at("r", 1).value(1);
    lw.at("r", 2).noData();

    List<Alert> alerts = lw.alerts();
    assertThat(transitions(alerts)).containsExactly("FIRED@2");
    assertThat(alerts.get(0).getStateReason()).isEqualTo("NoData");
    assertThat(alerts.get(0).getCondition().getObservedValue()).isNaN();
  }

  @Test
  void shouldCountAnEmptyWindowAsZeroForCountAggregations() {
    lw.rule(rule("r", "aggregation: count\noperator: '<'\nthreshold: 1\nnoData: keep_state"));

    lw.at("r", 1).value(3);
    lw.at("r", 2).noData();

    assertThat(transitions(lw.alerts())).containsExactly("FIRED@2");
  }

  // --- flapping -----------------------------------------------------------------------------

  @Test
  void shouldKeepAFlappingAlertOpenAndSayWhenItStops() {
    lw.rule(rule("r", "operator: '>'\nthreshold: 2\nflap: {transitions: 4, window: 10m}"));

    lw.values("r", 1, 5, 0, 5, 0, 5, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    // changes at minutes 1-8; fewer than half of 4 within 10 minutes from minute 17 on
    List<Alert> alerts = lw.alerts();
    assertThat(transitions(alerts))
        .containsExactly("FIRED@1", "RESOLVED@2", "FIRED@3", "FLAPPING@4", "RESOLVED@17");
    assertThat(alerts.get(3).getFlapping()).isTrue();
    assertThat(alerts.get(3).getMonitorCondition()).isEqualTo(MonitorCondition.FIRED);
    assertThat(alerts.get(3).getAlertId()).isEqualTo(alerts.get(2).getAlertId());
    assertThat(alerts.get(4).getFlapping()).isFalse();
    assertThat(alerts.get(4).getStateReason()).isEqualTo("FlappingStopped");
  }

  @Test
  void shouldSayAFlappingAlertStillFiresWhenTheFlappingStops() {
    lw.rule(rule("r", "operator: '>'\nthreshold: 2\nflap: {transitions: 4, window: 5m}"));

    lw.values("r", 1, 5, 0, 5, 0, 5, 5, 5, 5, 5, 5, 5);

    List<Alert> alerts = lw.alerts();
    assertThat(transitions(alerts))
        .containsExactly("FIRED@1", "RESOLVED@2", "FIRED@3", "FLAPPING@4", "FLAPPING@9");
    assertThat(alerts.get(4).getFlapping()).isFalse();
    assertThat(alerts.get(4).getMonitorCondition()).isEqualTo(MonitorCondition.FIRED);
  }

  // --- revisions ----------------------------------------------------------------------------

  @Test
  void shouldReviseAFiredAlertWhenALateRecordChangesTheValueItShows() {
    lw.rule(rule("r", "operator: '>'\nthreshold: 2"));
    lw.at("r", 1).value(5);
    lw.at("r", 2).value(6);

    lw.at("r", 1).revision(1).late(1).value(8);

    List<Alert> alerts = lw.alerts();
    assertThat(transitions(alerts)).containsExactly("FIRED@1", "REVISED@1");
    Alert revised = alerts.get(1);
    assertThat(revised.getAlertId()).isEqualTo(alerts.get(0).getAlertId());
    assertThat(revised.getSequence()).isEqualTo(2);
    assertThat(revised.getRevisionOf()).isEqualTo("2026-03-02T08:00:00Z/2026-03-02T08:01:00Z");
    assertThat(revised.getCondition().getObservedValue()).isEqualTo(8);
    assertThat(revised.getEvidence().getLateRecords()).isEqualTo(1);
    assertThat(revised.getStateReason())
        .as("only the value changed: receivers are not paged again")
        .isEqualTo("RevisedValue");
  }

  @Test
  void shouldReviseAFiredAlertWhenALateRecordChangesTheVerdictOfAnotherWindow() {
    lw.rule(rule("r", "operator: '>'\nthreshold: 2\nresolveAfter: 2"));
    lw.at("r", 1).value(5);
    lw.at("r", 2).value(1);

    lw.at("r", 2).revision(1).value(4);

    List<Alert> alerts = lw.alerts();
    assertThat(transitions(alerts)).containsExactly("FIRED@1", "REVISED@2");
    assertThat(alerts.get(1).getStateReason())
        .as("a window went from clean to failing: receivers are told")
        .isEqualTo("RevisedVerdict");
  }

  @Test
  void shouldNotReviseForAChangeNobodySaw() {
    lw.rule(rule("r", "operator: '>'\nthreshold: 2"));
    lw.at("r", 1).value(5);
    lw.at("r", 2).value(6);

    // window 2 still breaches and is not the value the alert shows
    lw.at("r", 2).revision(1).value(8);

    assertThat(transitions(lw.alerts())).containsExactly("FIRED@1");
  }

  @Test
  void shouldStaySilentWhenARevisionChangesNothing() {
    lw.rule(rule("r", "operator: '>'\nthreshold: 2"));
    lw.at("r", 1).value(5);

    lw.at("r", 1).revision(1).value(5);

    assertThat(transitions(lw.alerts())).containsExactly("FIRED@1");
  }

  @Test
  void shouldFireWhenARevisionMakesAWindowBreach() {
    lw.rule(rule("r", "operator: '>'\nthreshold: 2"));
    lw.at("r", 1).value(1);
    lw.at("r", 2).value(1);

    lw.at("r", 2).revision(1).value(4);

    List<Alert> alerts = lw.alerts();
    assertThat(transitions(alerts)).containsExactly("FIRED@2");
    assertThat(alerts.get(0).getStateReason()).isEqualTo("Revision");
    assertThat(alerts.get(0).getRevisionOf()).endsWith("/2026-03-02T08:02:00Z");
  }

  @Test
  void shouldReviseAResolvedAlertWhoseWindowChanged() {
    lw.rule(rule("r", "operator: '>'\nthreshold: 2"));
    lw.values("r", 1, 5, 1);

    lw.at("r", 2).revision(1).value(9);

    List<Alert> alerts = lw.alerts();
    assertThat(transitions(alerts)).containsExactly("FIRED@1", "RESOLVED@2", "REVISED@2");
    assertThat(alerts.get(2).getMonitorCondition()).isEqualTo(MonitorCondition.RESOLVED);
    assertThat(alerts.get(2).getSequence()).isEqualTo(3);
    assertThat(alerts.get(2).getStateReason()).isEqualTo("RevisedVerdict");
  }

  // --- rules changing -----------------------------------------------------------------------

  @Test
  void shouldRecordTheRuleVersionAndJudgeWithTheNewRule() {
    lw.rule(rule("r", "operator: '>'\nthreshold: 2\nseverity: Sev3"));
    lw.at("r", 1).value(5);

    lw.rule(rule("r", "operator: '>'\nthreshold: 10\nseverity: Sev1"));
    lw.at("r", 2).value(5);

    List<Alert> alerts = lw.alerts();
    assertThat(transitions(alerts)).containsExactly("FIRED@1", "RESOLVED@2");
    assertThat(alerts.get(0).getRuleVersion()).isEqualTo(1);
    assertThat(alerts.get(1).getRuleVersion()).isEqualTo(2);
    assertThat(alerts.get(1).getCondition().getThreshold()).isEqualTo(10);
  }

  @Test
  void shouldResolveTheAlertsOfADeletedRule() {
    lw.rule(rule("r", "operator: '>'\nthreshold: 2"));
    lw.at("r", 1).dim("hub", "h1").value(5);

    lw.deleteRule("r");
    lw.advanceWallClock(Duration.ofSeconds(11));

    List<Alert> alerts = lw.alerts();
    assertThat(transitions(alerts)).containsExactly("FIRED@1", "RESOLVED@1");
    assertThat(alerts.get(1).getStateReason()).isEqualTo("RuleDeleted");
    assertThat(alerts.get(1).getMonitorCondition()).isEqualTo(MonitorCondition.RESOLVED);
    lw.at("r", 2).dim("hub", "h1").value(5);
    assertThat(lw.alerts()).isEmpty();
  }

  @Test
  void shouldResolveTheAlertsOfADisabledRuleWhenItsNextResultArrives() {
    lw.rule(rule("r", "operator: '>'\nthreshold: 2"));
    lw.at("r", 1).value(5);

    lw.rule(rule("r", "operator: '>'\nthreshold: 2\nenabled: false"));
    lw.at("r", 2).value(5);

    List<Alert> alerts = lw.alerts();
    assertThat(transitions(alerts)).containsExactly("FIRED@1", "RESOLVED@1");
    assertThat(alerts.get(1).getStateReason()).isEqualTo("RuleDisabled");
  }

  @Test
  void shouldResolveASeriesThatStopsReporting() {
    lw.rule(rule("r", "aggregation: average\noperator: '>'\nthreshold: 2\nnoData: keep_state"));
    lw.rule(rule("other", "operator: '>'\nthreshold: 100"));
    lw.at("r", 1).value(5);

    lw.at("other", 40).value(1);

    List<Alert> alerts = lw.alerts();
    assertThat(transitions(alerts)).containsExactly("FIRED@1", "RESOLVED@1");
    assertThat(alerts.get(1).getStateReason()).isEqualTo("MissingSeries");
  }

  @Test
  void shouldNotTakeALongGraceForASeriesThatStoppedReporting() {
    lw.rule(rule("r", "operator: '>'\nthreshold: 2"));

    // the engine closes each window 40 minutes after its end: 40 one-minute periods behind
    for (int m = 1; m <= 5; m++) {
      lw.at("r", m).grace(Duration.ofMinutes(40)).value(5);
    }

    assertThat(transitions(lw.alerts())).containsExactly("FIRED@1");
  }

  // --- what the alert says ------------------------------------------------------------------

  @Test
  void shouldRenderTemplatesAndPickTheHintOfTheSeriesDimensionValue() {
    lw.rule(
        """
        id: arc
        name: Arc agent cannot connect
        description: 'Machine {{ .machine }} fails with {{ .cause }}'
        signal: arc.connection_failures
        splitBy: [machine, cause]
        window: 1m
        frequency: 1m
        operator: '>='
        threshold: 3
        severity: Sev2
        labels: {team: platform, machine: '{{ .machine }}'}
        annotations: {summary: '{{ $value | int }} failures >= {{ $threshold }} on {{ $labels.machine }}'}
        targets: ['/subscriptions/s/resourceGroups/g/providers/Microsoft.HybridCompute/machines/{{ .machine }}']
        hint:
          probableCause: Unknown
          solution: Run azcmagent check
          byDimension:
            cause:
              PROXY_OR_FIREWALL_BLOCKED:
                probableCause: A proxy or firewall blocks login.windows.net
                solution: Allow the endpoint
        """);

    lw.at("arc", 1)
        .dim("machine", "m-7")
        .dim("cause", "PROXY_OR_FIREWALL_BLOCKED")
        .sample("e1", "connect: network is Forbidden")
        .value(4);

    Alert a = lw.alerts().get(0);
    assertThat(a.getFingerprint()).isEqualTo("arc|cause=PROXY_OR_FIREWALL_BLOCKED|machine=m-7");
    assertThat(a.getDescription()).isEqualTo("Machine m-7 fails with PROXY_OR_FIREWALL_BLOCKED");
    assertThat(a.getLabels()).containsEntry("machine", "m-7").containsEntry("team", "platform");
    assertThat(a.getAnnotations()).containsEntry("summary", "4 failures >= 3 on m-7");
    assertThat(a.getTargetResourceIds())
        .containsExactly(
            "/subscriptions/s/resourceGroups/g/providers/Microsoft.HybridCompute/machines/m-7");
    assertThat(a.getHint().getProbableCause()).contains("proxy or firewall");
    assertThat(a.getSeverity().name()).isEqualTo("SEV2");
    assertThat(a.getEvidence().getSampleEvents()).hasSize(1);
    assertThat(a.getEvidence().getInputOffsets()).hasSize(1);
    assertThat(a.getCondition().getWindowStart()).isEqualTo(AlertStageHarness.T0);
  }

  @Test
  void shouldWriteADefaultSummaryWhenTheRuleHasNone() {
    lw.rule(rule("r", "operator: '>'\nthreshold: 2"));

    lw.at("r", 1).dim("hub", "h1").value(5);

    assertThat(lw.alerts().get(0).getAnnotations())
        .containsEntry("summary", "Test rule r: count 5 > 2 (hub=h1)");
  }

  @Test
  void shouldIgnoreARepeatedWindow() {
    lw.rule(rule("r", "operator: '>'\nthreshold: 2"));
    lw.at("r", 1).value(5);

    lw.at("r", 1).value(5);
    lw.at("r", 1).value(0);

    assertThat(transitions(lw.alerts())).containsExactly("FIRED@1");
  }

  @Test
  void shouldKeepSeriesApart() {
    lw.rule(rule("r", "operator: '>'\nthreshold: 2"));

    lw.at("r", 1).dim("hub", "h1").value(5);
    lw.at("r", 1).dim("hub", "h2").value(1);
    lw.at("r", 2).dim("hub", "h1").value(5);
    lw.at("r", 2).dim("hub", "h2").value(5);

    assertThat(lw.alerts())
        .extracting(a -> a.getTransition() + " " + a.getFingerprint())
        .containsExactly("FIRED r|hub=h1", "FIRED r|hub=h2");
  }

  @Test
  void shouldCountTransitionsAndEvaluationsInMeters() {
    io.micrometer.core.instrument.simple.SimpleMeterRegistry meters =
        new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    try (AlertStageHarness metered =
        new AlertStageHarness(AlertStageSettings.defaults().withMeterRegistry(meters))) {
      metered.rule(rule("r", "operator: '>'\nthreshold: 2"));

      metered.values("r", 1, 5, 6, 1);
      metered.at("r", 3).value(1);

      assertThat(
              meters
                  .counter(
                      "linkwatch.alerts.transitions",
                      "transition",
                      "fired",
                      "severity",
                      "sev3",
                      "inhibited",
                      "false")
                  .count())
          .isEqualTo(1);
      assertThat(
              meters
                  .counter(
                      "linkwatch.alerts.transitions",
                      "transition",
                      "resolved",
                      "severity",
                      "sev3",
                      "inhibited",
                      "false")
                  .count())
          .isEqualTo(1);
      assertThat(meters.counter("linkwatch.alerts.evaluations", "outcome", "failing").count())
          .isEqualTo(2);
      assertThat(meters.counter("linkwatch.alerts.evaluations", "outcome", "repeat").count())
          .isEqualTo(1);
    }
  }

  @Test
  void shouldUseTheSameAlertIdOnEveryRun() {
    lw.rule(rule("r", "operator: '>'\nthreshold: 2"));
    lw.at("r", 1).value(5);
    String id = lw.alerts().get(0).getAlertId();

    try (AlertStageHarness again = new AlertStageHarness()) {
      again.rule(rule("r", "operator: '>'\nthreshold: 2"));
      again.at("r", 1).value(5);
      assertThat(again.alerts().get(0).getAlertId()).isEqualTo(id);
    }
    assertThat(AlertTransition.FIRED).isNotNull();
  }
}
