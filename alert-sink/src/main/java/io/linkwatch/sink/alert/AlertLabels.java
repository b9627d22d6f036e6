package io.linkwatch.sink.alert;

import io.linkwatch.avro.Alert;
import io.linkwatch.avro.AlertCondition;
import io.linkwatch.avro.Hint;
import io.linkwatch.avro.MonitorCondition;
import io.linkwatch.avro.Severity;
import io.linkwatch.avro.ThresholdKind;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The one place that turns an {@link Alert} transition into the label set and the annotations every
 * receiver, route, silence and group sees. Labels identify the series and never change while it
 * lives (so Alertmanager's fingerprint is stable); annotations carry what changes (value, window,
 * evidence link, hint).
 */
public final class AlertLabels {

  public static final String ALERTNAME = "alertname";
  public static final String SEVERITY = "severity";
  public static final String RULE_ID = "rule_id";
  public static final String SIGNAL = "signal";

  private AlertLabels() {}

  /**
   * The labels: {@code alertname} (rule name, or id when the rule has no name), {@code severity}
   * ({@code Sev0}..{@code Sev4}), {@code rule_id}, {@code signal}, every dimension and every rule
   * label. Names are made valid Prometheus label names ({@code [a-zA-Z_][a-zA-Z0-9_]*}); the fixed
   * labels win over a dimension or rule label of the same name.
   */
  public static SortedMap<String, String> labels(Alert alert) {
    SortedMap<String, String> labels = new TreeMap<>();
    alert.getLabels().forEach((k, v) -> labels.put(labelName(k.toString()), v.toString()));
    alert.getDimensions().forEach((k, v) -> labels.put(labelName(k.toString()), v.toString()));
    String name = alert.getRuleName().toString();
    labels.put(ALERTNAME, name.isBlank() ? alert.getRuleId().toString() : name);
    labels.put(SEVERITY, severityName(alert.getSeverity()));
    labels.put(RULE_ID, alert.getRuleId().toString());
    labels.put(SIGNAL, alert.getSignal().toString());
    return labels;
  }

  /**
   * The annotations: {@code summary}, {@code description}, the hint ({@code probable_cause}, {@code
   * solution}, {@code runbook_url}), the condition ({@code observed_value}, {@code threshold},
   * {@code window}), {@code evidence_url}, the transition identity, and the rule's own annotations
   * (which the computed ones do not override).
   */
  public static SortedMap<String, String> annotations(Alert alert, String evidenceUrl) {
    SortedMap<String, String> a = new TreeMap<>();
    alert.getAnnotations().forEach((k, v) -> a.put(labelName(k.toString()), v.toString()));
    String summary = summary(alert);
    a.putIfAbsent("summary", summary);
    String description = alert.getDescription().toString();
    a.putIfAbsent("description", description.isBlank() ? summary : description);
    Hint hint = alert.getHint();
    if (hint != null) {
      a.put("probable_cause", hint.getProbableCause().toString());
      a.put("solution", hint.getSolution().toString());
      if (hint.getReference() != null) {
        a.putIfAbsent("runbook_url", hint.getReference().toString());
      }
    }
    AlertCondition c = alert.getCondition();
    a.put("observed_value", observed(c));
    String threshold = thresholdText(c);
    if (!threshold.isEmpty()) {
      a.put("threshold", threshold);
    }
    a.put("window", c.getWindowStart() + "/" + c.getWindowEnd());
    if (evidenceUrl != null && !evidenceUrl.isBlank()) {
      a.put("evidence_url", evidenceUrl);
    }
    a.put("alert_id", alert.getAlertId().toString());
    a.put("transition", alert.getTransition().name());
    a.put("sequence", Long.toString(alert.getSequence()));
    if (alert.getFlapping()) {
      a.put("flapping", "true");
    }
    if (alert.getInhibitedBy() != null) {
      a.put("inhibited_by", alert.getInhibitedBy().toString());
    }
    return a;
  }

