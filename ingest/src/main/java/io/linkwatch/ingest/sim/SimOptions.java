package io.linkwatch.ingest.sim;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;

/**
 * What to simulate: the fleet, the time span, the scenarios, and how the records are delivered.
 *
 * @param seed seed of every random choice: the same seed and start give the same output
 * @param start simulated time of the first record
 * @param duration simulated time span
 * @param devices devices in the fleet
 * @param hubs IoT hubs the devices are spread over
 * @param dpsInstances DPS instances
 * @param machines Arc-connected machines
 * @param scenarios the scenarios injected
 * @param format export shape of the records
 * @param duplicateRate share of records delivered twice (Event Hubs is at least once)
 * @param lateRate share of records that arrive minutes late
 */
public record SimOptions(
    long seed,
    Instant start,
    Duration duration,
    int devices,
    int hubs,
    int dpsInstances,
    int machines,
    Set<Scenario> scenarios,
    Format format,
    double duplicateRate,
    double lateRate) {

  /** The export shape of the simulated records. */
  public enum Format {
    /** Event Hubs: one {@code {"records":[...]}} envelope per line (or per Kafka message). */
    EVENTHUBS,
    /** Storage PT1H.json: one record per line. */
    PT1H,
    /** Log Analytics rows (TimeGenerated, properties_s, _ResourceId, ...), one per line. */
    LOGANALYTICS
  }

  public SimOptions {
    if (devices < 1 || hubs < 1 || dpsInstances < 1 || machines < 0) {
      throw new IllegalArgumentException(
          "need at least 1 device, 1 hub and 1 DPS instance, and no negative machine count");
    }
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("duration must be positive");
    }
    if (duplicateRate < 0 || duplicateRate > 0.5 || lateRate < 0 || lateRate > 0.5) {
      throw new IllegalArgumentException("duplicate and late rates must be within 0..0.5");
    }
    scenarios = scenarios.isEmpty() ? EnumSet.noneOf(Scenario.class) : EnumSet.copyOf(scenarios);
  }

  /** Defaults: 200 devices on 3 hubs and 2 DPS, 4 machines, 6 hours, every scenario. */
  public static SimOptions defaults(long seed, Instant start) {
    return new SimOptions(
        seed,
        start,
        Duration.ofHours(6),
        200,
        3,
        2,
        4,
        EnumSet.allOf(Scenario.class),
        Format.EVENTHUBS,
        0.005,
        0.02);
  }

  public Instant end() {
    return start.plus(duration);
  }

  public boolean has(Scenario s) {
    return scenarios.contains(s);
  }
}
