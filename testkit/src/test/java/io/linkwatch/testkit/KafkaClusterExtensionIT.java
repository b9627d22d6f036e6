package io.linkwatch.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.linkwatch.avro.ConnectionEvent;
import io.linkwatch.avro.IotHubOperation;
import io.linkwatch.avro.Level;
import io.linkwatch.avro.Provenance;
import io.linkwatch.avro.SourceKind;
import io.linkwatch.schemas.topic.Topic;
import io.linkwatch.schemas.topic.TopicRole;
import io.linkwatch.schemas.topic.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The extension gives a real 3-broker cluster that carries linkwatch's Avro records. */
@KafkaCluster(brokers = 3)
class KafkaClusterExtensionIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  static KafkaTestCluster sharedKafka;
  static Topics topics;

  @BeforeAll
  static void createTopics(KafkaTestCluster kafka) {
    topics = kafka.createLinkwatchTopics();
  }

  @Test
  void shouldStartThreeBrokers(KafkaTestCluster kafka) throws Exception {
    assertThat(kafka.admin().describeCluster().nodes().get()).hasSize(3);
    assertThat(kafka.bootstrapServers()).isNotBlank();
  }

  @Test
  void shouldInjectTheSameClusterIntoStaticFieldsAndParameters(KafkaTestCluster kafka) {
    assertThat(sharedKafka).isSameAs(kafka);
  }

  @Test
  void shouldCarryAvroRecordsThroughTheSerdes(KafkaTestCluster kafka) {
    Topic<String, ConnectionEvent> connections = topics.connections();
    List<ConnectionEvent> sent =
        IntStream.range(0, 20).mapToObj(i -> connectionEvent("device-" + i, i)).toList();

    sent.forEach(e -> kafka.produce(connections, e.getHub() + "/" + e.getDeviceId(), e));
    List<ConsumerRecord<String, ConnectionEvent>> received =
        kafka.awaitRecords(connections, sent.size(), TIMEOUT);

    assertThat(received)
        .extracting(ConsumerRecord::value)
        .containsExactlyInAnyOrderElementsOf(sent);
    assertThat(received)
        .allSatisfy(
            r -> assertThat(r.key()).isEqualTo(r.value().getHub() + "/" + r.value().getDeviceId()));
  }

  @Test
  void shouldReplicateEveryPlannedTopicOnThreeBrokers(KafkaTestCluster kafka) throws Exception {
    Map<String, TopicDescription> descriptions =
        kafka.admin().describeTopics(topics.names().values()).allTopicNames().get();

    assertThat(descriptions).hasSize(TopicRole.values().length);
    assertThat(descriptions.values())
        .allSatisfy(
            d -> {
              assertThat(d.partitions()).hasSize(3);
              assertThat(d.partitions()).allSatisfy(p -> assertThat(p.replicas()).hasSize(3));
            });
    ConfigResource rules =
        new ConfigResource(ConfigResource.Type.TOPIC, topics.name(TopicRole.ALERT_RULES));
    Config rulesConfig = kafka.admin().describeConfigs(List.of(rules)).all().get().get(rules);
    assertThat(rulesConfig.get("cleanup.policy").value()).isEqualTo("compact");
    assertThat(rulesConfig.get("min.insync.replicas").value()).isEqualTo("2");
  }

  @Test
  void shouldSayWhatWasAwaitedAndWhatWasSeenWhenRecordsDoNotArrive(KafkaTestCluster kafka) {
    Topic<String, ConnectionEvent> incomplete = topics.connections();
    String topic = kafka.uniqueName("incomplete");
    kafka.createTopic(topic, 1);
    Topic<String, ConnectionEvent> typed =
        new Topic<>(topic, incomplete.keySerde(), incomplete.valueSerde());
    kafka.produce(typed, "hub-1/lonely", connectionEvent("lonely", 1));

    assertThatThrownBy(() -> kafka.awaitRecords(typed, 2, Duration.ofMillis(1500)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("awaited at least 2 records on topic " + topic)
        .hasMessageContaining("saw 1 record")
        .hasMessageContaining("key=hub-1/lonely");
  }

  @Test
  void shouldNotShowRecordsOfAnAbortedTransaction(KafkaTestCluster kafka) {
    String topic = kafka.uniqueName("transactional");
    kafka.createTopic(topic, 1);
    Map<String, Object> config = kafka.producerConfig();
    config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, kafka.uniqueName("tx"));
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
      producer.initTransactions();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "aborted".getBytes()));
      producer.abortTransaction();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "committed".getBytes()));
      producer.commitTransaction();
    }

    List<ConsumerRecord<byte[], byte[]>> records = kafka.awaitRecords(topic, 1, TIMEOUT);

    assertThat(records).extracting(r -> new String(r.value())).containsExactly("committed");
  }

  @Nested
  class WhenNested {
    @Test
    void shouldShareTheOuterClassCluster(KafkaTestCluster kafka) {
      assertThat(kafka).isSameAs(sharedKafka);
    }
  }

  static ConnectionEvent connectionEvent(String deviceId, int second) {
    Instant time = Instant.parse("2026-01-01T00:00:00Z").plusSeconds(second);
    return ConnectionEvent.newBuilder()
        .setEventId(deviceId + "-" + second)
        .setTime(time)
        .setHub("hub-1")
        .setDeviceId(deviceId)
        .setCategory("Connections")
        .setOperationName("deviceConnect")
        .setOperation(IotHubOperation.DEVICE_CONNECT)
        .setLevel(Level.INFORMATIONAL)
        .setResourceId(
            "/SUBSCRIPTIONS/S/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.DEVICES/IOTHUBS/HUB-1")
        .setProvenance(
            Provenance.newBuilder()
                .setSourceKind(SourceKind.SIMULATOR)
                .setSource("test")
                .setIngestTime(time)
                .build())
        .build();
  }
}
