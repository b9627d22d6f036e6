package io.linkwatch.streams.replay;

import io.linkwatch.avro.AlertRule;
import io.linkwatch.avro.DynamicThreshold;
import io.linkwatch.streams.rules.Durations;
import java.time.Duration;
import java.util.Locale;

/** A rule's condition in one line, as a reviewer reads it. */
final class RuleText {

  private RuleText() {}

  static String condition(AlertRule r) {
    StringBuilder s = new StringBuilder();
    s.append(r.getAggregation().name().toLowerCase(Locale.ROOT).replace('_', ' '))
        .append(" of ")
        .append(r.getSignal());
    if (r.getDenominatorSignal() != null) {
      s.append(" / ").append(r.getDenominatorSignal());
    }
    if (!r.getSplitBy().isEmpty()) {
      s.append(" by ")
          .append(String.join(", ", r.getSplitBy().stream().map(Object::toString).toList()));
    }
    s.append(' ').append(operator(r)).append(' ');
    DynamicThreshold d = r.getDynamicThreshold();
    if (d != null) {
      s.append("dynamic band (")
          .append(d.getSensitivity().name().toLowerCase(Locale.ROOT))
          .append(" sensitivity, warm-up ")
          .append(d.getWarmupEvaluations())
          .append(')');
    } else {
      s.append(SvgChart.number(r.getThreshold() == null ? Double.NaN : r.getThreshold()));
    }
    s.append(" over ")
        .append(Durations.format(Duration.ofMillis(r.getWindowSizeMs())))
        .append(" every ")
        .append(Durations.format(Duration.ofMillis(r.getEvaluationFrequencyMs())));
    if (r.getEvaluationPeriods() > 1) {
      s.append(", ")
          .append(r.getMinFailingPeriods())
          .append(" of ")
          .append(r.getEvaluationPeriods());
    }
    if (r.getPendingMs() > 0) {
      s.append(", for ").append(Durations.format(Duration.ofMillis(r.getPendingMs())));
    }
    if (r.getMinCount() > 0) {
      s.append(", at least ").append(r.getMinCount()).append(" observations");
    }
    return s.toString();
  }

  static String operator(AlertRule r) {
    return switch (r.getOperator()) {
      case GREATER_THAN -> ">";
      case GREATER_THAN_OR_EQUAL -> "≥";
      case LESS_THAN -> "<";
      case LESS_THAN_OR_EQUAL -> "≤";
      case EQUALS -> "=";
      case NOT_EQUALS -> "≠";
      case GREATER_OR_LESS_THAN -> "outside";
      default -> r.getOperator().name();
    };
  }
}
