package io.linkwatch.schemas.config;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * The set of keys a role accepts: its own (from its {@link ConfigDef}s) and every Kafka client key,
 * so that client settings pass through unchanged. Anything else is rejected with a message that
 * names the key and, when there is one, the closest known key.
 */
public final class KnownKeys {

  /** Prefixes Kafka accepts to direct a setting at one client of several. */
  private static final List<String> CLIENT_PREFIXES =
      List.of(
          "producer.",
          "consumer.",
          "admin.",
          "main.consumer.",
          "restore.consumer.",
          "global.consumer.",
          "topic.");

  private final Set<String> exact = new TreeSet<>();
  private final Set<String> kafkaKeys = new TreeSet<>();

  private KnownKeys() {}

  /**
   * Builds the accepted keys.
   *
   * @param linkwatchDefs the role's own definitions
   * @param extraKafkaKeys Kafka keys beyond producer, consumer and admin (e.g. Kafka Streams'
   *     {@code StreamsConfig.configDef().names()})
   */
  public static KnownKeys of(
      Collection<ConfigDef> linkwatchDefs, Collection<String> extraKafkaKeys) {
    KnownKeys keys = new KnownKeys();
    linkwatchDefs.forEach(def -> keys.exact.addAll(def.names()));
    keys.kafkaKeys.addAll(ProducerConfig.configNames());
    keys.kafkaKeys.addAll(ConsumerConfig.configNames());
    keys.kafkaKeys.addAll(AdminClientConfig.configNames());
    keys.kafkaKeys.addAll(extraKafkaKeys);
    keys.exact.addAll(keys.kafkaKeys);
    return keys;
  }

  /** Every accepted key, without prefixes. */
  public Set<String> all() {
    return Set.copyOf(exact);
  }

  public boolean accepts(String key) {
    if (exact.contains(key)) {
      return true;
    }
    for (String prefix : CLIENT_PREFIXES) {
      if (key.startsWith(prefix) && kafkaKeys.contains(key.substring(prefix.length()))) {
        return true;
      }
    }
    // per-listener and per-mechanism SASL settings, e.g. listener.name.x.sasl.jaas.config
    return key.startsWith("listener.name.");
  }

  /** Throws a {@link ConfigException} naming every key that is not accepted. */
  public void rejectUnknown(Map<String, ?> settings, String origin) {
    List<String> unknown = settings.keySet().stream().filter(k -> !accepts(k)).sorted().toList();
    if (unknown.isEmpty()) {
      return;
    }
    StringBuilder message = new StringBuilder();
    for (String key : unknown) {
      if (!message.isEmpty()) {
        message.append("; ");
      }
      message.append("unknown setting '").append(key).append("'");
      if (origin != null) {
        message.append(" in ").append(origin);
      }
      message.append(suggestion(key, exact));
    }
    throw new ConfigException(message.toString());
  }

  /**
   * " (did you mean 'x'?)" for the closest candidate (edit distance, ignoring case), or an empty
   * string when none is close: for any message that names a word the user mistyped.
   */
  public static String suggestion(String key, Collection<String> candidates) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : candidates) {
      int d =
          distance(
              key.toLowerCase(java.util.Locale.ROOT), candidate.toLowerCase(java.util.Locale.ROOT));
      if (d < bestDistance) {
        bestDistance = d;
        best = candidate;
      }
    }
    if (best == null || bestDistance > Math.max(2, key.length() / 3)) {
      return "";
    }
    return " (did you mean '" + best + "'?)";
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
