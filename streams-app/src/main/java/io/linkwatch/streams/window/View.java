package io.linkwatch.streams.window;

import io.linkwatch.avro.Aggregation;
import io.linkwatch.avro.AlertRule;
import java.util.List;
import java.util.Map;

/**
 * One way of windowing a signal: the default aggregate of a signal per its natural dimensions
 * (written to the aggregates topic), or the view an enabled alert rule asks for (filters, split-by,
 * window size and evaluation frequency, aggregation), whose closed windows become {@code
 * WindowResult}s for the alert stage.
 *
 * <p>Windows are hopping: they end at multiples of {@code advanceMs} and span {@code sizeMs}. State
 * is kept in tumbling buckets of {@link #bucketMs()} (the gcd of size and advance), so a record
 * costs one bucket update whatever the overlap, and a window is the merge of its buckets.
 *
 * @param id the view id: the rule id for a rule view, {@code @<signal>#<n>} for a default view
 * @param version the rule version (0 for default views)
 * @param emptyEvaluations how many evaluations without data a series of a rule view is still
 *     reported for ({@code hasData=false}) before it is forgotten; 0 for default views
 */
public record View(
    String id,
    Kind kind,
    String signal,
    String denominatorSignal,
    Map<String, List<String>> filters,
    List<String> splitBy,
    Aggregation aggregation,
    long sizeMs,
    long advanceMs,
    long graceMs,
    int version,
    int maxSeries,
    int emptyEvaluations) {

  /** What a view's closed windows become. */
  public enum Kind {
    /** A default view: {@code WindowedAggregate} records on the aggregates topic. */
    AGGREGATE,
    /** A rule view: {@code WindowResult}s for the alert stage. */
    RULE
  }

  public View {
    filters = Map.copyOf(filters);
    splitBy = List.copyOf(splitBy);
  }

  /** The tumbling bucket width: the greatest common divisor of size and advance. */
  public long bucketMs() {
    long a = sizeMs;
    long b = advanceMs;
    while (b != 0) {
      long t = a % b;
      a = b;
      b = t;
    }
    return a;
  }

  /** Whether the windowing (and so the buckets) of two versions of a view are compatible. */
  public boolean sameWindowing(long otherSize, long otherAdvance) {
    return sizeMs == otherSize && advanceMs == otherAdvance;
  }

  /**
   * The view of a rule, or {@code null} when the rule is disabled or cannot be windowed (the rules
   * engineer's validation rejects such rules before they reach the topic; this is the topology's
   * own guard).
   */
  public static View ofRule(AlertRule rule, long defaultGraceMs, int noDataEvaluations) {
    if (!rule.getEnabled()
        || rule.getWindowSizeMs() <= 0
        || rule.getEvaluationFrequencyMs() <= 0
        || rule.getSignal() == null) {
      return null;
    }
    Aggregation aggregation =
        rule.getAggregation() == null ? Aggregation.COUNT : rule.getAggregation();
    if (aggregation == Aggregation.RATIO && rule.getDenominatorSignal() == null) {
      return null;
    }
    long grace = rule.getGracePeriodMs() == null ? defaultGraceMs : rule.getGracePeriodMs();
    return new View(
        rule.getId(),
        Kind.RULE,
        rule.getSignal(),
        aggregation == Aggregation.RATIO ? rule.getDenominatorSignal() : null,
        rule.getFilters() == null ? Map.of() : rule.getFilters(),
        rule.getSplitBy() == null ? List.of() : rule.getSplitBy(),
        aggregation,
        rule.getWindowSizeMs(),
        rule.getEvaluationFrequencyMs(),
        Math.max(0, grace),
        rule.getVersion(),
        Math.max(1, rule.getMaxSeries()),
        Math.max(noDataEvaluations, evaluationsToResolve(rule)));
  }

  /**
   * Empty evaluations a series of {@code rule} needs to resolve once its signal stops: its N-of-M
   * periods to clear, its clean evaluations, and its hold ({@code keepFiringFor}) in evaluations.
   * Were the series forgotten earlier, an alert that fired on it would never see the clean windows
   * that resolve it, and would end only as a stale {@code MissingSeries} long after the condition
   * cleared (the DPS throttling rule holds 15 minutes at a 1-minute frequency).
   */
  static int evaluationsToResolve(AlertRule rule) {
    long frequency = Math.max(1, rule.getEvaluationFrequencyMs());
    long hold = (Math.max(0, rule.getKeepFiringMs()) + frequency - 1) / frequency;
    // N of M failing periods clear after M - N + 1 clean ones, the first of which counts toward
    // the clean evaluations; one more for good measure
    long n =
        Math.max(0, rule.getEvaluationPeriods() - rule.getMinFailingPeriods())
            + Math.max(1, rule.getAutoResolveAfter())
            + hold
            + 1;
    return (int) Math.min(n, 10_000);
  }
}
