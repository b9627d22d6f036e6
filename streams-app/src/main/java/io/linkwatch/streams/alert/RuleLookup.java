package io.linkwatch.streams.alert;

import io.linkwatch.avro.AlertRule;
import io.linkwatch.avro.InhibitRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * Reads the global rule store, whether the engine built it as a plain key-value store or as a
 * global KTable (whose values are timestamped).
 */
final class RuleLookup {

  /** An inhibition that targets a rule: who mutes it and on which dimensions. */
  record Inhibitor(String sourceRuleId, List<String> equal) {}

  private final KeyValueStore<String, Object> store;

  RuleLookup(KeyValueStore<String, Object> store) {
    this.store = store;
  }

  AlertRule get(String ruleId) {
    return unwrap(store.get(ruleId));
  }

  /**
   * The inhibition that routes a target rule's alerts, if any: the first by source rule id (rule
   * validation makes every inhibition of a target compare the same dimensions).
   */
  Inhibitor inhibitorOf(String targetRuleId) {
    Map<String, Inhibitor> found = new TreeMap<>();
    try (KeyValueIterator<String, Object> it = store.all()) {
      while (it.hasNext()) {
        KeyValue<String, Object> kv = it.next();
        AlertRule rule = unwrap(kv.value);
        if (rule == null || !rule.getEnabled() || rule.getId().equals(targetRuleId)) {
          continue;
        }
        for (InhibitRule i : rule.getInhibits()) {
          if (i.getTargetRuleIds().contains(targetRuleId)) {
            found.putIfAbsent(rule.getId(), new Inhibitor(rule.getId(), i.getEqual()));
          }
        }
      }
    }
    return found.isEmpty() ? null : found.values().iterator().next();
  }

  /** True when some enabled rule inhibits others (otherwise no watermark ticks are needed). */
  boolean anyInhibitions() {
    try (KeyValueIterator<String, Object> it = store.all()) {
      while (it.hasNext()) {
        AlertRule rule = unwrap(it.next().value);
        if (rule != null && rule.getEnabled() && !rule.getInhibits().isEmpty()) {
          return true;
        }
      }
    }
    return false;
  }

  /** The scope of an inhibition for a series: the {@code equal} dimensions' values, in order. */
  static String scope(List<String> equal, Map<String, String> dimensions) {
    List<String> parts = new ArrayList<>();
    for (String d : new java.util.TreeSet<>(equal)) {
      parts.add(d + "=" + dimensions.getOrDefault(d, ""));
    }
    return String.join("|", parts);
  }

  private static AlertRule unwrap(Object value) {
    if (value instanceof ValueAndTimestamp<?> vt) {
      value = vt.value();
    }
    return (AlertRule) value;
  }
}
