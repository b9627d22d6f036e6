package io.linkwatch.schemas.config;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The Kafka client settings in a role's settings, per client: the keys that client knows (security,
 * bootstrap, tuning), then those prefixed with {@code producer.}, {@code consumer.} or {@code
 * admin.}, which win. linkwatch's own keys are left out, so clients do not warn about them.
 */
public final class KafkaClientSettings {

  private KafkaClientSettings() {}

  public static Map<String, Object> admin(Map<String, ?> settings) {
    return select(settings, AdminClientConfig.configNames(), "admin.");
  }

  public static Map<String, Object> consumer(Map<String, ?> settings) {
    return select(settings, ConsumerConfig.configNames(), "consumer.");
  }

  public static Map<String, Object> producer(Map<String, ?> settings) {
    return select(settings, ProducerConfig.configNames(), "producer.");
  }

  private static Map<String, Object> select(
      Map<String, ?> settings, Set<String> names, String prefix) {
    Map<String, Object> selected = new HashMap<>();
    settings.forEach(
        (k, v) -> {
          if (names.contains(k)) {
            selected.put(k, v);
          }
        });
    settings.forEach(
        (k, v) -> {
          if (k.startsWith(prefix) && names.contains(k.substring(prefix.length()))) {
            selected.put(k.substring(prefix.length()), v);
          }
        });
    return selected;
  }
}
