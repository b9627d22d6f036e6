package io.linkwatch.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.linkwatch.avro.Aggregation;
import io.linkwatch.avro.AlertRule;
import io.linkwatch.avro.Operator;
import io.linkwatch.avro.Severity;
import io.linkwatch.avro.WindowedAggregate;
import io.linkwatch.streams.alert.WindowResult;
import io.linkwatch.streams.signal.SignalCatalog;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WindowEngineTest {

  private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");
  private final TopologyFixture f =
      new TopologyFixture(
          Map.of(
              "streams.grace.ms", 10_000L,
              "streams.window.size.ms", 300_000L,
              "streams.window.advance.ms", 60_000L,
              "streams.window.revision.horizon.ms", 120_000L,
              "streams.window.nodata.evaluations", 2,
              "streams.idle.close.ms", 5_000L));

  @AfterEach
  void close() {
    f.close();
  }

  private static Instant at(long seconds) {
    return T0.plusSeconds(seconds);
  }

  private static AlertRule.Builder rule(String id, String signal, Aggregation aggregation) {
    return AlertRule.newBuilder()
        .setId(id)
        .setVersion(1)
        .setName(id)
        .setSignal(signal)
        .setAggregation(aggregation)
        .setOperator(Operator.GREATER_THAN)
        .setThreshold(0.0)
        .setWindowSizeMs(120_000L)
        .setEvaluationFrequencyMs(60_000L)
        .setSeverity(Severity.SEV2);
  }

  private void apply(AlertRule r) {
    f.rules.pipeInput(new TestRecord<>(r.getId(), r, T0));
  }

  private List<WindowedAggregate> disconnectsByCode(List<WindowedAggregate> all) {
    return all.stream()
        .filter(a -> a.getSignal().equals(SignalCatalog.IOTHUB_DISCONNECTS))
        .filter(a -> a.getDimensions().containsKey("resultCode"))
        .toList();
  }

  @Test
  void shouldEmitEachHoppingWindowOnceWhenItCloses() {
    f.send(Events.closedRemotely("hub1", "a", at(30)));
    f.advanceTo(at(60 + 9));
    assertThat(disconnectsByCode(f.aggregates())).isEmpty(); // [.., 60) closes at 70
    f.send(Events.closedRemotely("hub1", "b", at(90)));

    f.advanceTo(at(60 * 7 + 10));
    List<WindowedAggregate> windows = disconnectsByCode(f.aggregates());
    // a record belongs to size/advance = 5 windows; two records in adjacent minutes: 6 windows
    assertThat(windows).hasSize(6);
    assertThat(windows)
        .extracting(
            a -> a.getWindowEnd().getEpochSecond() - T0.getEpochSecond(),
            WindowedAggregate::getCount)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(60L, 1L),
            org.assertj.core.groups.Tuple.tuple(120L, 2L),
            org.assertj.core.groups.Tuple.tuple(180L, 2L),
            org.assertj.core.groups.Tuple.tuple(240L, 2L),
            org.assertj.core.groups.Tuple.tuple(300L, 2L),
            org.assertj.core.groups.Tuple.tuple(360L, 1L));
    assertThat(windows)
        .allSatisfy(
            a -> {
              assertThat(a.getIsFinal()).isTrue();
              assertThat(a.getRevision()).isZero();
              assertThat(a.getDimensions())
                  .containsEntry("hub", "hub1")
                  .containsEntry("resultCode", "404104");
            });
    assertThat(windows.get(1).getDistinctDevices()).isEqualTo(2);
  }

  @Test
  void shouldReviseAClosedWindowForALateRecordWithinTheHorizonAndCountItAsLate() {
    f.send(Events.closedRemotely("hub1", "a", at(30)));
    f.advanceTo(at(75)); // window ending at 60 closed (60 + 10 grace)
    assertThat(disconnectsByCode(f.aggregates())).hasSize(1);

    f.send(Events.closedRemotely("hub1", "late", at(40)));
    List<WindowedAggregate> revised = disconnectsByCode(f.aggregates());
    assertThat(revised)
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.getWindowEnd()).isEqualTo(at(60));
              assertThat(a.getRevision()).isEqualTo(1);
              assertThat(a.getCount()).isEqualTo(2);
              assertThat(a.getLateRecords()).isEqualTo(1);
            });
    assertThat(
            f.meters
                .get("linkwatch.streams.late.records")
                .tag("stage", "window")
                .tag("outcome", "revised")
                .counter()
                .count())
        .isGreaterThanOrEqualTo(1.0); // one per view the record feeds
  }

  @Test
  void shouldOnlyCountARecordLaterThanTheRevisionHorizon() {
    f.send(Events.closedRemotely("hub1", "a", at(30)));
    f.advanceTo(at(3600));
    f.aggregates();
    f.send(Events.closedRemotely("hub1", "very-late", at(35)));
    assertThat(disconnectsByCode(f.aggregates())).isEmpty();
    assertThat(
            f.meters
                .get("linkwatch.streams.late.records")
                .tag("stage", "window")
                .tag("outcome", "counted")
                .counter()
                .count())
        .isGreaterThanOrEqualTo(1.0);
  }

  @Test
  void shouldCloseWindowsOnTheWallClockWhenInputStops() {
    f.send(Events.closedRemotely("hub1", "a", at(30)));
    f.wallClock(Duration.ofSeconds(2));
    assertThat(disconnectsByCode(f.aggregates())).isEmpty();
    f.wallClock(Duration.ofSeconds(60));
    assertThat(disconnectsByCode(f.aggregates())).isNotEmpty();
  }

  @Test
  void shouldFeedARuleViewWithResultsPerSeriesAndThenNoDataResults() {
    apply(
        rule("auth-per-hub", SignalCatalog.IOTHUB_ERRORS, Aggregation.COUNT)
            .setSplitBy(List.of("hub"))
            .setFilters(Map.of("resultCode", List.of("401003")))
            .build());
    f.send(Events.unauthorized("hub1", "a", at(10)));
    f.send(Events.unauthorized("hub1", "b", at(20)));
    f.send(Events.closedRemotely("hub1", "c", at(20))); // filtered out
    f.advanceTo(at(600));

    List<WindowResult> results = f.results;
    assertThat(results).isNotEmpty();
    assertThat(results)
        .allSatisfy(
            r -> {
              assertThat(r.ruleId()).isEqualTo("auth-per-hub");
              assertThat(r.seriesKey()).isEqualTo("auth-per-hub|hub=hub1");
              assertThat(r.ruleVersion()).isEqualTo(1);
            });
    // windows of 2 min every minute: ends 60 and 120 have data, then 2 no-data evaluations
    assertThat(results)
        .extracting(
            r -> r.windowEnd().getEpochSecond() - T0.getEpochSecond(),
            WindowResult::hasData,
            WindowResult::count)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(60L, true, 2L),
            org.assertj.core.groups.Tuple.tuple(120L, true, 2L),
            org.assertj.core.groups.Tuple.tuple(180L, false, 0L),
            org.assertj.core.groups.Tuple.tuple(240L, false, 0L));
    assertThat(results.get(0).value()).isEqualTo(2.0);
    assertThat(results.get(0).sampleEvents()).hasSize(2);
    assertThat(results.get(0).inputOffsets())
        .singleElement()
        .satisfies(o -> assertThat(o.getCount()).isEqualTo(2));
    assertThat(results.get(2).value()).isNaN();
  }

  @Test
  void shouldComputeARatioWithTheDenominatorSignal() {
    apply(
        rule("attestation-failure-rate", SignalCatalog.DPS_ATTESTATION_FAILURES, Aggregation.RATIO)
            .setDenominatorSignal(SignalCatalog.DPS_ATTESTATION_ATTEMPTS)
            .setSplitBy(List.of("dpsInstance"))
            .build());
    f.send(Events.attestationFailure("dps1", "r1", "group-a", at(10)));
    f.send(Events.dps("dps1", "r2", at(11)).build());
    f.send(Events.dps("dps1", "r3", at(12)).build());
    f.send(Events.dps("dps1", "r4", at(13)).build());
    f.advanceTo(at(100));
    assertThat(f.results)
        .first()
        .satisfies(
            r -> {
              assertThat(r.value()).isEqualTo(0.25);
              assertThat(r.dimensions()).containsEntry("dpsInstance", "dps1");
            });
  }

  @Test
  void shouldCountDistinctDevices() {
    apply(
        rule("devices-disconnected", SignalCatalog.IOTHUB_DISCONNECTS, Aggregation.DISTINCT_DEVICES)
            .build());
    for (int i = 0; i < 30; i++) {
      f.send(Events.closedRemotely("hub1", "d" + (i % 10), at(10 + i)));
    }
    f.advanceTo(at(100));
    assertThat(f.results)
        .first()
        .satisfies(
            r -> {
              assertThat(r.value()).isEqualTo(10.0);
              assertThat(r.count()).isEqualTo(30);
            });
  }

  @Test
  void shouldApplyARuleChangeWithoutRestart() {
    apply(rule("r", SignalCatalog.IOTHUB_DISCONNECTS, Aggregation.COUNT).build());
    f.send(Events.closedRemotely("hub1", "a", at(10)));
    f.advanceTo(at(75));
    assertThat(f.results).extracting(WindowResult::ruleVersion).containsOnly(1);

    apply(rule("r", SignalCatalog.IOTHUB_DISCONNECTS, Aggregation.COUNT).setVersion(2).build());
    f.results.clear();
    f.send(Events.closedRemotely("hub1", "b", at(80)));
    f.advanceTo(at(200));
    assertThat(f.results).isNotEmpty().extracting(WindowResult::ruleVersion).containsOnly(2);

    f.rules.pipeInput(new TestRecord<String, AlertRule>("r", null, T0)); // deleted
    f.results.clear();
    f.send(Events.closedRemotely("hub1", "c", at(300)));
    f.advanceTo(at(900));
    assertThat(f.results).isEmpty();
  }

  @Test
  void shouldBoundTheSeriesOfARule() {
    apply(
        rule("per-device", SignalCatalog.IOTHUB_DISCONNECTS, Aggregation.COUNT)
            .setSplitBy(List.of("deviceId"))
            .setMaxSeries(6 * 3) // 3 per partition with 6 partitions
            .build());
    for (int i = 0; i < 10; i++) {
      f.send(Events.closedRemotely("hub1", "d" + i, at(10 + i)));
    }
    f.advanceTo(at(75));
    assertThat(f.results).extracting(WindowResult::seriesKey).hasSize(3);
    assertThat(f.meters.get("linkwatch.streams.series.rejected").counter().count()).isEqualTo(7.0);
  }
}
