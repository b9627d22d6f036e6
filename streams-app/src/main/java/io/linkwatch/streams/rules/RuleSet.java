package io.linkwatch.streams.rules;

import io.linkwatch.avro.AlertRule;
import java.util.List;

/**
 * The rules read from one file or folder, valid each on its own and together (ids unique,
 * inhibitions pointing at rules of the set).
 *
 * @param rules the rules, in file order
 * @param files the files read
 */
public record RuleSet(List<LoadedRule> rules, List<String> files) {

  public RuleSet {
    rules = List.copyOf(rules);
    files = List.copyOf(files);
  }

  /** The rules without their locations. */
  public List<AlertRule> alertRules() {
    return rules.stream().map(LoadedRule::rule).toList();
  }
}
