package io.linkwatch.streams.rules;

import io.linkwatch.avro.AlertRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code linkwatch rules apply} does to the rules topic: each rule of the files is created
 * (version 1), updated (version + 1, only when its content changed) or left unchanged; a rule the
 * topic holds and the files do not is deleted (a tombstone) with {@code --prune}, otherwise kept
 * and reported.
 *
 * @param changes one entry per rule, files first in their order, then the rules only the topic has
 */
public record RulePlan(List<Change> changes) {

  /** What happens to one rule. */
  public enum Action {
    CREATE,
    UPDATE,
    UNCHANGED,
    DELETE,
    KEEP
  }

  /**
   * One rule's change.
   *
   * @param id the rule id
   * @param action what happens
   * @param rule the rule to publish, with its new version (null for DELETE and KEEP)
   * @param previousVersion the version the topic held, or 0
   */
  public record Change(String id, Action action, AlertRule rule, int previousVersion) {}

  public RulePlan {
    changes = List.copyOf(changes);
  }

  /**
   * Compares the rules of the files with what the topic holds.
   *
   * @param desired the rules of the files (any version)
   * @param current the topic's rules by id
   * @param prune whether rules missing from the files are deleted
   */
  public static RulePlan of(
      List<AlertRule> desired, Map<String, AlertRule> current, boolean prune) {
    List<Change> changes = new ArrayList<>();
    Map<String, AlertRule> remaining = new TreeMap<>(current);
    for (AlertRule rule : desired) {
      AlertRule held = remaining.remove(rule.getId());
      AlertRule next = AlertRule.newBuilder(rule).build();
      if (held == null) {
        next.setVersion(1);
        changes.add(new Change(rule.getId(), Action.CREATE, next, 0));
      } else if (sameContent(held, rule)) {
        next.setVersion(held.getVersion());
        changes.add(new Change(rule.getId(), Action.UNCHANGED, next, held.getVersion()));
      } else {
        next.setVersion(held.getVersion() + 1);
        changes.add(new Change(rule.getId(), Action.UPDATE, next, held.getVersion()));
      }
    }
    remaining.forEach(
        (id, held) ->
            changes.add(
                new Change(id, prune ? Action.DELETE : Action.KEEP, null, held.getVersion())));
    return new RulePlan(changes);
  }

  /** True when the rules differ in nothing but their version. */
  static boolean sameContent(AlertRule a, AlertRule b) {
    AlertRule x = AlertRule.newBuilder(a).setVersion(0).build();
    AlertRule y = AlertRule.newBuilder(b).setVersion(0).build();
    return x.equals(y);
  }

  /** The changes to publish: creations, updates and deletions. */
  public List<Change> writes() {
    return changes.stream()
        .filter(
            c ->
                c.action() == Action.CREATE
                    || c.action() == Action.UPDATE
                    || c.action() == Action.DELETE)
        .toList();
  }

  public long count(Action action) {
    return changes.stream().filter(c -> c.action() == action).count();
  }
}
