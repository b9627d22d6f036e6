package io.linkwatch.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.linkwatch.avro.AgentCause;
import io.linkwatch.avro.Incident;
import io.linkwatch.avro.IncidentKind;
import io.linkwatch.avro.WindowedAggregate;
import io.linkwatch.streams.signal.SignalCatalog;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PatternDetectionTest {

  private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");
  private final TopologyFixture f =
      new TopologyFixture(
          Map.of(
              "streams.grace.ms", 10_000L,
              "streams.outage.window.ms", 120_000L,
              "streams.outage.min.devices", 5,
              "streams.outage.min.server.error.devices", 2,
              "streams.throttling.min.events", 5,
              "streams.reprovisioning.flap.changes", 3,
              "streams.incident.idle.close.ms", 600_000L));

  @AfterEach
  void close() {
    f.close();
  }

  private static Instant at(long seconds) {
    return T0.plusSeconds(seconds);
  }

  private List<Incident> of(List<Incident> all, IncidentKind kind) {
    return all.stream().filter(i -> i.getKind() == kind).toList();
  }

  @Test
  void shouldDetectAHubOutageFromManyPlainDisconnectsWithServerErrors() {
    for (int i = 0; i < 20; i++) {
      f.send(Events.closedRemotely("hub1", "d" + i, at(10 + i)));
    }
    f.send(Events.error("hub1", "d1", at(15), 500001, "ServerError"));
    f.send(Events.error("hub1", "d2", at(16), 500008, "GenericTimeout"));
    // the per-hub detector sees only hub-wide signals: when they stop, its windows close on the
    // wall clock
    f.wallClock(java.time.Duration.ofMinutes(20));

    List<Incident> outages = of(f.incidents(), IncidentKind.HUB_OUTAGE);
    assertThat(outages).extracting(Incident::getRevision).containsExactly(0, 1);
    assertThat(outages.get(0).getSubject()).isEqualTo("hub1");
    assertThat(outages.get(0).getHub()).isEqualTo("hub1");
    assertThat(outages.get(0).getDimensions()).containsEntry("disconnectedDevices", "20");
    assertThat(outages.get(0).getEvidence()).isNotEmpty();
  }

  @Test
  void shouldNotMistakeAWaveOfTokenRenewalsForAnOutage() {
    for (int i = 0; i < 20; i++) {
      f.send(Events.unauthorized("hub1", "d" + i, at(10 + i)));
      f.send(Events.closedRemotely("hub1", "d" + i, at(11 + i)));
      f.send(Events.connect("hub1", "d" + i, at(15 + i)));
    }
    f.send(Events.error("hub1", "x", at(15), 500001, "ServerError"));
    f.send(Events.error("hub1", "y", at(16), 500001, "ServerError"));
    f.wallClock(java.time.Duration.ofMinutes(20));
    List<Incident> all = f.incidents();
    assertThat(of(all, IncidentKind.HUB_OUTAGE)).isEmpty();
    assertThat(of(all, IncidentKind.TOKEN_RENEWAL)).hasSize(20);
    assertThat(of(all, IncidentKind.AUTH_FAILURE)).isEmpty();
  }

  @Test
  void shouldOpenOneThrottlingEpisodePerHub() {
    for (int i = 0; i < 30; i++) {
      f.send(Events.telemetryThrottled("hub1", "d" + (i % 4), at(10 + i * 5)));
    }
    f.wallClock(java.time.Duration.ofMinutes(20));
    List<Incident> throttled = of(f.incidents(), IncidentKind.THROTTLED);
    assertThat(throttled).extracting(Incident::getSubject).containsOnly("hub1");
    assertThat(throttled)
        .extracting(Incident::getIncidentId)
        .containsOnly(throttled.get(0).getIncidentId());
    assertThat(throttled.get(0).getHint().getProbableCause()).contains("429001");
  }

  @Test
  void shouldReportAttestationFailuresOncePerRegistrationWithTheirEnrollment() {
    for (int i = 0; i < 5; i++) {
      f.send(Events.attestationFailure("dps1", "reg1", "bad-cert-group", at(10 + i * 30)));
    }
    f.wallClock(java.time.Duration.ofHours(1)); // the provisioning input goes quiet
    List<Incident> failures = of(f.incidents(), IncidentKind.ATTESTATION_FAILURE);
    assertThat(failures).extracting(Incident::getRevision).containsExactly(0, 1);
    assertThat(failures.get(0).getSubject()).isEqualTo("dps1/reg1");
    assertThat(failures.get(0).getDimensions()).containsEntry("enrollment", "bad-cert-group");
    assertThat(failures.get(1).getEventCount()).isEqualTo(5);

    List<WindowedAggregate> byEnrollment =
        f.aggregates().stream()
            .filter(a -> a.getSignal().equals(SignalCatalog.DPS_ATTESTATION_FAILURES))
            .filter(a -> "bad-cert-group".equals(a.getDimensions().get("enrollment")))
            .toList();
    assertThat(byEnrollment).isNotEmpty();
  }

  @Test
  void shouldTrackReassignmentsAndDetectFlapping() {
    f.send(Events.assignment("dps1", "mover", "hub-a", at(0)));
    f.send(Events.assignment("dps1", "mover", "hub-b", at(60)));
    f.advanceTo(at(120));
    assertThat(of(f.incidents(), IncidentKind.REPROVISIONED))
        .singleElement()
        .satisfies(
            i ->
                assertThat(i.getDimensions())
                    .containsEntry("fromHub", "hub-a")
                    .containsEntry("toHub", "hub-b"));

    f.send(Events.assignment("dps1", "mover", "hub-a", at(180)));
    f.send(Events.assignment("dps1", "mover", "hub-b", at(240)));
    List<Incident> all = f.incidents();
    assertThat(of(all, IncidentKind.REPROVISIONED)).hasSize(2);
    assertThat(of(all, IncidentKind.ASSIGNMENT_FLAPPING))
        .singleElement()
        .satisfies(i -> assertThat(i.getEventCount()).isEqualTo(3));
  }

  @Test
  void shouldFlagALegacyProvisioningClientOnce() {
    f.send(
        Events.dps("dps1", "old", at(0))
            .setOperationName("RegisterDevice")
            .setApiVersion("2018-04-01")
            .build());
    f.send(
        Events.dps("dps1", "old", at(60))
            .setOperationName("RegisterDevice")
            .setApiVersion("2018-04-01")
            .build());
    f.send(
        Events.dps("dps1", "new", at(60))
            .setOperationName("RegisterDevice")
            .setApiVersion("2021-06-01")
            .setSdkVersion("com.microsoft.azure.sdk.iot.provisioning/2.0.0")
            .build());
    assertThat(of(f.incidents(), IncidentKind.LEGACY_SDK))
        .singleElement()
        .satisfies(i -> assertThat(i.getSubject()).isEqualTo("dps1/old"));
  }

  @Test
  void shouldGroupAgentConnectionFailuresByMachineAndCause() {
    for (int i = 0; i < 4; i++) {
      f.send(Events.agentFailure("m1", AgentCause.PROXY_OR_FIREWALL_BLOCKED, at(i * 60)));
    }
    f.send(Events.agentFailure("m1", AgentCause.INVALID_CLIENT_SECRET, at(30)));
    f.wallClock(java.time.Duration.ofHours(1)); // the agent input goes quiet
    List<Incident> failures = of(f.incidents(), IncidentKind.AGENT_CONNECTION_FAILURE);
    assertThat(failures)
        .filteredOn(i -> i.getRevision() == 0)
        .extracting(i -> i.getDimensions().get("cause"))
        .containsExactlyInAnyOrder("PROXY_OR_FIREWALL_BLOCKED", "INVALID_CLIENT_SECRET");
    assertThat(failures).allSatisfy(i -> assertThat(i.getSubject()).isEqualTo("m1"));
    assertThat(failures)
        .filteredOn(i -> i.getDimensions().get("cause").equals("PROXY_OR_FIREWALL_BLOCKED"))
        .extracting(Incident::getRevision)
        .containsExactly(0, 1);
  }

  @Test
  void shouldCountSecondaryErrorsWithoutCallingThemDisconnects() {
    f.send(Events.closedRemotely("hub1", "d1", at(0)));
    f.send(Events.error("hub1", "d1", at(2), 409002, "LinkCreationConflict"));
    f.advanceTo(at(900));
    assertThat(of(f.incidents(), IncidentKind.SECONDARY_DISCONNECT))
        .singleElement()
        .satisfies(
            i -> {
              assertThat(i.getBenign()).isTrue();
              assertThat(i.getEvidence())
                  .extracting(e -> e.getCode())
                  .containsExactly("404104", "409002");
            });
    List<WindowedAggregate> disconnects =
        f.aggregates().stream()
            .filter(a -> a.getSignal().equals(SignalCatalog.IOTHUB_DISCONNECTS))
            .filter(a -> a.getDimensions().containsKey("resultCode"))
            .toList();
    assertThat(disconnects)
        .extracting(a -> a.getDimensions().get("resultCode"))
        .containsOnly("404104");
  }
}
