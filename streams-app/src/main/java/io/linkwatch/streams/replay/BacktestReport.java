package io.linkwatch.streams.replay;

import io.linkwatch.avro.Alert;
import io.linkwatch.avro.AlertRule;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What candidate rules would have done over a range of retained events: per rule, the transitions,
 * how many alerts fired, resolved and flapped, how long they fired, and, against a baseline rule
 * set, which alerts the change adds or removes.
 *
 * @param candidate the candidate run
 * @param baseline the baseline run, or null
 * @param rules per candidate rule, in rule id order
 * @param added alerts (episodes) the candidate fires and the baseline does not
 * @param removed alerts the baseline fires and the candidate does not
 * @param unchanged alerts both fire
 */
public record BacktestReport(
    Run candidate,
    Run baseline,
    List<RuleOutcome> rules,
    List<Episode> added,
    List<Episode> removed,
    List<Episode> unchanged) {

  /**
   * Whether the candidate defines the rule of a baseline alert: when it does not (a candidate file
   * with one rule against the whole pack), the alert is "removed" only because the rule is absent,
   * and the report shows it apart from what a changed rule removes.
   */
  public boolean candidateDefines(String ruleId) {
    return candidate.rules().stream().anyMatch(r -> r.getId().toString().equals(ruleId));
  }

  /** Alerts the baseline fires by a rule the candidate defines too, and the candidate does not. */
  public List<Episode> removedByChangedRules() {
    return removed.stream().filter(e -> candidateDefines(e.ruleId())).toList();
  }

  /** Alerts the baseline fires by rules the candidate does not define. */
  public List<Episode> removedByAbsentRules() {
    return removed.stream().filter(e -> !candidateDefines(e.ruleId())).toList();
  }

  /** One replay of the range with one rule set. */
  public record Run(String origin, List<AlertRule> rules, ReplayResult result) {}

  /**
   * One rule's outcome.
   *
   * @param series series the rule evaluated
   * @param evaluations window results judged
   * @param transitions transitions by kind (FIRED, RESOLVED, FLAPPING, REVISED, INHIBITED, ...)
   * @param episodes alerts (firing episodes), in firing order
   * @param firing total time the rule's alerts were firing (an alert still firing at the end counts
   *     until the replay's last event)
   * @param flapping alerts marked flapping at least once
   * @param charted the series drawn in the report (the most eventful ones)
   */
  public record RuleOutcome(
      AlertRule rule,
      int series,
      long evaluations,
      Map<String, Long> transitions,
      List<Episode> episodes,
      Duration firing,
      long flapping,
      List<SeriesChart> charted) {

    public long fired() {
      return episodes.size();
    }

    public long resolved() {
      return episodes.stream().filter(e -> e.resolvedAt() != null).count();
    }
  }

  /**
   * One alert: from FIRED to RESOLVED (or the end of the replay).
   *
   * @param resolvedAt null when the alert was still firing at the end
   * @param transitions every transition of the alert, in order
   */
  public record Episode(
      String alertId,
      String ruleId,
      String fingerprint,
      Map<String, String> dimensions,
      Instant firedAt,
      Instant resolvedAt,
      boolean flapped,
      boolean inhibited,
      List<Alert> transitions) {

    /** How long it fired, until {@code end} when still open. */
    public Duration duration(Instant end) {
      Instant until = resolvedAt != null ? resolvedAt : end;
      return until == null || until.isBefore(firedAt)
          ? Duration.ZERO
          : Duration.between(firedAt, until);
    }
  }

  /** The values one series had, and its transitions, for a chart. */
  public record SeriesChart(
      String seriesKey,
      Map<String, String> dimensions,
      List<ReplayResult.ResultPoint> points,
      List<Alert> transitions) {}
}
