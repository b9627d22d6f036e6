package io.linkwatch.streams.replay;

import io.linkwatch.avro.Alert;
import io.linkwatch.avro.DeadLetter;
import io.linkwatch.avro.Incident;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a replay reproduced over its range, and how.
 *
 * @param from start of the range the outputs are reported for
 * @param to end of the range (exclusive): no input at or after it was read
 * @param warmup event time read before {@code from} to rebuild state; its outputs are not reported
 * @param watermark the largest event time read (the replay's final watermark), null without input
 * @param lastEvaluation the latest {@code evaluatedAt} of any window result the alert stage judged,
 *     null when none: the window engine's watermark stops at or before {@code watermark} (it is the
 *     smallest upstream one), so evaluations after it were not reached
 * @param inputs records read per input topic (warm-up included)
 * @param elapsed wall-clock time of the run (reading and processing)
 * @param ruleOrigin where the rules came from
 * @param ruleVersions every rule version used, {@code id@version}, initial ones first
 * @param ruleWarnings what may make the rules differ from the live run's
 * @param alerts alert transitions evaluated at or after {@code from}, in emission order
 * @param incidents the first {@value #KEPT} incident records (revisions included) emitted at or
 *     after {@code from}; all of them go to the output files
 * @param incidentKinds every reported incident record, counted by kind
 * @param aggregates windowed aggregates emitted at or after {@code from}
 * @param deadLetters the first {@value #KEPT} records the topology could not process
 *     (deserialization or processing errors)
 * @param deadLetterCount all of them
 * @param warmupOutputs outputs of the warm-up, not reported, by kind
 * @param results the window results the alert stage judged (only when asked for)
 * @param digest SHA-256 of the reported outputs (kind, key, value, timestamp, in order): two runs
 *     over the same input give the same digest
 */
public record ReplayResult(
    Instant from,
    Instant to,
    Duration warmup,
    Instant watermark,
    Instant lastEvaluation,
    Map<String, Long> inputs,
    Duration elapsed,
    String ruleOrigin,
    List<String> ruleVersions,
    List<String> ruleWarnings,
    List<Emitted<Alert>> alerts,
    List<Emitted<Incident>> incidents,
    Map<String, Long> incidentKinds,
    long aggregates,
    List<Emitted<DeadLetter>> deadLetters,
    long deadLetterCount,
    Map<String, Long> warmupOutputs,
    List<ResultPoint> results,
    String digest) {

  /** An immutable copy in key order, so that the summary reads the same on every run. */
  static <V> Map<String, V> sorted(Map<String, V> map) {
    return java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(map));
  }

  /** Incident records and dead letters kept in memory (the rest is counted, and written out). */
  public static final int KEPT = 10_000;

  /** One output record: key, serialized value (as the topic holds it), timestamp, decoded value. */
  public record Emitted<V>(String key, byte[] bytes, long timestamp, V value) {}

  /**
   * One value a rule judged: a window result of one series.
   *
   * @param seriesKey rule id and split-by dimensions ({@code WindowResult.seriesKey()})
   */
  public record ResultPoint(
      String seriesKey,
      String ruleId,
      int ruleVersion,
      Map<String, String> dimensions,
      Instant windowStart,
      Instant windowEnd,
      boolean hasData,
      double value,
      long count,
      long lateRecords,
      int revision,
      Instant evaluatedAt) {}

  public ReplayResult {
    inputs = sorted(inputs);
    ruleVersions = List.copyOf(ruleVersions);
    ruleWarnings = List.copyOf(ruleWarnings);
    alerts = List.copyOf(alerts);
    incidents = List.copyOf(incidents);
    incidentKinds = sorted(incidentKinds);
    deadLetters = List.copyOf(deadLetters);
    warmupOutputs = sorted(warmupOutputs);
    results = List.copyOf(results);
  }

  /** Incident records reported in all. */
  public long incidentRecords() {
    return incidentKinds.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Input records read in all. */
  public long records() {
    return inputs.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Input records per second of wall-clock time. */
  public double recordsPerSecond() {
    double s = elapsed.toNanos() / 1e9;
    return s <= 0 ? 0 : records() / s;
  }
}