  /**
   * One line a person reads first, e.g. {@code "iothub.disconnects count = 57 > 20 over 5m
   * (hub=hub-1)"}; resolved: {@code "iothub.disconnects count = 3 over 5m, fires at > 20
   * (hub=hub-1)"}.
   */
  public static String summary(Alert alert) {
    AlertCondition c = alert.getCondition();
    StringBuilder s = new StringBuilder();
    s.append(alert.getSignal())
        .append(' ')
        .append(c.getAggregation().toString().toLowerCase(Locale.ROOT))
        .append(" = ")
        .append(observed(c));
    String threshold = thresholdText(c);
    String condition =
        threshold.isEmpty() ? "" : operatorSymbol(c.getOperator().toString()) + ' ' + threshold;
    // "count = 0 ≥ 2" would read as a breach: a resolved alert says where it would fire instead
    boolean resolved = alert.getMonitorCondition() == MonitorCondition.RESOLVED;
    if (!condition.isEmpty() && !resolved) {
      s.append(' ').append(condition);
    }
    s.append(" over ").append(duration(Duration.ofMillis(c.getWindowSizeMs())));
    if (!condition.isEmpty() && resolved) {
      s.append(", fires at ").append(condition);
    }
    if (!alert.getDimensions().isEmpty()) {
      StringBuilder dims = new StringBuilder();
      new TreeMap<>(alert.getDimensions())
          .forEach(
              (k, v) -> {
                if (!dims.isEmpty()) {
                  dims.append(", ");
                }
                dims.append(k).append('=').append(v);
              });
      s.append(" (").append(dims).append(')');
    }
    return s.toString();
  }

  /** {@code Sev0}..{@code Sev4}, as Azure Monitor writes them. */
  public static String severityName(Severity severity) {
    return "Sev" + severity.ordinal();
  }

  /** The idempotency key of a transition: {@code <alertId>:<sequence>}. */
  public static String idempotencyKey(Alert alert) {
    return alert.getAlertId() + ":" + alert.getSequence();
  }

  /** The threshold as text: the static value, or the band of a dynamic threshold. */
  public static String thresholdText(AlertCondition c) {
    if (c.getThresholdKind() == ThresholdKind.DYNAMIC
        && c.getLowerThreshold() != null
        && c.getUpperThreshold() != null) {
      return "[" + number(c.getLowerThreshold()) + ", " + number(c.getUpperThreshold()) + "]";
    }
    return c.getThreshold() == null ? "" : number(c.getThreshold());
  }

  /**
   * The observed value as a person reads it: {@code "no data"} where the window had nothing to
   * compute it from (a ratio of a window without attempts is NaN).
   */
  public static String observed(AlertCondition c) {
    double v = c.getObservedValue();
    return Double.isNaN(v) ? "no data" : number(v);
  }

  /** The observed value for a JSON document: null where there was no data (JSON has no NaN). */
  public static Double observedOrNull(AlertCondition c) {
    double v = c.getObservedValue();
    return Double.isNaN(v) || Double.isInfinite(v) ? null : v;
  }

  /** A number without a useless ".0". */
  public static String number(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return String.format(Locale.ROOT, "%.4g", v).replaceAll("\\.?0+$", "");
  }

  /** {@code 5m}, {@code 1h30m}, {@code 45s}. */
  public static String duration(Duration d) {
    long s = d.toSeconds();
    if (s == 0) {
      return d.toMillis() + "ms";
    }
    StringBuilder b = new StringBuilder();
    if (s >= 86400 && s % 86400 == 0) {
      return (s / 86400) + "d";
    }
    if (s >= 3600) {
      b.append(s / 3600).append('h');
      s %= 3600;
    }
    if (s >= 60) {
      b.append(s / 60).append('m');
      s %= 60;
    }
    if (s > 0) {
      b.append(s).append('s');
    }
    return b.toString();
  }

  static String operatorSymbol(String operator) {
    return switch (operator.toLowerCase(Locale.ROOT).replace("_", "")) {
      case "greaterthan", "gt", ">" -> ">";
      case "greaterthanorequal", "gte", ">=" -> "≥";
      case "lessthan", "lt", "<" -> "<";
      case "lessthanorequal", "lte", "<=" -> "≤";
      case "equals", "eq", "=", "==" -> "=";
      case "notequals", "ne", "!=" -> "≠";
      case "greaterorlessthan" -> "outside";
      default -> operator;
    };
  }

  /** A valid Prometheus label name: invalid characters become '_'. */
  static String labelName(String raw) {
    if (raw.isEmpty()) {
      return "_";
    }
    StringBuilder b = new StringBuilder(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char ch = raw.charAt(i);
      boolean ok =
          (ch >= 'a' && ch <= 'z')
              || (ch >= 'A' && ch <= 'Z')
              || ch == '_'
              || (i > 0 && ch >= '0' && ch <= '9');
      b.append(ok ? ch : '_');
    }
    return b.toString();
  }

  /** Labels as an immutable map (for callers that only read). */
  public static Map<String, String> labelsView(Alert alert) {
    return java.util.Collections.unmodifiableSortedMap(labels(alert));
  }
}
