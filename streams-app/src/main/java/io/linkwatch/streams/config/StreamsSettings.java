package io.linkwatch.streams.config;

import java.util.Map;
import org.apache.kafka.common.config.ConfigException;

/**
 * The parsed, validated {@code streams.*} settings the topology is a pure function of (together
 * with the topics). Times are event-time milliseconds unless named wall-clock.
 */
public record StreamsSettings(
    long dedupRetentionMs,
    long graceMs,
    long reconnectWindowMs,
    long correlationGraceMs,
    long deviceStateTtlMs,
    long incidentIdleMs,
    int evidenceMax,
    long outageWindowMs,
    int outageMinDevices,
    int outageMinServerErrorDevices,
    int throttlingMinEvents,
    int flapChanges,
    long flapWindowMs,
    long windowSizeMs,
    long windowAdvanceMs,
    long revisionHorizonMs,
    int noDataEvaluations,
    int sampleEvents,
    int distinctExactMax,
    int sketchPrecision,
    int windowPartitions,
    boolean earlyUpdates,
    long idleCloseMs,
    long wallClockIntervalMs,
    int eventPartitions) {

  public StreamsSettings {
    if (windowSizeMs <= 0 || windowAdvanceMs <= 0) {
      throw new ConfigException(
          StreamsAppConfig.WINDOW_SIZE_MS
              + " and "
              + StreamsAppConfig.WINDOW_ADVANCE_MS
              + " must be > 0");
    }
    if (windowSizeMs % windowAdvanceMs != 0) {
      throw new ConfigException(
          StreamsAppConfig.WINDOW_ADVANCE_MS,
          windowAdvanceMs,
          "must divide " + StreamsAppConfig.WINDOW_SIZE_MS + " (" + windowSizeMs + ")");
    }
    if (outageWindowMs < 2) {
      throw new ConfigException(
          StreamsAppConfig.OUTAGE_WINDOW_MS, outageWindowMs, "must be at least 2 ms");
    }
    if (wallClockIntervalMs <= 0) {
      throw new ConfigException(
          StreamsAppConfig.WALL_CLOCK_INTERVAL_MS, wallClockIntervalMs, "must be > 0");
    }
  }

  /** Parses and validates. */
  public static StreamsSettings from(StreamsAppConfig c) {
    return new StreamsSettings(
        c.getLong(StreamsAppConfig.DEDUP_RETENTION_MS),
        c.getLong(StreamsAppConfig.GRACE_MS),
        c.getLong(StreamsAppConfig.RECONNECT_WINDOW_MS),
        c.getLong(StreamsAppConfig.CORRELATION_GRACE_MS),
        c.getLong(StreamsAppConfig.DEVICE_STATE_TTL_MS),
        c.getLong(StreamsAppConfig.INCIDENT_IDLE_MS),
        c.getInt(StreamsAppConfig.EVIDENCE_MAX),
        c.getLong(StreamsAppConfig.OUTAGE_WINDOW_MS),
        c.getInt(StreamsAppConfig.OUTAGE_MIN_DEVICES),
        c.getInt(StreamsAppConfig.OUTAGE_MIN_SERVER_ERROR_DEVICES),
        c.getInt(StreamsAppConfig.THROTTLING_MIN_EVENTS),
        c.getInt(StreamsAppConfig.FLAP_CHANGES),
        c.getLong(StreamsAppConfig.FLAP_WINDOW_MS),
        c.getLong(StreamsAppConfig.WINDOW_SIZE_MS),
        c.getLong(StreamsAppConfig.WINDOW_ADVANCE_MS),
        c.getLong(StreamsAppConfig.WINDOW_REVISION_HORIZON_MS),
        c.getInt(StreamsAppConfig.WINDOW_NODATA_EVALUATIONS),
        c.getInt(StreamsAppConfig.WINDOW_SAMPLE_EVENTS),
        c.getInt(StreamsAppConfig.WINDOW_DISTINCT_EXACT_MAX),
        c.getInt(StreamsAppConfig.WINDOW_SKETCH_PRECISION),
        c.getInt(StreamsAppConfig.WINDOW_PARTITIONS),
        c.getBoolean(StreamsAppConfig.WINDOW_EARLY_UPDATES),
        c.getLong(StreamsAppConfig.IDLE_CLOSE_MS),
        c.getLong(StreamsAppConfig.WALL_CLOCK_INTERVAL_MS),
        0);
  }

  /**
   * The same settings, for a cluster whose event topics have {@code partitions} partitions: the
   * number of correlation tasks, which the stages below a repartition wait for at start (see {@code
   * EventClock}). Not a configuration key: the streams role reads it from the cluster. 0, the
   * default, waits for no absent task (a {@code TopologyTestDriver} has one task per stage).
   */
  public StreamsSettings withEventPartitions(int partitions) {
    return new StreamsSettings(
        dedupRetentionMs,
        graceMs,
        reconnectWindowMs,
        correlationGraceMs,
        deviceStateTtlMs,
        incidentIdleMs,
        evidenceMax,
        outageWindowMs,
        outageMinDevices,
        outageMinServerErrorDevices,
        throttlingMinEvents,
        flapChanges,
        flapWindowMs,
        windowSizeMs,
        windowAdvanceMs,
        revisionHorizonMs,
        noDataEvaluations,
        sampleEvents,
        distinctExactMax,
        sketchPrecision,
        windowPartitions,
        earlyUpdates,
        idleCloseMs,
        wallClockIntervalMs,
        Math.max(0, partitions));
  }

  /**
   * The upstream tasks that tick to the window engine: the correlation tasks and the hub-wide
   * detector's tasks (one per window partition); 0 when the event partitions are not known.
   */
  public int windowUpstreams() {
    return eventPartitions == 0 ? 0 : eventPartitions + windowPartitions;
  }

  /** The defaults, with overrides (tests, benchmarks). */
  public static StreamsSettings of(Map<String, ?> overrides) {
    return from(new StreamsAppConfig(overrides));
  }

  public static StreamsSettings defaults() {
    return of(Map.of());
  }
}
