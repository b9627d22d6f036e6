package io.linkwatch.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Stopping, killing and starting one broker of three: acknowledged records survive, leadership
 * moves to an in-sync replica, and the broker catches up when it comes back.
 */
@KafkaCluster(
    brokers = 3,
    brokerProperties = {"min.insync.replicas=2"})
class BrokerControlIT {

  private static final Duration WAIT = Duration.ofSeconds(60);

  @Test
  void shouldKeepEveryAcknowledgedRecordWhenTheLeaderStopsAndStartsAgain(KafkaTestCluster kafka)
      throws Exception {
    String topic = kafka.uniqueName("stopped");
    kafka.createTopic(topic, 1);
    int leader = kafka.leaderOf(topic, 0);
    try (KafkaProducer<String, String> producer = producer(kafka)) {
      send(producer, topic, 0, 50);

      kafka.stopBroker(leader);
      assertThat(kafka.brokerRunning(leader)).isFalse();
      assertThat(kafka.leaderOf(topic, 0))
          .as("a controlled shutdown hands leadership to another in-sync replica")
          .isNotIn(leader, -1);
      send(producer, topic, 50, 100);

      kafka.startBroker(leader);
      kafka.awaitReplicasInSync(List.of(topic), WAIT);
    }

    assertThat(kafka.brokerRunning(leader)).isTrue();
    assertThat(values(kafka, topic))
        .containsExactlyElementsOf(IntStream.range(0, 100).mapToObj(i -> "r" + i).toList());
  }

  @Test
  void shouldMoveLeadershipOnceTheControllerNoticesAKilledBroker(KafkaTestCluster kafka)
      throws Exception {
    String topic = kafka.uniqueName("killed");
    kafka.createTopic(topic, 1);
    int leader = kafka.leaderOf(topic, 0);
    try (KafkaProducer<String, String> producer = producer(kafka)) {
      send(producer, topic, 0, 50);

      kafka.killBroker(leader);
      kafka.awaitBrokerGone(leader, "the controller noticing the killed broker");
      assertThat(kafka.leaderOf(topic, 0)).isNotIn(leader, -1);
      send(producer, topic, 50, 100);

      kafka.startBroker(leader);
      kafka.awaitReplicasInSync(List.of(topic), WAIT);
    }

    assertThat(values(kafka, topic))
        .containsExactlyElementsOf(IntStream.range(0, 100).mapToObj(i -> "r" + i).toList());
    assertThat(kafka.brokerIds()).hasSize(3).contains(leader);
  }

  private static KafkaProducer<String, String> producer(KafkaTestCluster kafka) {
    return new KafkaProducer<>(
        kafka.producerConfig(), new StringSerializer(), new StringSerializer());
  }

  /** Sends records r{from}..r{to-1} and waits for each acknowledgement (acks=all). */
  private static void send(KafkaProducer<String, String> producer, String topic, int from, int to)
      throws Exception {
    for (int i = from; i < to; i++) {
      producer.send(new ProducerRecord<>(topic, 0, "k", "r" + i)).get();
    }
  }

  private static List<String> values(KafkaTestCluster kafka, String topic) {
    List<ConsumerRecord<byte[], byte[]>> records = kafka.awaitRecords(topic, 100, WAIT);
    return records.stream().map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList();
  }
}
