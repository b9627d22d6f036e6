package io.linkwatch.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.linkwatch.avro.AgentEvent;
import io.linkwatch.avro.ConnectionEvent;
import io.linkwatch.avro.Incident;
import io.linkwatch.avro.IncidentKind;
import io.linkwatch.avro.ProvisioningEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The verdicts depend on event time and the data only, not on how the inputs interleave: the same
 * simulated fleet fed in the simulator's order, with one input topic running far ahead of the
 * others (as a task's partitions do when one is fetched or produced before the others), and with
 * wall-clock idle gaps in the middle of the input (as a paced feed with back-pressure has) must
 * give the same incidents, and no token renewal may become an authentication failure.
 *
 * <p>Each topic keeps its own order (a device's records all live in one partition); only the
 * interleaving between topics and the wall clock change.
 *
 * <p>The verdicts compared are those of the per-subject correlators (devices, registrations,
 * machines). The hub-wide detector below the repartition follows its upstream tasks' stream time,
 * so a topic read far behind the others of its task can still reach it late: with the DPS topic 25
 * minutes behind, the THROTTLED episode of the mass reboot is missed (a known gap).
 */
class InterleavingDeterminismTest {

  @TempDir static Path dir;

  private static SimulatedFleet fleet;
  private static Set<String> baseline;

  @BeforeAll
  static void simulate() {
    fleet = SimulatedFleet.run(SimulatedFleet.options(11, Duration.ofHours(3), 120), dir);
    baseline = verdicts(run(fleet.events, (f, e) -> {}));
  }

  @Test
  void shouldDecideRenewalsAsInOrderWhenProvisioningAndAgentRunAheadOfConnections() {
    // given the DPS and agent records read 25 minutes of event time ahead of the IoT Hub records
    List<SimulatedFleet.Event> skewed = skew(fleet.events, "connections", Duration.ofMinutes(25));

    // when the topology reads them
    List<Incident> incidents = run(skewed, (f, e) -> {});

    // then every verdict is the one of the in-order run, and no renewal failed
    assertNoRenewalFailed(incidents);
    assertThat(verdicts(incidents)).containsExactlyElementsOf(baseline);
  }

  @Test
  void shouldDecideRegistrationsAsInOrderWhenConnectionsRunAheadOfProvisioningAndAgent() {
    List<SimulatedFleet.Event> skewed =
        skew(skew(fleet.events, "provisioning", Duration.ofMinutes(25)), "agent", Duration.ZERO);

    List<Incident> incidents = run(skewed, (f, e) -> {});

    assertNoRenewalFailed(incidents);
    assertThat(verdicts(incidents)).containsExactlyElementsOf(baseline);
  }

  @Test
  void shouldDecideRenewalsAsInOrderWhenTheInputPausesOnTheWallClock() {
    // given a feed that pauses for 15 s of wall clock (more than the idle close) every 400 records,
    // as the demo's simulator does when the pipeline falls behind
    int[] n = {0};
    List<Incident> incidents =
        run(
            fleet.events,
            (f, e) -> {
              if (++n[0] % 400 == 0) {
                f.wallClock(Duration.ofSeconds(15));
              }
            });

    assertNoRenewalFailed(incidents);
    assertThat(verdicts(incidents)).containsExactlyElementsOf(baseline);
  }

  /**
   * Delays the records of {@code lagging} so that they are read only once the other topics are
   * {@code by} ahead of them (each topic keeps its order).
   */
  private static List<SimulatedFleet.Event> skew(
      List<SimulatedFleet.Event> events, String lagging, Duration by) {
    Deque<SimulatedFleet.Event> held = new ArrayDeque<>();
    List<SimulatedFleet.Event> out = new ArrayList<>();
    long lead = Long.MIN_VALUE;
    for (SimulatedFleet.Event e : events) {
      if (e.topic().equals(lagging)) {
        held.add(e);
      } else {
        out.add(e);
        lead = Math.max(lead, e.time());
      }
      while (!held.isEmpty() && held.peek().time() + by.toMillis() <= lead) {
        out.add(held.poll());
      }
    }
    out.addAll(held);
    return out;
  }

  private static List<Incident> run(
      List<SimulatedFleet.Event> events,
      BiConsumer<TopologyFixture, SimulatedFleet.Event> between) {
    try (TopologyFixture f = new TopologyFixture(Map.of())) {
      for (SimulatedFleet.Event e : events) {
        Instant at = Instant.ofEpochMilli(e.time());
        switch (e.topic()) {
          case "connections" ->
              f.connections.pipeInput(new TestRecord<>(e.key(), (ConnectionEvent) e.value(), at));
          case "provisioning" ->
              f.provisioning.pipeInput(
                  new TestRecord<>(e.key(), (ProvisioningEvent) e.value(), at));
          default -> f.agent.pipeInput(new TestRecord<>(e.key(), (AgentEvent) e.value(), at));
        }
        between.accept(f, e);
      }
      for (int i = 0; i < 4; i++) {
        f.wallClock(Duration.ofMinutes(30)); // the input stops: everything closes on the wall clock
      }
      return f.incidents();
    }
  }

  /** Each correlator verdict: kind, subject and incident id of the first revision. */
  private static Set<String> verdicts(List<Incident> incidents) {
    Set<String> out = new TreeSet<>();
    for (Incident i : incidents) {
      boolean hubWide =
          i.getKind() == IncidentKind.THROTTLED || i.getKind() == IncidentKind.HUB_OUTAGE;
      if (i.getRevision() == 0 && !hubWide) {
        out.add(i.getKind() + " " + i.getSubject() + " " + i.getIncidentId());
      }
    }
    return out;
  }

  private static void assertNoRenewalFailed(List<Incident> incidents) {
    Set<String> revoked = new TreeSet<>();
    fleet.truth.stream()
        .filter(t -> t.kind() == IncidentKind.AUTH_FAILURE)
        .forEach(t -> revoked.add(t.subject()));
    assertThat(
            incidents.stream()
                .filter(i -> i.getKind() == IncidentKind.AUTH_FAILURE)
                .map(Incident::getSubject)
                .filter(s -> !revoked.contains(s))
                .distinct()
                .toList())
        .as("devices that only renewed their token, reported as authentication failures")
        .isEmpty();
  }
}
