package io.linkwatch.streams.replay;

import io.linkwatch.avro.Alert;
import io.linkwatch.avro.OffsetRange;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Compares replayed alert transitions with the live ones, transition by transition, keyed by the
 * idempotency key ({@code alertId}, {@code sequence}), and says which differences are legitimate:
 *
 * <ul>
 *   <li>an alert episode that began before the replay's first event (its {@code firedTime} is
 *       before the warm-up start): the replay cannot know the live state then;
 *   <li>a live transition computed with a rule version the replay did not use;
 *   <li>evidence only, for a series whose input spans several partitions: the live window engine
 *       received those partitions interleaved by scheduling, so its sample events and offset range
 *       order can differ (docs/streams.md, determinism limit 3);
 *   <li>a live transition missing from the replay, evaluated after the replay's last window
 *       evaluation: the window engine's watermark is the smallest upstream one, so at the end of
 *       the range it stops behind the last event read, and the live run reached that evaluation
 *       with events after the range.
 * </ul>
 *
 * Everything else is a difference nothing known explains, and fails {@code --verify}.
 */
final class Verifier {

  private Verifier() {}

  /**
   * @param live the live transitions of the replayed rules evaluated in {@code [from, until]}
   * @param replayed the replayed transitions evaluated in the same range
   * @param replayStart the time of the replay's first input (from − warm-up)
   * @param lastEvaluation the latest evaluation the replay's window engine reached, null when it
   *     reached none
   * @param ruleVersions the rule versions the replay used, by rule id
   * @param notCompared live transitions left out and why, for the report
   */
  static VerifyReport compare(
      Instant from,
      Instant until,
      List<ReplayResult.Emitted<Alert>> live,
      List<ReplayResult.Emitted<Alert>> replayed,
      Instant replayStart,
      Instant lastEvaluation,
      Map<String, Set<Integer>> ruleVersions,
      Map<String, Long> notCompared) {
    Map<String, ReplayResult.Emitted<Alert>> liveByKey = index(live);
    Map<String, ReplayResult.Emitted<Alert>> replayByKey = index(replayed);
    Map<String, List<Alert>> liveByFingerprint = new TreeMap<>();
    live.forEach(
        e ->
            liveByFingerprint
                .computeIfAbsent(e.value().getFingerprint().toString(), f -> new ArrayList<>())
                .add(e.value()));
    List<VerifyReport.Finding> findings = new ArrayList<>();
    Map<String, Long> skipped = new TreeMap<>(notCompared);
    List<ReplayResult.Emitted<Alert>> toCompare = distinct(live, skipped);
    int identical = 0;
    for (ReplayResult.Emitted<Alert> copy : toCompare) {
      Alert l = copy.value();
      ReplayResult.Emitted<Alert> r = replayByKey.get(key(l));
      if (r == null) {
        findings.add(
            finding(
                VerifyReport.Kind.MISSING,
                l,
                List.of(),
                explainMissing(l, replayStart, lastEvaluation, ruleVersions)));
      } else if (java.util.Arrays.equals(copy.bytes(), r.bytes())) {
        identical++;
      } else {
        List<VerifyReport.Field> changes =
            AvroDiff.of(l, r.value()).stream()
                .map(c -> new VerifyReport.Field(c.path(), c.left(), c.right()))
                .toList();
        boolean evidenceOnly = changes.stream().allMatch(c -> c.path().startsWith("evidence."));
        if (evidenceOnly) {
          findings.add(
              finding(
                  VerifyReport.Kind.EVIDENCE_ONLY,
                  l,
                  changes,
                  spansPartitions(l)
                      ? "the series' input spans several partitions, which reached the live window"
                          + " engine interleaved by scheduling: its samples and offset ranges can"
                          + " differ (docs/streams.md, determinism limit 3)"
                      : null));
        } else {
          findings.add(
              finding(
                  VerifyReport.Kind.DIFFERENT,
                  l,
                  changes,
                  explainDifferent(l, r.value(), replayStart, ruleVersions)));
        }
      }
    }
    for (var entry : replayByKey.entrySet()) {
      if (!liveByKey.containsKey(entry.getKey())) {
        Alert r = entry.getValue().value();
        findings.add(
            finding(
                VerifyReport.Kind.EXTRA,
                r,
                List.of(),
                explainExtra(
                    r,
                    liveByFingerprint.getOrDefault(r.getFingerprint().toString(), List.of()),
                    replayStart,
                    ruleVersions)));
      }
    }
    findings.sort(
        Comparator.comparing(VerifyReport.Finding::evaluatedAt)
            .thenComparing(VerifyReport.Finding::fingerprint)
            .thenComparingLong(VerifyReport.Finding::sequence));
    return new VerifyReport(
        from, until, live.size(), replayed.size(), identical, findings, skipped);
  }

  private static String key(Alert a) {
    return a.getAlertId() + "#" + a.getSequence();
  }

