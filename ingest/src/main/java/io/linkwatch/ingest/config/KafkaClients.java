package io.linkwatch.ingest.config;

import io.linkwatch.schemas.config.KafkaClientSettings;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The Kafka client settings of the ingest role: the user's settings that a client knows (plain, or
 * prefixed {@code producer.}, {@code consumer.}, {@code admin.} to reach one client only) over the
 * ingest defaults. SASL and TLS settings pass through unchanged.
 */
public final class KafkaClients {

  private KafkaClients() {}

  /**
   * The producer of the event topics: idempotent, {@code acks=all}, lz4, batching tuned for
   * throughput; any of it can be overridden.
   */
  public static Map<String, Object> producer(Map<String, String> settings, String clientId) {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    p.putAll(KafkaClientSettings.producer(settings));
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    return p;
  }

  /** The consumer of raw topics: manual commits, from the earliest offset, read_committed. */
  public static Map<String, Object> consumer(
      Map<String, String> settings, String groupId, String clientId) {
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    c.putAll(KafkaClientSettings.consumer(settings));
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    return c;
  }

  /** An admin client of the cluster the producer writes to. */
  public static Map<String, Object> admin(Map<String, String> settings, String clientId) {
    Map<String, Object> a = new HashMap<>();
    a.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
    a.putAll(KafkaClientSettings.admin(settings));
    return a;
  }
}
