package io.linkwatch.streams.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.linkwatch.avro.Aggregation;
import io.linkwatch.avro.AlertRule;
import io.linkwatch.avro.NoDataPolicy;
import io.linkwatch.avro.Operator;
import io.linkwatch.avro.Sensitivity;
import io.linkwatch.avro.Severity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RuleLoaderTest {

  private static final String VALID =
      """
      id: auth
      signal: iothub.auth_failures
      splitBy: [hub, deviceId]
      operator: '>'
      threshold: 0
      """;

  @Test
  void shouldReadEveryFieldOfAFullRule() throws Exception {
    String yaml =
        """
        rules:
          - id: dps-attestation-failure-rate
            name: Attestation failure rate
            description: 'Attestation fails on {{ .enrollment }}'
            enabled: true
            signal: dps.attestation_failures
            aggregation: ratio
            denominator: dps.attestation_attempts
            filters:
              dpsInstance: [dps-1, dps-2]
              protocol: Mqtt
            splitBy: [dpsInstance, enrollment]
            maxSeries: 50
            operator: '>='
            threshold: 0.5
            minCount: 5
            window: 15m
            frequency: 5m
            grace: 2m
            failingPeriods: 2 of 3
            for: 10m
            keepFiringFor: 5m
            severity: Sev2
            autoResolve: true
            resolveAfter: 2
            noData: resolve
            flap: {transitions: 4, window: 2h}
            labels: {team: provisioning, enrollment: '{{ .enrollment }}'}
            annotations: {summary: '{{ $value | percent }} failed on {{ $labels.enrollment }}'}
            hint:
              probableCause: Bad certificate
              solution: Re-issue it
              reference: https://learn.microsoft.com/azure/iot-dps/how-to-troubleshoot-dps
              byDimension:
                dpsInstance:
                  dps-1: {probableCause: dps-1 cause, solution: dps-1 fix}
            targets: ['/subscriptions/s/resourceGroups/g/providers/Microsoft.Devices/provisioningServices/{{ .dpsInstance }}']
        """;

    AlertRule r = parse(yaml).alertRules().get(0);

    assertThat(r.getId()).isEqualTo("dps-attestation-failure-rate");
    assertThat(r.getAggregation()).isEqualTo(Aggregation.RATIO);
    assertThat(r.getDenominatorSignal()).isEqualTo("dps.attestation_attempts");
    assertThat(r.getFilters()).containsEntry("protocol", List.of("Mqtt"));
    assertThat(r.getOperator()).isEqualTo(Operator.GREATER_THAN_OR_EQUAL);
    assertThat(r.getThreshold()).isEqualTo(0.5);
    assertThat(r.getMinCount()).isEqualTo(5);
    assertThat(r.getWindowSizeMs()).isEqualTo(900_000);
    assertThat(r.getEvaluationFrequencyMs()).isEqualTo(300_000);
    assertThat(r.getGracePeriodMs()).isEqualTo(120_000);
    assertThat(r.getMinFailingPeriods()).isEqualTo(2);
    assertThat(r.getEvaluationPeriods()).isEqualTo(3);
    assertThat(r.getPendingMs()).isEqualTo(600_000);
    assertThat(r.getKeepFiringMs()).isEqualTo(300_000);
    assertThat(r.getSeverity()).isEqualTo(Severity.SEV2);
    assertThat(r.getAutoResolveAfter()).isEqualTo(2);
    assertThat(r.getNoData()).isEqualTo(NoDataPolicy.RESOLVE);
    assertThat(r.getFlapTransitions()).isEqualTo(4);
    assertThat(r.getFlapWindowMs()).isEqualTo(7_200_000);
    assertThat(r.getHint().getProbableCause()).isEqualTo("Bad certificate");
    assertThat(r.getHintsByDimension()).hasSize(1);
    assertThat(r.getHintsByDimension().get(0).getValue()).isEqualTo("dps-1");
    assertThat(r.getTargets()).hasSize(1);
    assertThat(r.getVersion()).isZero();
  }

  @Test
  void shouldApplyDefaultsToAMinimalRule() throws Exception {
    AlertRule r = parse(VALID).alertRules().get(0);

    assertThat(r.getName()).isEqualTo("auth");
    assertThat(r.getAggregation()).isEqualTo(Aggregation.COUNT);
    assertThat(r.getWindowSizeMs()).isEqualTo(300_000);
    assertThat(r.getEvaluationFrequencyMs()).isEqualTo(60_000);
    assertThat(r.getSeverity()).isEqualTo(Severity.SEV3);
    assertThat(r.getNoData()).isEqualTo(NoDataPolicy.KEEP_STATE);
    assertThat(r.getMinFailingPeriods()).isEqualTo(1);
    assertThat(r.getEnabled()).isTrue();
  }

  @Test
  void shouldReadADynamicThreshold() throws Exception {
    AlertRule r =
        parse(
                """
                id: renewals
                signal: iothub.token_renewals
                splitBy: hub
                operator: '>'
                dynamic: {sensitivity: low, warmup: 12, ignoreDataBefore: 2026-01-31}
                """)
            .alertRules()
            .get(0);

    assertThat(r.getDynamicThreshold().getSensitivity()).isEqualTo(Sensitivity.LOW);
    assertThat(r.getDynamicThreshold().getWarmupEvaluations()).isEqualTo(12);
    assertThat(r.getDynamicThreshold().getIgnoreDataBefore()).isEqualTo(1_769_817_600_000L);
    assertThat(r.getSplitBy()).containsExactly("hub");
  }

  static Stream<Arguments> invalidRules() {
    return Stream.of(
        Arguments.of(
            "id missing",
            "signal: iothub.auth_failures\noperator: '>'\nthreshold: 0\n",
            "rules.yaml:1: field 'id': missing"),
        Arguments.of(
            "id malformed",
            "id: Auth Failures\nsignal: iothub.auth_failures\noperator: '>'\nthreshold: 0\n",
            "field 'id': 'Auth Failures' is not a valid id"),
        Arguments.of(
            "unknown field with a suggestion",
            VALID + "treshold: 3\n",
            "rules.yaml:6: rule 'auth': field 'treshold': unknown field (did you mean 'threshold'?)"),
        Arguments.of(
            "unknown signal",
            VALID.replace("iothub.auth_failures", "iothub.auth_failure"),
            "field 'signal': unknown signal 'iothub.auth_failure' (did you mean"
                + " 'iothub.auth_failures'?) (allowed: iothub.connects"),
        Arguments.of(
            "signal missing",
            "id: a\noperator: '>'\nthreshold: 1\n",
            "field 'signal': missing (one of iothub.connects"),
        Arguments.of(
            "dimension the signal does not have",
            VALID.replace("[hub, deviceId]", "[hub, enrollment]"),
            "rules.yaml:3: rule 'auth': field 'splitBy': signal iothub.auth_failures has no"
                + " dimension 'enrollment'"),
        Arguments.of(
            "filter on a dimension the signal does not have",
            VALID + "filters: {cause: X}\n",
            "field 'filters': signal iothub.auth_failures has no dimension 'cause'"),
        Arguments.of(
            "filter without values",
            VALID + "filters: {hub: []}\n",
            "field 'filters.hub': expected a value or a non-empty list of accepted values"),
        Arguments.of(
            "split by a dimension twice",
            VALID.replace("[hub, deviceId]", "[hub, hub]"),
            "field 'splitBy': lists a dimension twice"),
        Arguments.of(
            "operator not allowed",
            VALID.replace("'>'", "bigger"),
            "field 'operator': 'bigger' is not allowed (allowed: >, >=, <, <=, ==, !=, <>)"),
        Arguments.of(
            "operator missing",
            "id: a\nsignal: iothub.auth_failures\nthreshold: 0\n",
            "field 'operator': missing (allowed: >, >="),
        Arguments.of(
            "threshold missing",
            "id: a\nsignal: iothub.auth_failures\noperator: '>'\n",
            "field 'threshold': missing: give a static 'threshold: <number>' or 'dynamic:"),
        Arguments.of(
            "threshold not a number",
            VALID.replace("threshold: 0", "threshold: lots"),
            "field 'threshold': expected a number, got 'lots'"),
        Arguments.of(
            "static and dynamic",
            VALID + "dynamic: {sensitivity: high}\n",
            "field 'threshold': give either 'threshold' (static) or 'dynamic', not both"),
        Arguments.of(
            "band operator with a static threshold",
            VALID.replace("'>'", "'<>'"),
            "field 'operator': '<>' needs a band: use it with a dynamic threshold"),
        Arguments.of(
            "dynamic with an equality operator",
            "id: a\nsignal: iothub.auth_failures\noperator: '=='\ndynamic: {}\n",
            "field 'operator': '==' cannot be used with a dynamic threshold (allowed: >, < or <>)"),
        Arguments.of(
            "dynamic sensitivity unknown",
            "id: a\nsignal: iothub.auth_failures\noperator: '>'\ndynamic: {sensitivity: extreme}\n",
            "field 'dynamic.sensitivity': 'extreme' is not allowed (allowed: high, medium, low)"),
        Arguments.of(
            "dynamic warm-up too short",
            "id: a\nsignal: iothub.auth_failures\noperator: '>'\ndynamic: {warmup: 1}\n",
            "field 'dynamic.warmup': 1 is out of range (from 3 to 10000)"),
        Arguments.of(
            "dynamic ignoreDataBefore not a date",
            "id: a\nsignal: iothub.auth_failures\noperator: '>'\ndynamic: {ignoreDataBefore: soon}\n",
            "field 'dynamic.ignoreDataBefore': 'soon' is not a date or an instant"),
        Arguments.of(
            "dynamic unknown key",
            "id: a\nsignal: iothub.auth_failures\noperator: '>'\ndynamic: {sensitivty: low}\n",
            "field 'dynamic.sensitivty': unknown field (did you mean 'sensitivity'?)"),
        Arguments.of(
            "aggregation unknown",
            VALID + "aggregation: median\n",
            "field 'aggregation': 'median' is not allowed (allowed: count, total, average, min,"
                + " max, ratio, distinct_devices)"),
        Arguments.of(
            "ratio without denominator",
            VALID + "aggregation: ratio\n",
            "field 'denominator': missing: aggregation 'ratio' divides"),
        Arguments.of(
            "denominator without ratio",
            VALID + "denominator: iothub.connects\n",
            "field 'denominator': only aggregation 'ratio' uses a denominator signal"),
        Arguments.of(
            "ratio split by a dimension the denominator lacks",
            VALID + "aggregation: ratio\ndenominator: iothub.outages\n",
            "field 'splitBy': denominator signal iothub.outages has no dimension 'deviceId'"),
        Arguments.of(
            "duration without a unit",
            VALID + "window: 5\n",
            "field 'window': expected a duration with a unit, e.g. '5s' or '5m', got '5'"),
        Arguments.of(
            "duration unreadable",
            VALID + "window: five minutes\n",
            "field 'window': 'five minutes' is not a duration (use e.g. 30s, 5m"),
        Arguments.of(
            "window not a multiple of the frequency",
            VALID + "window: 5m\nfrequency: 2m\n",
            "field 'window': 5m is not a multiple of the frequency 2m"),
        Arguments.of(
            "window shorter than the frequency",
            VALID + "window: 1m\nfrequency: 5m\n",
            "field 'window': 1m is out of range (from the frequency, 5m, to 1d)"),
        Arguments.of(
            "frequency too long",
            VALID + "window: 2h\nfrequency: 2h\n",
            "field 'frequency': 2h is out of range (from 1s to 1h)"),
        Arguments.of(
            "grace too long", VALID + "grace: 2d\n", "field 'grace': 2d is longer than 24h"),
        Arguments.of(
            "failing periods unreadable",
            VALID + "failingPeriods: most\n",
            "field 'failingPeriods': expected 'N of M' (e.g. '3 of 4'), a number, or {min: N, of:"
                + " M}, got 'most'"),
        Arguments.of(
            "failing periods impossible",
            VALID + "failingPeriods: 5 of 4\n",
            "field 'failingPeriods': 5 of 4 is not possible (1 <= N <= M <= 60)"),
        Arguments.of(
            "severity unknown",
            VALID + "severity: critical\n",
            "field 'severity': 'critical' is not allowed (allowed: Sev0 critical, Sev1 error"),
        Arguments.of(
            "enabled not a boolean",
            VALID + "enabled: maybe\n",
            "field 'enabled': expected true or false, got 'maybe'"),
        Arguments.of(
            "resolveAfter out of range",
            VALID + "resolveAfter: 0\n",
            "field 'resolveAfter': 0 is out of range (from 1 to 60)"),
        Arguments.of(
            "maxSeries not a number",
            VALID + "maxSeries: many\n",
            "field 'maxSeries': expected a whole number, got 'many'"),
        Arguments.of(
            "noData unknown",
            VALID + "noData: ignore\n",
            "field 'noData': 'ignore' is not allowed (allowed: keep_state, resolve, alert)"),
        Arguments.of(
            "flap without transitions",
            VALID + "flap: {window: 1h}\n",
            "field 'flap.transitions': missing"),
        Arguments.of(
            "flap without window",
            VALID + "flap: {transitions: 4}\n",
            "field 'flap.window': missing"),
        Arguments.of(
            "flap of one transition",
            VALID + "flap: {transitions: 1, window: 1h}\n",
            "field 'flap.transitions': 1 is out of range (from 2 to 1000)"),
        Arguments.of(
            "template on a dimension not split by",
            VALID + "labels: {dps: '{{ .dpsInstance }}'}\n",
            "field 'labels.dps': refers to dimension 'dpsInstance', which is not in splitBy"),
        Arguments.of(
            "template unknown variable",
            VALID + "annotations: {summary: '{{ $valeu }}'}\n",
            "field 'annotations.summary': cannot understand {{ $valeu }} (use {{ .dimension }}"),
        Arguments.of(
            "template unknown formatter",
            VALID + "annotations: {summary: '{{ $value | money }}'}\n",
            "field 'annotations.summary': unknown formatter 'money' in {{ $value | money }}"
                + " (allowed: percent, int, humanize)"),
        Arguments.of(
            "template unclosed",
            VALID + "description: 'on {{ .hub'\n",
            "field 'description': unclosed '{{' in 'on {{ .hub'"),
        Arguments.of(
            "hint without solution",
            VALID + "hint: {probableCause: x}\n",
            "field 'hint': a hint needs both 'probableCause' and 'solution'"),
        Arguments.of(
            "hint by a dimension not split by",
            VALID
                + "hint: {probableCause: x, solution: y, byDimension: {protocol: {Mqtt: {cause:"
                + " a, solution: b}}}}\n",
            "field 'hint.byDimension.protocol': dimension 'protocol' is not in splitBy"),
        Arguments.of(
            "inhibits itself",
            VALID + "inhibits: [{rules: [auth], equal: [hub]}]\n",
            "field 'inhibits[0].rules': a rule cannot inhibit itself"),
        Arguments.of(
            "inhibits comparing a dimension it lacks",
            VALID + "inhibits: [{rules: [other], equal: [protocol]}]\n",
            "field 'inhibits[0].equal': dimension 'protocol' is not in this rule's splitBy"),
        Arguments.of(
            "inhibits unknown rule",
            VALID + "inhibits: [{rules: [other], equal: [hub]}]\n",
            "field 'inhibits[0].rules': inhibits unknown rule 'other'"),
        Arguments.of(
            "field given twice through an alias",
            VALID + "pending: 1m\nfor: 2m\n",
            "field 'for': given twice"),
        Arguments.of(
            "not a mapping",
            "rules: [just-a-string]\n",
            "expected a rule (a mapping with id, signal, operator, ...), got 'just-a-string'"),
        Arguments.of(
            "rules not a list", "rules: {id: a}\n", "field 'rules': expected a list of rules"),
        Arguments.of(
            "unknown top-level key",
            "rules: []\ngroups: []\n",
            "rules.yaml:2: unknown top-level key 'groups'"),
        Arguments.of("empty file", "", "rules.yaml: the file is empty"),
        Arguments.of("not YAML", "id: [unclosed\n", "rules.yaml:2: not valid YAML"),
        Arguments.of(
            "duplicate key",
            VALID + "id: again\n",
            "rules.yaml:6: not valid YAML: Duplicate field 'id'"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidRules")
  void shouldNameFileLineRuleAndFieldOfEveryProblem(String what, String yaml, String message) {
    assertThatThrownBy(() -> parse(yaml))
        .isInstanceOf(RuleValidationException.class)
        .satisfies(
            e ->
                assertThat(((RuleValidationException) e).problems())
                    .map(RuleProblem::toString)
                    .anySatisfy(p -> assertThat(p).contains(message)));
  }

  @Test
  void shouldReportEveryProblemAtOnce() {
    String yaml =
        """
        rules:
          - id: a
            signal: nope
            operator: '>'
            threshold: 1
          - id: b
            signal: iothub.auth_failures
            operator: bigger
            threshold: 1
            severity: Sev9
        """;

    assertThatThrownBy(() -> parse(yaml))
        .isInstanceOf(RuleValidationException.class)
        .hasMessageContaining("3 problems")
        .hasMessageContaining("rules.yaml:3: rule 'a': field 'signal'")
        .hasMessageContaining("rules.yaml:8: rule 'b': field 'operator'")
        .hasMessageContaining("rules.yaml:10: rule 'b': field 'severity'");
  }

  @Test
  void shouldRejectADuplicateIdAcrossFiles() {
    Map<String, String> files = new LinkedHashMap<>();
    files.put("a.yaml", VALID);
    files.put("b.yaml", VALID);

    assertThatThrownBy(() -> RuleLoader.parse(files))
        .hasMessageContaining(
            "b.yaml:1: rule 'auth': field 'id': duplicate id: also defined at a.yaml:1");
  }

  @Test
  void shouldRejectInhibitionsOfOneTargetComparingDifferentDimensions() {
    String yaml =
        """
        - {id: t, signal: iothub.disconnects, splitBy: [hub, deviceId], operator: '>', threshold: 1}
        - {id: s1, signal: iothub.outages, splitBy: [hub], operator: '>', threshold: 0,
           inhibits: [{rules: [t], equal: [hub]}]}
        - {id: s2, signal: iothub.disconnects, splitBy: [deviceId], operator: '>', threshold: 9,
           inhibits: [{rules: [t], equal: [deviceId]}]}
        - {id: s3, signal: iothub.throttling, splitBy: [category], operator: '>', threshold: 9,
           inhibits: [{rules: [t], equal: [category]}]}
        """;

    assertThatThrownBy(() -> parse(yaml))
        .hasMessageContaining(
            "rule 's2': field 'inhibits[0].equal': rule 't' is already inhibited by 's1' with equal"
                + " [hub]")
        .hasMessageContaining(
            "rule 's3': field 'inhibits[0].equal': target rule 't' is not split by 'category'");
  }

  @Test
  void shouldLoadEveryYamlFileOfAFolderInNameOrder(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("b.yaml"), VALID.replace("id: auth", "id: second"));
    Files.writeString(dir.resolve("a.yml"), VALID);
    Files.writeString(dir.resolve("notes.txt"), "not a rule");

    RuleSet set = RuleLoader.load(dir);

    assertThat(set.alertRules()).extracting(AlertRule::getId).containsExactly("auth", "second");
  }

  @Test
  void shouldSayWhenTheFolderHasNoRuleFile(@TempDir Path dir) {
    assertThatThrownBy(() -> RuleLoader.load(dir))
        .hasMessageContaining("the folder has no *.yaml or *.yml file");
    assertThatThrownBy(() -> RuleLoader.load(dir.resolve("missing.yaml")))
        .hasMessageContaining("missing.yaml: no such file or folder");
  }

  private static RuleSet parse(String yaml) throws RuleValidationException {
    return RuleLoader.parse(Map.of("rules.yaml", yaml));
  }
}
