package io.linkwatch.streams.alert;

import io.linkwatch.avro.Alert;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The alert stage's meters, lowercase dotted with the outcome in tags:
 *
 * <ul>
 *   <li>{@code linkwatch.alerts.transitions{transition,severity,inhibited}}: alert transitions
 *       written (FIRED, RESOLVED, REVISED, INHIBITED, UNINHIBITED, FLAPPING)
 *   <li>{@code linkwatch.alerts.evaluations{outcome}}: window results evaluated: {@code failing},
 *       {@code clean}, {@code nodata} (skipped under keep_state), {@code repeat} (a window already
 *       evaluated), {@code revision}, {@code no-rule} (rule deleted or disabled)
 *   <li>{@code linkwatch.alerts.series.ended{reason}}: series forgotten (MissingSeries,
 *       RuleDeleted, RuleDisabled)
 * </ul>
 */
final class AlertMetrics {

  private final MeterRegistry registry;

  AlertMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  void transition(Alert a) {
    registry
        .counter(
            "linkwatch.alerts.transitions",
            "transition",
            a.getTransition().name().toLowerCase(java.util.Locale.ROOT),
            "severity",
            a.getSeverity().name().toLowerCase(java.util.Locale.ROOT),
            "inhibited",
            Boolean.toString(a.getInhibited()))
        .increment();
  }

  void evaluation(String outcome) {
    registry.counter("linkwatch.alerts.evaluations", "outcome", outcome).increment();
  }

  void seriesEnded(String reason) {
    registry.counter("linkwatch.alerts.series.ended", "reason", reason).increment();
  }
}
