package io.linkwatch.streams.alert;

import io.linkwatch.avro.Alert;
import io.linkwatch.avro.AlertCondition;
import io.linkwatch.avro.AlertEvidence;
import io.linkwatch.avro.AlertRule;
import io.linkwatch.avro.DimensionHint;
import io.linkwatch.avro.Hint;
import io.linkwatch.avro.ThresholdKind;
import io.linkwatch.streams.rules.Template;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds the {@link Alert} record of a transition from the rule, the series and the evaluation:
 * Common Alert Schema essentials, the condition with the observed value and the band, rendered
 * labels, annotations, description and targets, the evidence of the window and the hint (the one
 * for the series' dimension value when the rule has one). Nothing here reads a clock: the same
 * inputs give the same bytes.
 */
final class AlertFactory {

  /** One evaluated window as the alert shows it. */
  record Observation(
      long windowStart,
      long windowEnd,
      double value,
      long count,
      Thresholds.Band band,
      int failing,
      long evaluatedAt,
      WindowResult result) {}

  private final AlertStageSettings settings;

  AlertFactory(AlertStageSettings settings) {
    this.settings = settings;
  }

  Alert.Builder build(
      AlertRule rule,
      int ruleVersion,
      String fingerprint,
      Map<String, String> dims,
      Observation o) {
    Map<String, String> dimensions = new TreeMap<>(dims);
    Double threshold = Thresholds.shown(rule.getOperator(), o.value(), o.band());
    Map<String, Object> vars = new LinkedHashMap<>();
    vars.put("value", o.value());
    vars.put("threshold", threshold);
    vars.put("lower", o.band().dynamic() && o.band().trusted() ? o.band().lower() : null);
    vars.put("upper", o.band().dynamic() && o.band().trusted() ? o.band().upper() : null);
    vars.put("count", o.count());
    vars.put("rule", rule.getId());
    vars.put("ruleName", rule.getName());
    vars.put("severity", "Sev" + rule.getSeverity().name().substring(3));
    vars.put("signal", rule.getSignal());
    vars.put("windowStart", Instant.ofEpochMilli(o.windowStart()).toString());
    vars.put("windowEnd", Instant.ofEpochMilli(o.windowEnd()).toString());

    Map<String, String> annotations = render(rule.getAnnotations(), dimensions, vars);
    annotations.putIfAbsent("summary", summary(rule, dimensions, o.value(), threshold));
    List<String> targets = new ArrayList<>();
    rule.getTargets().forEach(t -> targets.add(Template.render(t, dimensions, vars)));

    WindowResult r = o.result();
    AlertCondition condition =
        AlertCondition.newBuilder()
            .setAggregation(rule.getAggregation().name())
            .setOperator(rule.getOperator().name())
            .setThreshold(threshold)
            .setThresholdKind(o.band().dynamic() ? ThresholdKind.DYNAMIC : ThresholdKind.STATIC)
            .setLowerThreshold(o.band().dynamic() && o.band().trusted() ? o.band().lower() : null)
            .setUpperThreshold(o.band().dynamic() && o.band().trusted() ? o.band().upper() : null)
            .setSensitivity(
                rule.getDynamicThreshold() == null
                    ? null
                    : rule.getDynamicThreshold().getSensitivity().name())
            .setObservedValue(o.value())
            .setWindowStart(Instant.ofEpochMilli(o.windowStart()))
            .setWindowEnd(Instant.ofEpochMilli(o.windowEnd()))
            .setWindowSizeMs(rule.getWindowSizeMs())
            .setEvaluationFrequencyMs(rule.getEvaluationFrequencyMs())
            .setFailingPeriods(o.failing())
            .setEvaluationPeriods(rule.getEvaluationPeriods())
            .build();
    AlertEvidence evidence =
        AlertEvidence.newBuilder()
            .setSampleEvents(
                r == null ? List.of() : head(r.sampleEvents(), settings.maxSampleEvents()))
            .setInputOffsets(
                r == null ? List.of() : head(r.inputOffsets(), settings.maxInputOffsets()))
            .setLateRecords(r == null ? 0 : r.lateRecords())
            .setIncidentIds(
                r == null ? List.of() : head(r.incidentIds(), settings.maxIncidentIds()))
            .build();
    return Alert.newBuilder()
        .setFingerprint(fingerprint)
        .setRuleId(rule.getId())
        .setRuleName(rule.getName())
        .setRuleVersion(ruleVersion)
        .setDescription(Template.render(rule.getDescription(), dimensions, vars))
        .setSeverity(rule.getSeverity())
        .setSignal(rule.getSignal())
        .setSignalType("Metric")
        .setMonitoringService("linkwatch")
        .setTargetResourceIds(targets)
        .setDimensions(new LinkedHashMap<>(dimensions))
        .setCondition(condition)
        .setEvaluatedAt(Instant.ofEpochMilli(o.evaluatedAt()))
        .setLabels(render(rule.getLabels(), dimensions, vars))
        .setAnnotations(annotations)
        .setEvidence(evidence)
        .setHint(hint(rule, dimensions))
        .setFlapping(false)
        .setInhibited(false);
  }

  static Hint hint(AlertRule rule, Map<String, String> dimensions) {
    for (DimensionHint h : rule.getHintsByDimension()) {
      if (h.getValue().equals(dimensions.get(h.getDimension()))) {
        return h.getHint();
      }
    }
    return rule.getHint();
  }

  private static Map<String, String> render(
      Map<String, String> templates, Map<String, String> dims, Map<String, Object> vars) {
    Map<String, String> out = new TreeMap<>();
    templates.forEach((k, v) -> out.put(k, Template.render(v, dims, vars)));
    return out;
  }

  private static String summary(
      AlertRule rule, Map<String, String> dims, double value, Double threshold) {
    StringBuilder s = new StringBuilder(rule.getName()).append(": ");
    s.append(rule.getAggregation().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '))
        .append(' ')
        .append(Template.number(value));
    if (threshold != null) {
      s.append(' ').append(symbol(rule)).append(' ').append(Template.number(threshold));
    }
    if (!dims.isEmpty()) {
      s.append(" (");
      s.append(
          String.join(
              ", ", dims.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList()));
      s.append(')');
    }
    return s.toString();
  }

  private static String symbol(AlertRule rule) {
    return switch (rule.getOperator()) {
      case GREATER_THAN -> ">";
      case GREATER_THAN_OR_EQUAL -> ">=";
      case LESS_THAN -> "<";
      case LESS_THAN_OR_EQUAL -> "<=";
      case EQUALS -> "==";
      case NOT_EQUALS -> "!=";
      default -> "outside";
    };
  }

  private static <T> List<T> head(List<T> list, int max) {
    return list.size() <= max ? list : list.subList(0, max);
  }
}
