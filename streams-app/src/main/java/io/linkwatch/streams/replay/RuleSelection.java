package io.linkwatch.streams.replay;

import io.linkwatch.avro.AlertRule;
import io.linkwatch.streams.rules.RulePlan;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The rules a replay runs with: those in force when it starts, the versions published while it runs
 * (applied at their publication time, as the live run picked them up), where they come from, and
 * what the reader should know about them.
 *
 * @param origin where the rules come from, for the summary
 * @param initial the rules in force at the start, by id
 * @param changes versions published during the replayed range, in time order
 * @param warnings what may make the replayed rules differ from the live ones
 */
record RuleSelection(
    String origin,
    Map<String, AlertRule> initial,
    List<RuleHistory.Entry> changes,
    List<String> warnings) {

  RuleSelection {
    initial = java.util.Collections.unmodifiableMap(new TreeMap<>(initial));
    changes = List.copyOf(changes);
    warnings = List.copyOf(warnings);
  }

  /**
   * The rules as the rules topic held them: in force at {@code start}, then each version published
   * before {@code end} at its time.
   */
  static RuleSelection asTheyWere(RuleHistory history, String topic, Instant start, Instant end) {
    List<String> warnings = new ArrayList<>();
    for (String id : history.gaps(start)) {
      AlertRule r = history.inForceAt(start).get(id);
      warnings.add(
          "rule '"
              + id
              + "': the topic no longer holds the version in force at "
              + start
              + " (compacted); the replay starts with version "
              + (r == null ? "?" : r.getVersion()));
    }
    return new RuleSelection(
        "topic " + topic + " as it was at " + start,
        history.inForceAt(start),
        history.changesBetween(start, end),
        warnings);
  }

  /**
   * Rules from files, with the versions {@code linkwatch rules apply} would give them against what
   * the topic holds now ({@code current}): unchanged rules keep their version, changed ones get the
   * next.
   */
  static RuleSelection given(List<AlertRule> rules, Map<String, AlertRule> current, String origin) {
    Map<String, AlertRule> initial = new LinkedHashMap<>();
    for (RulePlan.Change c : RulePlan.of(rules, current, false).changes()) {
      if (c.rule() != null) {
        initial.put(c.id(), c.rule());
      }
    }
    return new RuleSelection(origin, initial, List.of(), List.of());
  }

  /** Every version the replay uses, {@code id@version}, for the summary. */
  List<String> versions() {
    List<String> out = new ArrayList<>();
    initial.forEach((id, r) -> out.add(id + "@" + r.getVersion()));
    for (RuleHistory.Entry e : changes) {
      out.add(e.id() + (e.deleted() ? " deleted" : "@" + e.rule().getVersion()));
    }
    return out;
  }
}
