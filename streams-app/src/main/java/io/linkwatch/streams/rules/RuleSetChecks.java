package io.linkwatch.streams.rules;

import io.linkwatch.avro.AlertRule;
import io.linkwatch.avro.InhibitRule;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Checks that need every rule at once: unique ids, and inhibitions that point at rules of the set
 * whose alerts carry the {@code equal} dimensions. The alert stage routes a target's alerts to one
 * inhibition scope, so every inhibition of one target rule must compare the same dimensions.
 */
final class RuleSetChecks {

  private RuleSetChecks() {}

  static void check(List<LoadedRule> rules, List<RuleProblem> problems) {
    Map<String, LoadedRule> byId = new LinkedHashMap<>();
    for (LoadedRule r : rules) {
      LoadedRule first = byId.putIfAbsent(r.rule().getId(), r);
      if (first != null) {
        problems.add(
            new RuleProblem(
                r.file(),
                r.line(),
                r.rule().getId(),
                "id",
                "duplicate id: also defined at " + first.file() + ":" + first.line()));
      }
    }
    Map<String, TreeSet<String>> equalByTarget = new LinkedHashMap<>();
    Map<String, String> firstSourceByTarget = new LinkedHashMap<>();
    for (LoadedRule r : rules) {
      AlertRule source = r.rule();
      List<InhibitRule> inhibits = source.getInhibits();
      for (int i = 0; i < inhibits.size(); i++) {
        String field = "inhibits[" + i + "].rules";
        TreeSet<String> equal = new TreeSet<>(inhibits.get(i).getEqual());
        for (String targetId : new HashSet<>(inhibits.get(i).getTargetRuleIds())) {
          LoadedRule target = byId.get(targetId);
          if (target == null) {
            problems.add(
                new RuleProblem(
                    r.file(),
                    r.line(),
                    source.getId(),
                    field,
                    "inhibits unknown rule '"
                        + targetId
                        + "'"
                        + RuleBinder.suggestion(targetId, List.copyOf(byId.keySet()))
                        + " (rules that refer to each other are validated and applied together)"));
            continue;
          }
          for (String d : equal) {
            if (!target.rule().getSplitBy().contains(d)) {
              problems.add(
                  new RuleProblem(
                      r.file(),
                      r.line(),
                      source.getId(),
                      "inhibits[" + i + "].equal",
                      "target rule '"
                          + targetId
                          + "' is not split by '"
                          + d
                          + "' (its splitBy: "
                          + target.rule().getSplitBy()
                          + ")"));
            }
          }
          TreeSet<String> previous = equalByTarget.putIfAbsent(targetId, equal);
          if (previous != null && !previous.equals(equal)) {
            problems.add(
                new RuleProblem(
                    r.file(),
                    r.line(),
                    source.getId(),
                    "inhibits[" + i + "].equal",
                    "rule '"
                        + targetId
                        + "' is already inhibited by '"
                        + firstSourceByTarget.get(targetId)
                        + "' with equal "
                        + previous
                        + "; every inhibition of one target must compare the same dimensions,"
                        + " got "
                        + equal));
          }
          firstSourceByTarget.putIfAbsent(targetId, source.getId());
        }
      }
    }
  }
}
