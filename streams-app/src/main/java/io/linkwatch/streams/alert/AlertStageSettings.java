package io.linkwatch.streams.alert;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Duration;
import java.util.Objects;

/**
 * How the alert stage runs. Everything has a sensible default ({@link #defaults()}); the topology
 * builds one from its config.
 *
 * @param ruleStoreName the global store of rules ({@code KeyValueStore<String, AlertRule>}, key =
 *     rule id) the window engine maintains from the rules topic
 * @param maxSampleEvents sample events copied into an alert's evidence
 * @param maxInputOffsets input offset ranges copied into an alert's evidence
 * @param maxIncidentIds incident ids copied into an alert's evidence
 * @param revisionHorizon evaluations remembered per series beyond the N-of-M periods, so that a
 *     late revision of a recent window is compared with what was shown
 * @param baselineSize values a dynamic threshold learns from (the most recent ones)
 * @param staleAfterEvaluations a series with no result for this many of its rule's evaluation
 *     periods (in event time) is forgotten; its open alert resolves with reason MissingSeries
 * @param inhibitionDelay extra event time the inhibition step waits past the slowest evaluating
 *     partition's watermark before it judges a target transition (0 is exact when the watermarks
 *     are; more absorbs skew if watermarks are coarse)
 * @param idleAfter wall-clock interval of the inhibition step's check for silent evaluating
 *     partitions
 * @param ruleCheckInterval wall-clock interval at which series of deleted or disabled rules are
 *     resolved even when no result arrives for them
 * @param meterRegistry where the stage's meters go ({@link AlertMetrics}); an empty composite
 *     registry (no-op) by default
 * @param evaluatingPartitions how many evaluating tasks (window partitions) the inhibition step
 *     waits to hear from before it applies anything; 0 (the default) waits for none that has not
 *     been heard from
 * @param evaluatingWait how long, in wall-clock time from its start, the inhibition step waits for
 *     them at most, and how long an evaluating partition may be silent before it stops holding the
 *     others back (the window engine waits as long for its own upstream tasks)
 */
public record AlertStageSettings(
    String ruleStoreName,
    int maxSampleEvents,
    int maxInputOffsets,
    int maxIncidentIds,
    int revisionHorizon,
    int baselineSize,
    int staleAfterEvaluations,
    Duration inhibitionDelay,
    Duration idleAfter,
    Duration ruleCheckInterval,
    MeterRegistry meterRegistry,
    int evaluatingPartitions,
    Duration evaluatingWait) {

  /** Name of the global rule store, agreed with the window engine. */
  public static final String RULE_STORE = "linkwatch-alert-rules";

  /** Store of per-series alert state. */
  public static final String SERIES_STORE = "linkwatch-alert-series";

  /** Store of transitions the inhibition step holds until every partition's watermark passed. */
  public static final String INHIBITION_BUFFER_STORE = "linkwatch-alert-inhibition-buffer";

  /** Store of active sources, muted targets and partition watermarks of the inhibition step. */
  public static final String INHIBITION_STATE_STORE = "linkwatch-alert-inhibition-state";

  /** Name of the internal topic that carries alert candidates by inhibition scope. */
  public static final String INHIBITION_TOPIC = "linkwatch-alert-inhibition";

  public AlertStageSettings {
    Objects.requireNonNull(ruleStoreName, "ruleStoreName");
    Objects.requireNonNull(inhibitionDelay, "inhibitionDelay");
    Objects.requireNonNull(idleAfter, "idleAfter");
    Objects.requireNonNull(ruleCheckInterval, "ruleCheckInterval");
    Objects.requireNonNull(meterRegistry, "meterRegistry");
    Objects.requireNonNull(evaluatingWait, "evaluatingWait");
    if (maxSampleEvents < 0 || maxInputOffsets < 0 || maxIncidentIds < 0) {
      throw new IllegalArgumentException("evidence sizes must not be negative");
    }
    if (revisionHorizon < 1 || baselineSize < 3 || staleAfterEvaluations < 1) {
      throw new IllegalArgumentException(
          "revisionHorizon >= 1, baselineSize >= 3 and staleAfterEvaluations >= 1 are required");
    }
  }

  public static AlertStageSettings defaults() {
    return new AlertStageSettings(
        RULE_STORE,
        10,
        20,
        20,
        10,
        60,
        30,
        Duration.ZERO,
        Duration.ofSeconds(30),
        Duration.ofSeconds(10),
        new CompositeMeterRegistry(),
        0,
        Duration.ofMinutes(1));
  }

  public AlertStageSettings withInhibitionDelay(Duration delay) {
    return new AlertStageSettings(
        ruleStoreName,
        maxSampleEvents,
        maxInputOffsets,
        maxIncidentIds,
        revisionHorizon,
        baselineSize,
        staleAfterEvaluations,
        delay,
        idleAfter,
        ruleCheckInterval,
        meterRegistry,
        evaluatingPartitions,
        evaluatingWait);
  }

  public AlertStageSettings withMeterRegistry(MeterRegistry registry) {
    return new AlertStageSettings(
        ruleStoreName,
        maxSampleEvents,
        maxInputOffsets,
        maxIncidentIds,
        revisionHorizon,
        baselineSize,
        staleAfterEvaluations,
        inhibitionDelay,
        idleAfter,
        ruleCheckInterval,
        registry,
        evaluatingPartitions,
        evaluatingWait);
  }

  /**
   * The same settings, waiting at start for {@code partitions} evaluating tasks, {@code wait} at
   * most.
   */
  public AlertStageSettings withEvaluatingPartitions(int partitions, Duration wait) {
    return new AlertStageSettings(
        ruleStoreName,
        maxSampleEvents,
        maxInputOffsets,
        maxIncidentIds,
        revisionHorizon,
        baselineSize,
        staleAfterEvaluations,
        inhibitionDelay,
        idleAfter,
        ruleCheckInterval,
        meterRegistry,
        Math.max(0, partitions),
        wait);
  }
}
