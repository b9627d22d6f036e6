package io.linkwatch.streams.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.linkwatch.avro.Alert;
import io.linkwatch.avro.EvidenceEvent;
import io.linkwatch.avro.OffsetRange;
import io.linkwatch.schemas.topic.Topic;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class VerifierTest {

  private static final Instant FROM = Fleet.T0;
  private static final Instant UNTIL = Fleet.T0.plus(Duration.ofHours(3));
  private static final Map<String, Set<Integer>> VERSIONS =
      Map.of("iothub-auth-failures", Set.of(1));

  private static ReplayRun run;
  private static List<ReplayResult.Emitted<Alert>> replayed;

  @BeforeAll
  static void replay() throws Exception {
    run = ReplayRun.forSettings(Map.of());
    replayed =
        run.run(
                FROM,
                UNTIL,
                Duration.ZERO,
                new RuleSelection("test", ReplayRunTest.defaultPack(), List.of(), List.of()),
                ReplayRunTest.feed(ReplayRunTest.scenario().sources(run.topics(), 3)),
                false,
                ReplayRun.Progress.NONE,
                null)
            .alerts();
    assertThat(replayed).hasSize(2);
  }

  @Test
  void shouldReportIdenticalWhenTheLiveTopicHoldsTheSameTransitions() {
    VerifyReport report = compare(replayed);

    assertThat(report.identical()).isEqualTo(2);
    assertThat(report.findings()).isEmpty();
    assertThat(report.reproduced()).isTrue();
  }

  @Test
  void shouldReportATamperedValueAsDifferentWithTheFieldAndBothValues() {
    List<ReplayResult.Emitted<Alert>> live = new ArrayList<>(replayed);
    Alert tampered = Alert.newBuilder(replayed.get(0).value()).build();
    tampered.getCondition().setObservedValue(42.0);
    live.set(0, emitted(tampered));

    VerifyReport report = compare(live);

    assertThat(report.identical()).isEqualTo(1);
    assertThat(report.unexplained())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.kind()).isEqualTo(VerifyReport.Kind.DIFFERENT);
              assertThat(f.transition()).isEqualTo("FIRED");
              assertThat(f.changes())
                  .containsExactly(
                      new VerifyReport.Field(
                          "condition.observedValue",
                          "42.0",
                          String.valueOf(
                              replayed.get(0).value().getCondition().getObservedValue())));
            });
    assertThat(report.reproduced()).isFalse();
  }

  @Test
  void shouldReportAMissingAndAnExtraTransition() {
    Alert unknown = Alert.newBuilder(replayed.get(1).value()).setAlertId("not-replayed").build();
    List<ReplayResult.Emitted<Alert>> live = List.of(replayed.get(0), emitted(unknown));

    VerifyReport report = compare(live);

    assertThat(report.count(VerifyReport.Kind.MISSING)).isEqualTo(1);
    assertThat(report.count(VerifyReport.Kind.EXTRA)).isEqualTo(1);
    assertThat(report.findings())
        .filteredOn(f -> f.kind() == VerifyReport.Kind.MISSING)
        .singleElement()
        .satisfies(f -> assertThat(f.alertId()).isEqualTo("not-replayed"));
    assertThat(report.reproduced()).isFalse();
  }

  @Test
  void shouldCountARedeliveredTransitionAndCompareAnotherVersionOfIt() {
    Alert other = Alert.newBuilder(replayed.get(1).value()).build();
    other.getCondition().setObservedValue(other.getCondition().getObservedValue() + 1);
    List<ReplayResult.Emitted<Alert>> live =
        List.of(replayed.get(0), replayed.get(0), replayed.get(1), emitted(other));

    VerifyReport report = compare(live);

    assertThat(report.identical()).isEqualTo(2);
    assertThat(report.notCompared())
        .containsEntry("repeated in the alerts topic with the same bytes", 1L);
    assertThat(report.findings())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.kind()).isEqualTo(VerifyReport.Kind.DIFFERENT);
              assertThat(f.transition()).isEqualTo("RESOLVED");
            });
    assertThat(report.reproduced()).isFalse();
  }

  @Test
  void shouldExplainAnAlertThatFiredBeforeTheReplaysFirstEvent() {
    Instant replayStart = Fleet.T0.plus(Duration.ofHours(1));
    Alert old =
        Alert.newBuilder(replayed.get(1).value())
            .setAlertId("fired-long-ago")
            .setFiredTime(Fleet.T0.minus(Duration.ofHours(5)))
            .build();

    VerifyReport report =
        Verifier.compare(
            FROM, UNTIL, List.of(emitted(old)), List.of(), replayStart, UNTIL, VERSIONS, Map.of());

    assertThat(report.findings())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.kind()).isEqualTo(VerifyReport.Kind.MISSING);
              assertThat(f.explanation()).contains("before the replay's first event", "--warmup");
            });
    assertThat(report.reproduced()).isTrue();
  }

  @Test
  void shouldExplainALiveTransitionEvaluatedAfterTheReplaysLastWindowEvaluation() {
    // the replay's window engine stopped before the RESOLVED evaluation; live got there later
    Instant lastEvaluation = replayed.get(0).value().getEvaluatedAt();

    VerifyReport report =
        Verifier.compare(
            FROM,
            UNTIL,
            replayed,
            List.of(replayed.get(0)),
            FROM,
            lastEvaluation,
            VERSIONS,
            Map.of());

    assertThat(report.findings())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.kind()).isEqualTo(VerifyReport.Kind.MISSING);
              assertThat(f.transition()).isEqualTo("RESOLVED");
              assertThat(f.explanation())
                  .contains("after the replay's last window evaluation", "a later --to");
            });
    assertThat(report.reproduced()).isTrue();
  }

  @Test
  void shouldExplainATransitionComputedWithAnotherRuleVersion() {
    Alert v3 = Alert.newBuilder(replayed.get(0).value()).setRuleVersion(3).build();

    VerifyReport report = compare(List.of(emitted(v3), replayed.get(1)));

    assertThat(report.findings())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.kind()).isEqualTo(VerifyReport.Kind.DIFFERENT);
              assertThat(f.explanation()).contains("version 3", "version 1");
            });
  }

  @Test
  void shouldExplainEvidenceThatDiffersOnlyForASeriesSpanningPartitions() {
    Alert live = Alert.newBuilder(replayed.get(0).value()).build();
    List<EvidenceEvent> samples = new ArrayList<>(live.getEvidence().getSampleEvents());
    java.util.Collections.reverse(samples);
    live.getEvidence().setSampleEvents(samples);
    List<OffsetRange> ranges = new ArrayList<>(live.getEvidence().getInputOffsets());
    ranges.add(OffsetRange.newBuilder(ranges.get(0)).setPartition(7).build());
    live.getEvidence().setInputOffsets(ranges);

    VerifyReport report = compare(List.of(emitted(live), replayed.get(1)));

    assertThat(report.findings())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.kind()).isEqualTo(VerifyReport.Kind.EVIDENCE_ONLY);
              assertThat(f.changes()).allMatch(c -> c.path().startsWith("evidence."));
              assertThat(f.explanation()).contains("several partitions");
            });
  }

  private static VerifyReport compare(List<ReplayResult.Emitted<Alert>> live) {
    return Verifier.compare(FROM, UNTIL, live, replayed, FROM, UNTIL, VERSIONS, Map.of());
  }

  private static ReplayResult.Emitted<Alert> emitted(Alert a) {
    Topic<String, Alert> t = run.topics().alerts();
    return new ReplayResult.Emitted<>(
        a.getFingerprint().toString(),
        t.valueSerde().serializer().serialize(t.name(), a),
        a.getEvaluatedAt().toEpochMilli(),
        a);
  }
}