  private static Map<String, ReplayResult.Emitted<Alert>> index(
      List<ReplayResult.Emitted<Alert>> alerts) {
    Map<String, ReplayResult.Emitted<Alert>> out = new LinkedHashMap<>();
    for (ReplayResult.Emitted<Alert> e : alerts) {
      out.putIfAbsent(key(e.value()), e);
    }
    return out;
  }

  /**
   * The live transitions to compare: a byte-identical repeat of a transition (an at-least-once
   * redelivery) is counted in {@code skipped}; a repeat with other bytes is compared too, so that
   * two versions of one transition cannot hide behind each other.
   */
  private static List<ReplayResult.Emitted<Alert>> distinct(
      List<ReplayResult.Emitted<Alert>> live, Map<String, Long> skipped) {
    Map<String, List<byte[]>> seen = new LinkedHashMap<>();
    List<ReplayResult.Emitted<Alert>> out = new ArrayList<>();
    for (ReplayResult.Emitted<Alert> e : live) {
      List<byte[]> copies = seen.computeIfAbsent(key(e.value()), k -> new ArrayList<>());
      if (copies.stream().anyMatch(b -> java.util.Arrays.equals(b, e.bytes()))) {
        skipped.merge("repeated in the alerts topic with the same bytes", 1L, Long::sum);
      } else {
        copies.add(e.bytes());
        out.add(e);
      }
    }
    return out;
  }

  private static String explainMissing(
      Alert live,
      Instant replayStart,
      Instant lastEvaluation,
      Map<String, Set<Integer>> ruleVersions) {
    String rule = explainRule(live, ruleVersions);
    if (rule != null) {
      return rule;
    }
    if (lastEvaluation != null && live.getEvaluatedAt().isAfter(lastEvaluation)) {
      return "evaluated live at "
          + live.getEvaluatedAt()
          + ", after the replay's last window evaluation ("
          + lastEvaluation
          + "): at the end of the range the window engine's watermark (the smallest upstream one)"
          + " stops behind the last event read, and the live run got there with later events;"
          + " a later --to includes it";
    }
    return explainEdge(live, replayStart);
  }

  /**
   * The values behind an alert's firing reach back to {@code firedTime − window − (M − 1) ×
   * frequency}: before the replay's first event, the replay could not see them.
   */
  private static String explainEdge(Alert live, Instant replayStart) {
    Instant lookback = lookback(live);
    if (lookback.isBefore(replayStart)) {
      return "the alert fired at "
          + live.getFiredTime()
          + " on values from "
          + lookback
          + " on, before the replay's first event ("
          + replayStart
          + "): use a longer --warmup to rebuild it";
    }
    return null;
  }

  static Instant lookback(Alert a) {
    var c = a.getCondition();
    long frequency = Math.max(0, c.getEvaluationFrequencyMs());
    long periods = Math.max(0, c.getEvaluationPeriods() - 1);
    return a.getFiredTime().minusMillis(c.getWindowSizeMs() + frequency * periods);
  }

  private static String explainDifferent(
      Alert live, Alert replay, Instant replayStart, Map<String, Set<Integer>> ruleVersions) {
    String rule = explainRule(live, ruleVersions);
    return rule != null ? rule : explainEdge(live, replayStart);
  }

  private static String explainExtra(
      Alert replay,
      List<Alert> liveOfSeries,
      Instant replayStart,
      Map<String, Set<Integer>> ruleVersions) {
    for (Alert l : liveOfSeries) {
      if (lookback(l).isBefore(replayStart)) {
        return "live, this series was in an alert that fired at "
            + l.getFiredTime()
            + " on values from before the replay's first event ("
            + replayStart
            + "): use a longer --warmup";
      }
    }
    Set<Integer> versions = ruleVersions.get(replay.getRuleId().toString());
    if (versions != null
        && liveOfSeries.stream().anyMatch(l -> !versions.contains(l.getRuleVersion()))) {
      return "live transitions of this series came from another version of rule '"
          + replay.getRuleId()
          + "'";
    }
    return null;
  }

  private static String explainRule(Alert live, Map<String, Set<Integer>> ruleVersions) {
    Set<Integer> versions = ruleVersions.get(live.getRuleId().toString());
    if (versions != null && !versions.contains(live.getRuleVersion())) {
      return "computed live with version "
          + live.getRuleVersion()
          + " of rule '"
          + live.getRuleId()
          + "'; the replay used "
          + versions.stream().sorted().map(v -> "version " + v).collect(Collectors.joining(", "));
    }
    return null;
  }

  private static boolean spansPartitions(Alert a) {
    Set<String> partitions = new java.util.HashSet<>();
    for (OffsetRange r : a.getEvidence().getInputOffsets()) {
      partitions.add(r.getTopic() + "-" + r.getPartition());
    }
    return partitions.size() > 1;
  }

  private static VerifyReport.Finding finding(
      VerifyReport.Kind kind, Alert a, List<VerifyReport.Field> changes, String explanation) {
    return new VerifyReport.Finding(
        kind,
        a.getAlertId().toString(),
        a.getSequence(),
        a.getFingerprint().toString(),
        a.getTransition().name(),
        a.getEvaluatedAt(),
        changes,
        explanation);
  }
}
