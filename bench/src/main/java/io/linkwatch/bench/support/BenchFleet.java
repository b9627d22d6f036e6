package io.linkwatch.bench.support;

import io.linkwatch.ingest.sim.Scenario;
import io.linkwatch.ingest.sim.SimOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;

/**
 * The fleet every benchmark simulates, so that their figures describe the same workload: every
 * scenario, Event Hubs envelopes, one hub per 2,000 devices (at least 3), 2 DPS instances, 10 Arc
 * machines, 0.5 % of records delivered twice and 2 % minutes late, seed 1.
 */
public final class BenchFleet {

  private BenchFleet() {}

  public static SimOptions options(Instant start, int hours, int devices) {
    return new SimOptions(
        1,
        start,
        Duration.ofHours(hours),
        devices,
        Math.max(3, devices / 2000),
        2,
        10,
        EnumSet.allOf(Scenario.class),
        SimOptions.Format.EVENTHUBS,
        0.005,
        0.02);
  }
}
