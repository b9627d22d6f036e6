package io.linkwatch.streams.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.linkwatch.avro.AlertRule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class BacktestTest {

  private static final Instant END = Fleet.T0.plus(Duration.ofHours(3));

  private static BacktestReport report;

  /** The default pack as baseline; the candidate fires on a single auth failure. */
  @BeforeAll
  static void backtest() throws Exception {
    ReplayRun run = ReplayRun.forSettings(Map.of());
    Map<String, AlertRule> baseline = ReplayRunTest.defaultPack();
    Map<String, AlertRule> candidate = new TreeMap<>(baseline);
    AlertRule eager = AlertRule.newBuilder(baseline.get("iothub-auth-failures")).build();
    eager.setThreshold(1.0);
    eager.setVersion(2);
    candidate.put(eager.getId(), eager);
    report =
        Backtest.report(
            new BacktestReport.Run(
                "candidate.yaml", List.copyOf(candidate.values()), replay(run, candidate, true)),
            new BacktestReport.Run(
                "the default pack", List.copyOf(baseline.values()), replay(run, baseline, false)));
  }

  @Test
  void shouldCountWhatEachRuleWouldHaveDone() {
    BacktestReport.RuleOutcome auth = outcome("iothub-auth-failures");

    assertThat(auth.rule().getThreshold()).isEqualTo(1.0);
    assertThat(auth.fired()).isEqualTo(2);
    assertThat(auth.resolved()).isEqualTo(2);
    assertThat(auth.transitions()).containsEntry("FIRED", 2L).containsEntry("RESOLVED", 2L);
    assertThat(auth.firing()).isGreaterThan(Duration.ofMinutes(30));
    assertThat(auth.series()).isEqualTo(2);
    assertThat(auth.evaluations()).isGreaterThan(10);
    assertThat(auth.charted()).hasSize(2);
    assertThat(auth.charted().get(0))
        .satisfies(
            c -> {
              assertThat(c.dimensions()).containsEntry("deviceId", "revoked");
              assertThat(c.points()).isNotEmpty();
              assertThat(c.transitions()).hasSize(2);
            });
    assertThat(outcome("dps-throttling").fired()).isZero();
  }

  @Test
  void shouldShowWhichAlertsTheCandidateAddsAndRemoves() {
    // one failure suffices: the flaky device's single failure now fires
    assertThat(report.added())
        .extracting(BacktestReport.Episode::fingerprint)
        .contains("iothub-auth-failures|deviceId=flaky|hub=hub-a");
    assertThat(report.baseline().result().alerts())
        .noneMatch(a -> a.value().getFingerprint().toString().contains("flaky"));
    // the revoked device fires with both rule sets (maybe in another window: another alert id)
    assertThat(report.removed())
        .allSatisfy(
            removed ->
                assertThat(report.added())
                    .anyMatch(added -> added.fingerprint().equals(removed.fingerprint())));
  }

  @Test
  void shouldWriteASelfContainedHtmlPageAndAJsonReport() throws Exception {
    // kept under target/ for a look
    Path dir = Path.of("target", "backtest-report");
    Path html = BacktestFiles.write(report, dir);

    String page = Files.readString(html);
    assertThat(page)
        .startsWith("<!doctype html>")
        .contains("id=\"rule-iothub-auth-failures\"", "<svg", "class=\"marker fired\"")
        .contains("Probable cause", "deviceId=revoked", "added")
        .doesNotContain("<script", "<link", "src=\"http");
    JsonNode json = new ObjectMapper().readTree(dir.resolve("backtest.json").toFile());
    assertThat(json.get("transitions")).hasSize(report.candidate().result().alerts().size());
    JsonNode auth = null;
    for (JsonNode r : json.get("rules")) {
      if (r.get("id").asText().equals("iothub-auth-failures")) {
        auth = r;
      }
    }
    assertThat(auth).isNotNull();
    assertThat(auth.get("fired").asLong()).isEqualTo(2);
    assertThat(auth.get("firingSeconds").asLong()).isPositive();
    assertThat(json.get("comparison").get("added")).hasSize(report.added().size());
  }

  private static BacktestReport.RuleOutcome outcome(String id) {
    return report.rules().stream()
        .filter(o -> o.rule().getId().equals(id))
        .findFirst()
        .orElseThrow();
  }

  private static ReplayResult replay(ReplayRun run, Map<String, AlertRule> rules, boolean keep) {
    return run.run(
        Fleet.T0,
        END,
        Duration.ZERO,
        new RuleSelection("test", rules, List.of(), List.of()),
        ReplayRunTest.feed(
            ReplayRunTest.scenario()
                .revoked(
                    "flaky",
                    Fleet.T0.plus(Duration.ofMinutes(90)),
                    Fleet.T0.plus(Duration.ofMinutes(91)))
                .sources(run.topics(), 3)),
        keep,
        ReplayRun.Progress.NONE,
        null);
  }
}
