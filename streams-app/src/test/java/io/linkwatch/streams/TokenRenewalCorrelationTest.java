package io.linkwatch.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.linkwatch.avro.Incident;
import io.linkwatch.avro.IncidentKind;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TokenRenewalCorrelationTest {

  private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");
  private final TopologyFixture f =
      new TopologyFixture(
          Map.of(
              "streams.grace.ms", 30_000L,
              "streams.correlation.grace.ms", 30_000L,
              "streams.idle.close.ms", 5_000L));

  @AfterEach
  void close() {
    f.close();
  }

  private static Instant at(long seconds) {
    return T0.plusSeconds(seconds);
  }

  @Test
  void shouldReportTokenRenewalWhenUnauthorizedIsFollowedByCloseAndReconnect() {
    f.send(Events.unauthorized("hub1", "dev1", at(0)));
    f.send(Events.closedRemotely("hub1", "dev1", at(1)));
    f.send(Events.connect("hub1", "dev1", at(12)));

    List<Incident> incidents = f.incidents();
    assertThat(incidents)
        .singleElement()
        .satisfies(
            i -> {
              assertThat(i.getKind()).isEqualTo(IncidentKind.TOKEN_RENEWAL);
              assertThat(i.getBenign()).isTrue();
              assertThat(i.getSubject()).isEqualTo("hub1/dev1");
              assertThat(i.getEvidence())
                  .extracting(e -> e.getCode())
                  .containsExactly("401003", "404104", null);
              assertThat(i.getEvidence())
                  .allSatisfy(e -> assertThat(e.getOffset()).isGreaterThanOrEqualTo(0));
              assertThat(i.getHint().getSolution()).contains("No action is needed");
            });
  }

  @Test
  void shouldKeepTheRenewalVerdictWhenTheReconnectArrivesBeforeTheErrors() {
    f.send(Events.connect("hub1", "dev1", at(12)));
    f.send(Events.closedRemotely("hub1", "dev1", at(1)));
    f.send(Events.unauthorized("hub1", "dev1", at(0)));
    f.advanceTo(at(600));

    assertThat(f.incidents())
        .extracting(Incident::getKind)
        .containsExactly(IncidentKind.TOKEN_RENEWAL);
  }

  @Test
  void shouldReportAuthFailureOnlyAfterDeadlinePlusGraceWithoutReconnect() {
    f.send(Events.unauthorized("hub1", "dev1", at(0)));
    f.send(Events.closedRemotely("hub1", "dev1", at(1)));
    f.advanceTo(at(60 + 29));
    assertThat(f.incidents()).isEmpty();

    f.advanceTo(at(60 + 30));
    assertThat(f.incidents())
        .singleElement()
        .satisfies(
            i -> {
              assertThat(i.getKind()).isEqualTo(IncidentKind.AUTH_FAILURE);
              assertThat(i.getBenign()).isFalse();
              assertThat(i.getProbableCauses())
                  .contains("device clock drift of more than 5 minutes");
              assertThat(i.getRevision()).isZero();
            });
  }

  @Test
  void shouldNotTurnALateReconnectWithinGraceIntoAFailure() {
    f.send(Events.unauthorized("hub1", "dev1", at(0)));
    f.advanceTo(at(80)); // past the 60 s deadline, within the 30 s grace
    f.send(Events.connect("hub1", "dev1", at(20)));
    f.advanceTo(at(600));

    assertThat(f.incidents())
        .extracting(Incident::getKind)
        .containsExactly(IncidentKind.TOKEN_RENEWAL);
  }

  @Test
  void shouldOpenOneAuthFailureForRepeatedRetriesOfARevokedDevice() {
    for (int i = 0; i < 10; i++) {
      f.send(Events.unauthorized("hub1", "revoked", at(i * 120)));
      f.send(Events.closedRemotely("hub1", "revoked", at(i * 120 + 1)));
      f.advanceTo(at(i * 120 + 110)); // the rest of the fleet keeps event time moving
    }
    f.advanceTo(at(10 * 120 + 120));
    f.advanceTo(at(10 * 120 + 120 + 16 * 60)); // 15 min without a new attempt closes it

    List<Incident> incidents = f.incidents();
    assertThat(incidents).extracting(Incident::getKind).containsOnly(IncidentKind.AUTH_FAILURE);
    assertThat(incidents)
        .extracting(Incident::getIncidentId)
        .containsOnly(incidents.get(0).getIncidentId());
    assertThat(incidents).extracting(Incident::getRevision).containsExactly(0, 1);
    assertThat(incidents.get(1).getEventCount()).isEqualTo(20);
  }

  @Test
  void shouldTreatRepeatedHourlyRenewalsAsSeparateBenignIncidents() {
    for (int h = 0; h < 3; h++) {
      f.send(Events.unauthorized("hub1", "dev1", at(h * 3600)));
      f.send(Events.closedRemotely("hub1", "dev1", at(h * 3600 + 1)));
      f.send(Events.connect("hub1", "dev1", at(h * 3600 + 5)));
    }
    f.advanceTo(at(4 * 3600));
    assertThat(f.incidents())
        .extracting(Incident::getKind)
        .containsExactly(
            IncidentKind.TOKEN_RENEWAL, IncidentKind.TOKEN_RENEWAL, IncidentKind.TOKEN_RENEWAL);
  }

  @Test
  void shouldNotCorrelateAPlainDisconnectWithoutUnauthorized() {
    f.send(Events.closedRemotely("hub1", "dev1", at(1)));
    f.send(Events.connect("hub1", "dev1", at(5)));
    f.advanceTo(at(3600));
    assertThat(f.incidents()).isEmpty();
  }

  @Test
  void shouldDropARepeatedDeliveryOfTheSameRecord() {
    var e = Events.unauthorized("hub1", "dev1", at(0));
    f.send(e);
    f.send(e);
    f.send(Events.connect("hub1", "dev1", at(5)));
    assertThat(f.incidents())
        .singleElement()
        .satisfies(i -> assertThat(i.getEventCount()).isEqualTo(2));
    assertThat(f.meters.get("linkwatch.streams.duplicates").counter().count()).isEqualTo(1.0);
  }

  @Test
  void shouldDecideOnTheWallClockWhenInputStops() {
    f.send(Events.unauthorized("hub1", "dev1", at(0)));
    f.wallClock(Duration.ofSeconds(3));
    assertThat(f.incidents()).isEmpty();

    f.wallClock(Duration.ofSeconds(120));
    assertThat(f.incidents())
        .extracting(Incident::getKind)
        .containsExactly(IncidentKind.AUTH_FAILURE);
  }

  @Test
  void shouldFireAnAlertForARealAuthFailureAndNoneForARenewal() {
    var rule =
        io.linkwatch.avro.AlertRule.newBuilder()
            .setId("auth-failures")
            .setVersion(1)
            .setName("Authentication failures")
            .setSignal(io.linkwatch.streams.signal.SignalCatalog.IOTHUB_AUTH_FAILURES)
            .setAggregation(io.linkwatch.avro.Aggregation.COUNT)
            .setSplitBy(List.of("hub", "deviceId"))
            .setOperator(io.linkwatch.avro.Operator.GREATER_THAN)
            .setThreshold(0.0)
            .setWindowSizeMs(300_000L)
            .setEvaluationFrequencyMs(60_000L)
            .setSeverity(io.linkwatch.avro.Severity.SEV1)
            .build();
    f.rules.pipeInput(new org.apache.kafka.streams.test.TestRecord<>(rule.getId(), rule, at(0)));
    f.send(Events.unauthorized("hub1", "renews", at(0)));
    f.send(Events.closedRemotely("hub1", "renews", at(1)));
    f.send(Events.connect("hub1", "renews", at(9)));
    f.send(Events.unauthorized("hub1", "revoked", at(0)));
    f.send(Events.closedRemotely("hub1", "revoked", at(1)));
    f.advanceTo(at(900));
    assertThat(f.incidents())
        .extracting(Incident::getKind)
        .containsExactly(IncidentKind.TOKEN_RENEWAL, IncidentKind.AUTH_FAILURE);
    // input stops: the windows close, and the alert stage releases, on the wall clock
    f.wallClock(java.time.Duration.ofMinutes(2));
    f.wallClock(java.time.Duration.ofMinutes(2));
    assertThat(f.results)
        .filteredOn(r -> r.hasData())
        .extracting(r -> r.dimensions().get("deviceId"))
        .containsOnly("revoked");

    var alerts = f.alerts.readValuesToList();
    assertThat(alerts).isNotEmpty();
    assertThat(alerts)
        .allSatisfy(a -> assertThat(a.getDimensions()).containsEntry("deviceId", "revoked"));
    assertThat(alerts).extracting(a -> a.getTransition().name()).contains("FIRED");
  }

  @Test
  void shouldForgetADeviceThatDisappears() {
    f.send(Events.connect("hub1", "gone", at(0)));
    var store = f.driver.<String, byte[]>getKeyValueStore("linkwatch-device-state");
    assertThat(store.get("hub1/gone")).isNotNull();

    f.advanceTo(at(4 * 3600));
    assertThat(store.get("hub1/gone")).isNull();
  }

  @Test
  void shouldGiveTheSameIncidentIdOnReplay() {
    f.send(Events.unauthorized("hub1", "dev1", at(0)));
    f.send(Events.connect("hub1", "dev1", at(5)));
    String first = f.incidents().get(0).getIncidentId();
    try (TopologyFixture again = new TopologyFixture(Map.of())) {
      // same events, same ids (ids are derived from the input, not from processing)
      again.send(withId(Events.unauthorized("hub1", "dev1", at(0)), "replayed-1"));
      again.send(Events.connect("hub1", "dev1", at(5)));
      String second = again.incidents().get(0).getIncidentId();
      assertThat(second).isNotEqualTo(first); // different first event id ...
    }
    try (TopologyFixture a = new TopologyFixture(Map.of());
        TopologyFixture b = new TopologyFixture(Map.of())) {
      for (TopologyFixture x : List.of(a, b)) {
        x.send(withId(Events.unauthorized("hub1", "dev1", at(0)), "same-401"));
        x.send(withId(Events.connect("hub1", "dev1", at(5)), "same-connect"));
      }
      assertThat(a.incidents()).isEqualTo(b.incidents()); // ... same input, identical incidents
    }
  }

  private static io.linkwatch.avro.ConnectionEvent withId(
      io.linkwatch.avro.ConnectionEvent e, String id) {
    e.setEventId(id);
    return e;
  }
}
