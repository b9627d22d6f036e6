package io.linkwatch.streams.alert;

import io.linkwatch.avro.EvidenceEvent;
import io.linkwatch.avro.OffsetRange;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The value of one rule series over one event-time window: what the window engine hands to the
 * alert stage when a window closes (stream time or the wall-clock idle watermark passes {@code
 * windowEnd + grace}), and again, as a revision, when a late record changes a window that was
 * already evaluated.
 *
 * <p>This is the contract between the window engine ({@code io.linkwatch.streams.window}) and the
 * alert stage ({@link io.linkwatch.streams.alert}): results arrive keyed by {@link #seriesKey()},
 * in window order per series, on the partition that owns the series.
 *
 * @param ruleId the rule the series belongs to
 * @param ruleVersion the version of the rule the value was computed with
 * @param dimensions the split-by dimension values of the series (empty for an unsplit rule)
 * @param windowStart inclusive
 * @param windowEnd exclusive
 * @param hasData false when the series had no observation in the window (no-data handling)
 * @param value the aggregated value (count, total, average, min, max, ratio or distinct devices, as
 *     the rule asks); NaN when {@code hasData} is false or the ratio's denominator is 0
 * @param count observations in the window
 * @param lateRecords records of the series that arrived after their window was evaluated
 * @param revision 0 for the result at close; n &gt; 0 for the n-th revision of the same window
 * @param sampleEvents a bounded sample of the events behind the value, with their offsets
 * @param inputOffsets the input offset ranges that contributed
 * @param incidentIds incidents behind the value, for incident-derived signals
 * @param evaluatedAt the event-time watermark at which the window was evaluated
 */
public record WindowResult(
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
    List<EvidenceEvent> sampleEvents,
    List<OffsetRange> inputOffsets,
    List<String> incidentIds,
    Instant evaluatedAt) {

  public WindowResult {
    Objects.requireNonNull(ruleId, "ruleId");
    dimensions = Map.copyOf(dimensions);
    sampleEvents = List.copyOf(sampleEvents);
    inputOffsets = List.copyOf(inputOffsets);
    incidentIds = List.copyOf(incidentIds);
  }

  /** The rule id of a watermark tick (see {@link #tick}). */
  public static final String TICK_RULE = "~tick";

  /**
   * Not a result: the window engine's watermark reached {@code watermark}, so every result due by
   * then ({@code evaluatedAt <= watermark}, revisions aside) has been sent. It lets the alert stage
   * follow event time when its partition has no series to evaluate, instead of declaring itself
   * idle on the wall clock (which made the inhibition step's order depend on scheduling).
   */
  public static WindowResult tick(long watermark) {
    Instant t = Instant.ofEpochMilli(watermark);
    return new WindowResult(
        TICK_RULE,
        0,
        Map.of(),
        t,
        t,
        false,
        Double.NaN,
        0,
        0,
        0,
        List.of(),
        List.of(),
        List.of(),
        t);
  }

  public boolean isTick() {
    return TICK_RULE.equals(ruleId);
  }

  /** The key of the series: the rule id and the dimension values, in dimension-name order. */
  public String seriesKey() {
    return seriesKey(ruleId, dimensions);
  }

  /** {@code ruleId} then {@code |name=value} for each dimension in name order. */
  public static String seriesKey(String ruleId, Map<String, String> dimensions) {
    StringBuilder key = new StringBuilder(ruleId);
    dimensions.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> key.append('|').append(e.getKey()).append('=').append(e.getValue()));
    return key.toString();
  }
}
