package io.linkwatch.ingest.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaClientsTest {

  @Test
  void shouldPassSaslAndTlsThroughAndLetTheConsumerReadAnotherCluster() {
    Map<String, String> settings =
        Map.of(
            "bootstrap.servers", "kafka:9092",
            "security.protocol", "SSL",
            "ssl.truststore.location", "/etc/ssl/kafka.jks",
            "consumer.bootstrap.servers", "ns.servicebus.windows.net:9093",
            "consumer.security.protocol", "SASL_SSL",
            "consumer.sasl.mechanism", "PLAIN",
            "consumer.sasl.jaas.config", "org.apache.kafka...PlainLoginModule required;",
            "producer.linger.ms", "50",
            "ingest.kafka.group.id", "g",
            "topics.connections", "c");

    Map<String, Object> producer = KafkaClients.producer(settings, "p");
    Map<String, Object> consumer = KafkaClients.consumer(settings, "g", "c");

    assertThat(producer)
        .containsEntry("bootstrap.servers", "kafka:9092")
        .containsEntry("security.protocol", "SSL")
        .containsEntry("ssl.truststore.location", "/etc/ssl/kafka.jks")
        .containsEntry("linger.ms", "50")
        .containsEntry("acks", "all")
        .containsEntry("enable.idempotence", true)
        .doesNotContainKeys("ingest.kafka.group.id", "topics.connections", "sasl.jaas.config");
    assertThat(consumer)
        .containsEntry("bootstrap.servers", "ns.servicebus.windows.net:9093")
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "PLAIN")
        .containsKey("sasl.jaas.config")
        .containsEntry("ssl.truststore.location", "/etc/ssl/kafka.jks")
        .containsEntry("isolation.level", "read_committed")
        .containsEntry("enable.auto.commit", false)
        .doesNotContainKey("linger.ms");
  }
}
