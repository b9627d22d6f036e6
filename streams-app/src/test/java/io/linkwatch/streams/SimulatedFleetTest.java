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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ingest module's simulated fleet (every scripted scenario, hourly SAS renewals of the healthy
 * fleet, late and repeated deliveries) through the whole topology: every injected incident must be
 * found, and no benign token renewal reported as an authentication failure.
 */
class SimulatedFleetTest {

  @TempDir Path dir;

  @Test
  void shouldFindEveryInjectedIncidentAndReportNoRenewalAsAFailure() {
    SimulatedFleet fleet =
        SimulatedFleet.run(SimulatedFleet.options(7, Duration.ofHours(4), 150), dir);
    assertThat(fleet.deadLetters).isZero();

    List<Incident> incidents;
    try (TopologyFixture f = new TopologyFixture(Map.of())) {
      for (SimulatedFleet.Event e : fleet.events) {
        switch (e.topic()) {
          case "connections" ->
              f.connections.pipeInput(
                  new TestRecord<>(
                      e.key(), (ConnectionEvent) e.value(), Instant.ofEpochMilli(e.time())));
          case "provisioning" ->
              f.provisioning.pipeInput(
                  new TestRecord<>(
                      e.key(), (ProvisioningEvent) e.value(), Instant.ofEpochMilli(e.time())));
          default ->
              f.agent.pipeInput(
                  new TestRecord<>(
                      e.key(), (AgentEvent) e.value(), Instant.ofEpochMilli(e.time())));
        }
      }
      for (int i = 0; i < 4; i++) {
        f.wallClock(Duration.ofMinutes(30)); // the input stops: everything closes on the wall clock
      }
      incidents = f.incidents();
    }
    Map<IncidentKind, double[]> report =
        SimulatedFleet.score(fleet.truth, incidents, "SimulatedFleetTest (TopologyTestDriver)");

    Set<SimulatedFleet.Truth> found =
        incidents.stream()
            .map(i -> new SimulatedFleet.Truth(i.getKind(), i.getSubject(), i.getBenign()))
            .collect(Collectors.toSet());
    assertThat(found).as("every injected incident is found").containsAll(fleet.truth);

    Set<String> renewing =
        fleet.truth.stream()
            .filter(t -> t.kind() == IncidentKind.TOKEN_RENEWAL)
            .map(SimulatedFleet.Truth::subject)
            .collect(Collectors.toSet());
    Set<String> revoked =
        fleet.truth.stream()
            .filter(t -> t.kind() == IncidentKind.AUTH_FAILURE)
            .map(SimulatedFleet.Truth::subject)
            .collect(Collectors.toSet());
    assertThat(
            incidents.stream()
                .filter(i -> i.getKind() == IncidentKind.AUTH_FAILURE)
                .map(Incident::getSubject)
                .filter(s -> renewing.contains(s) && !revoked.contains(s))
                .toList())
        .as("no benign token renewal reported as an authentication failure")
        .isEmpty();
    assertThat(report.get(IncidentKind.AUTH_FAILURE)[0])
        .as("auth failure precision")
        .isEqualTo(1.0);
  }
}
