package io.linkwatch.streams.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.linkwatch.avro.Alert;
import io.linkwatch.avro.AlertRule;
import io.linkwatch.avro.AlertTransition;
import io.linkwatch.avro.Incident;
import io.linkwatch.avro.IncidentKind;
import io.linkwatch.streams.rules.RuleLoader;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class ReplayRunTest {

  private static final Instant END = Fleet.T0.plus(Duration.ofHours(3));

  private final ReplayRun run = ReplayRun.forSettings(Map.of());

  @Test
  void shouldReproduceByteIdenticalOutputsWhenTheSameRangeIsReplayedTwice() throws Exception {
    List<RangeReader.Source> input = scenario().sources(run.topics(), 3);

    ReplayResult first = replay(input, Fleet.T0, Duration.ZERO, defaultPack());
    ReplayResult second = replay(input, Fleet.T0, Duration.ZERO, defaultPack());

    assertThat(first.alerts()).isNotEmpty();
    assertThat(first.incidents()).isNotEmpty();
    assertThat(first.aggregates()).isPositive();
    assertThat(second.digest()).isEqualTo(first.digest());
    assertThat(second.alerts()).hasSameSizeAs(first.alerts());
    for (int i = 0; i < first.alerts().size(); i++) {
      assertThat(second.alerts().get(i).bytes())
          .as("alert #%d", i)
          .isEqualTo(first.alerts().get(i).bytes());
    }
  }

  @Test
  void shouldFireAndResolveTheRevokedDeviceButNotTheRenewingOnes() throws Exception {
    ReplayResult result =
        replay(scenario().sources(run.topics(), 3), Fleet.T0, Duration.ZERO, defaultPack());

    assertThat(result.alerts())
        .extracting(e -> e.value().getTransition() + " " + e.value().getFingerprint())
        .containsExactly(
            "FIRED iothub-auth-failures|deviceId=revoked|hub=hub-a",
            "RESOLVED iothub-auth-failures|deviceId=revoked|hub=hub-a");
    assertThat(result.incidents())
        .extracting(e -> e.value().getKind())
        .contains(IncidentKind.TOKEN_RENEWAL, IncidentKind.AUTH_FAILURE);
  }

  @Test
  void shouldCiteTheLiveTopicPartitionAndOffsetAsEvidence() throws Exception {
    List<RangeReader.Source> input = scenario().sources(run.topics(), 3);
    Map<Long, RangeReader.Source> byOffset = new TreeMap<>();
    input.forEach(s -> byOffset.put(s.partition() * 1_000_000L + s.offset(), s));

    ReplayResult result = replay(input, Fleet.T0, Duration.ZERO, defaultPack());

    Alert fired = result.alerts().get(0).value();
    assertThat(fired.getEvidence().getSampleEvents()).isNotEmpty();
    fired
        .getEvidence()
        .getSampleEvents()
        .forEach(
            e -> {
              assertThat(e.getTopic()).isEqualTo(run.topics().connections().name());
              RangeReader.Source s = byOffset.get(e.getPartition() * 1_000_000L + e.getOffset());
              assertThat(s).as("record at %d/%d", e.getPartition(), e.getOffset()).isNotNull();
              assertThat(s.timestamp()).isEqualTo(e.getTime().toEpochMilli());
            });
    assertThat(fired.getEvidence().getInputOffsets())
        .allSatisfy(r -> assertThat(r.getFromOffset()).isGreaterThanOrEqualTo(1000));
  }

  @Test
  void shouldNotReportWhatTheWarmupProduced() throws Exception {
    List<RangeReader.Source> input = scenario().sources(run.topics(), 3);
    Instant from = Fleet.T0.plus(Duration.ofMinutes(100));

    ReplayResult result = replay(input, from, Duration.between(Fleet.T0, from), defaultPack());

    assertThat(result.warmupOutputs()).containsKey("incident");
    assertThat(result.alerts())
        .allSatisfy(a -> assertThat(a.value().getEvaluatedAt()).isAfterOrEqualTo(from));
    assertThat(result.incidents())
        .allSatisfy(i -> assertThat(i.timestamp()).isGreaterThanOrEqualTo(from.toEpochMilli()));
  }

  @Test
  void shouldApplyARuleVersionPublishedDuringTheRangeFromItsTimeOn() throws Exception {
    Map<String, AlertRule> rules = defaultPack();
    AlertRule stricter = AlertRule.newBuilder(rules.get("iothub-auth-failures")).build();
    stricter.setVersion(2);
    stricter.setThreshold(1000.0);
    Instant changed = Fleet.T0.plus(Duration.ofMinutes(55));
    RuleSelection selection =
        new RuleSelection(
            "test",
            rules,
            List.of(new RuleHistory.Entry(stricter.getId(), changed.toEpochMilli(), stricter)),
            List.of());

    ReplayResult result =
        run.run(
            Fleet.T0,
            END,
            Duration.ZERO,
            selection,
            feed(scenario().sources(run.topics(), 3)),
            false,
            ReplayRun.Progress.NONE,
            null);

    Alert resolved =
        result.alerts().stream()
            .map(ReplayResult.Emitted::value)
            .filter(a -> a.getTransition() == AlertTransition.RESOLVED)
            .findFirst()
            .orElseThrow();
    assertThat(resolved.getRuleVersion()).isEqualTo(2);
    assertThat(resolved.getEvaluatedAt()).isAfter(changed);
    assertThat(result.ruleVersions()).contains("iothub-auth-failures@1", "iothub-auth-failures@2");
  }

  /** Twenty renewing devices for three hours, one revoked device from 0:40 to 1:10. */
  static Fleet scenario() {
    return new Fleet("hub-a")
        .healthy(20, END)
        .revoked(
            "revoked",
            Fleet.T0.plus(Duration.ofMinutes(40)),
            Fleet.T0.plus(Duration.ofMinutes(70)));
  }

  static Map<String, AlertRule> defaultPack() throws Exception {
    Map<String, AlertRule> rules = new TreeMap<>();
    for (AlertRule r : RuleLoader.loadDefaultPack().alertRules()) {
      r.setVersion(1);
      rules.put(r.getId(), r);
    }
    return rules;
  }

  private ReplayResult replay(
      List<RangeReader.Source> input, Instant from, Duration warmup, Map<String, AlertRule> rules) {
    return run.run(
        from,
        END,
        warmup,
        new RuleSelection("test", rules, List.of(), List.of()),
        feed(input),
        false,
        ReplayRun.Progress.NONE,
        null);
  }

  static ReplayRun.Feed feed(List<RangeReader.Source> input) {
    return new ReplayRun.Feed() {
      @Override
      public long size() {
        return input.size();
      }

      @Override
      public long read(Consumer<RangeReader.Source> sink) {
        input.forEach(sink);
        return input.size();
      }
    };
  }

  static List<Incident> incidents(ReplayResult r) {
    return r.incidents().stream().map(ReplayResult.Emitted::value).toList();
  }
}
