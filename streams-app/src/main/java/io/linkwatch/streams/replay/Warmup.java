package io.linkwatch.streams.replay;

import io.linkwatch.avro.AlertRule;
import io.linkwatch.streams.config.StreamsSettings;
import java.time.Duration;
import java.util.Collection;

/**
 * How much event time before {@code --from} a replay reads so that the state the live run had at
 * {@code --from} is rebuilt: the longest look-back of any rule (window, N-of-M evaluations,
 * pending, hold, clean evaluations before resolving, flap window, dynamic-threshold warm-up) and of
 * the correlations (reconnect window, incident idle close, outage window), plus grace, rounded up
 * to the minute.
 */
final class Warmup {

  private Warmup() {}

  static Duration of(Collection<AlertRule> rules, StreamsSettings settings) {
    long correlation =
        Math.max(
            Math.max(settings.reconnectWindowMs(), settings.incidentIdleMs()),
            settings.outageWindowMs());
    long longest = correlation + settings.graceMs();
    for (AlertRule r : rules) {
      longest = Math.max(longest, of(r, settings.graceMs()));
    }
    long minute = Duration.ofMinutes(1).toMillis();
    return Duration.ofMillis((longest + minute - 1) / minute * minute);
  }

  /** One rule's look-back. */
  static long of(AlertRule r, long defaultGraceMs) {
    long frequency = r.getEvaluationFrequencyMs();
    long evaluations = r.getWindowSizeMs() + frequency * Math.max(0, r.getEvaluationPeriods() - 1);
    long lifecycle =
        r.getPendingMs() + r.getKeepFiringMs() + frequency * Math.max(1, r.getAutoResolveAfter());
    long flap = r.getFlapTransitions() > 0 ? r.getFlapWindowMs() : 0;
    long dynamic =
        r.getDynamicThreshold() == null
            ? 0
            : frequency * r.getDynamicThreshold().getWarmupEvaluations();
    long grace = r.getGracePeriodMs() == null ? defaultGraceMs : r.getGracePeriodMs();
    return Math.max(evaluations + lifecycle, Math.max(flap, dynamic)) + grace;
  }
}
