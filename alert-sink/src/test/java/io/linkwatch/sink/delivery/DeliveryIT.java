package io.linkwatch.sink.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.linkwatch.avro.Alert;
import io.linkwatch.avro.AlertTransition;
import io.linkwatch.avro.DeadLetter;
import io.linkwatch.avro.DeadLetterReason;
import io.linkwatch.avro.DeadLetterStage;
import io.linkwatch.avro.Severity;
import io.linkwatch.schemas.topic.Topics;
import io.linkwatch.sink.RecordingReceiver;
import io.linkwatch.sink.RecordingReceiver.Reply;
import io.linkwatch.sink.TestAlerts;
import io.linkwatch.sink.routing.RoutingPlan;
import io.linkwatch.sink.routing.RoutingPlanParser;
import io.linkwatch.testkit.KafkaCluster;
import io.linkwatch.testkit.KafkaTestCluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Delivery through a real Kafka cluster to real HTTP receivers: outages, restarts, refusals. */
@KafkaCluster
class DeliveryIT {

  private static final Duration WAIT = Duration.ofSeconds(60);

  private static RoutingPlan plan(RecordingReceiver flaky, RecordingReceiver steady, String extra) {
    return RoutingPlanParser.parse(
        "receivers:\n"
            + "  - {name: flaky, type: webhook, url: '"
            + flaky.url("/hook")
            + "', timeout: 2s}\n"
            + "  - {name: steady, type: webhook, url: '"
            + steady.url("/hook")
            + "', timeout: 2s}\n"
            + extra,
        "test.yaml",
        name -> null);
  }

  private static List<Alert> incident(String prefix, int alerts) {
    List<Alert> out = new ArrayList<>();
    for (int i = 0; i < alerts; i++) {
      Alert fired =
          TestAlerts.fired(
              prefix + "-rule", "hub-" + i, Severity.SEV1, TestAlerts.T0.plusSeconds(i));
      out.add(fired);
      if (i % 2 == 0) {
        out.add(TestAlerts.resolved(fired, TestAlerts.T0.plusSeconds(600 + i)));
      }
    }
    return out;
  }

  private static void produce(KafkaTestCluster kafka, Topics topics, List<Alert> alerts) {
    for (Alert a : alerts) {
      kafka.produce(topics.alerts(), a.getFingerprint(), a);
    }
  }

  private static List<String> keys(RecordingReceiver r) {
    return r.accepted().stream().map(q -> q.header("Idempotency-Key")).toList();
  }

  private static List<String> keysOf(List<Alert> alerts) {
    return alerts.stream().map(a -> a.getAlertId() + ":" + a.getSequence()).toList();
  }

  @Test
  void shouldDeliverEverythingOnceWhenAReceiverComesBackWithoutHoldingUpTheOthers(
      KafkaTestCluster kafka, @TempDir Path state) {
    Topics topics = kafka.createLinkwatchTopics("outage.");
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    List<Alert> alerts = incident("outage", 6);
    try (RecordingReceiver flaky = RecordingReceiver.start();
        RecordingReceiver steady = RecordingReceiver.start()) {
      flaky.stop();
      try (Delivery delivery =
          SinkHarness.start(
              kafka,
              topics,
              plan(flaky, steady, ""),
              "outage",
              SinkHarness.fastRetries(1000),
              state,
              registry,
              DeliveryObserver.NONE,
              FiringSource.NONE,
              System.out)) {

        produce(kafka, topics, alerts);

        await(
                "the steady receiver gets all "
                    + alerts.size()
                    + " transitions while the other is down")
            .atMost(WAIT)
            .until(() -> steady.accepted().size() >= alerts.size());
        assertThat(flaky.accepted()).isEmpty();
        await("retries against the receiver that is down")
            .atMost(WAIT)
            .until(
                () ->
                    registry.find("linkwatch.sink.retries").tag("receiver", "flaky").counter()
                            != null
                        && registry
                                .find("linkwatch.sink.retries")
                                .tag("receiver", "flaky")
                                .counter()
                                .count()
                            >= 3);

        flaky.restart();

        await("the flaky receiver, back up, gets all " + alerts.size() + " transitions")
            .atMost(WAIT)
            .until(() -> flaky.accepted().size() >= alerts.size());
        assertThat(delivery.healthy()).isTrue();
      }
      // per series the order is kept; nothing is lost and nothing is sent twice
      for (RecordingReceiver r : List.of(flaky, steady)) {
        assertThat(keys(r))
            .containsExactlyInAnyOrderElementsOf(keysOf(alerts))
            .doesNotHaveDuplicates();
      }
      List<String> flakyKeys = keys(flaky);
      assertThat(flakyKeys.indexOf(keysOf(alerts).get(0)))
          .isLessThan(flakyKeys.indexOf(keysOf(alerts).get(1)));
      assertThat(
              registry
                  .get("linkwatch.sink.deliveries")
                  .tag("receiver", "flaky")
                  .tag("result", "delivered")
                  .counter()
                  .count())
          .isEqualTo(alerts.size());
      assertThat(
              registry
                  .get("linkwatch.sink.delivery.latency")
                  .tag("receiver", "flaky")
                  .tag("from", "emit")
                  .timer()
                  .count())
          .isEqualTo(alerts.size());
    }
  }

  @Test
  void shouldNotSendAgainWhatWasDeliveredBeforeARestartEvenWithoutCommittedOffsets(
      KafkaTestCluster kafka, @TempDir Path state) {
    Topics topics = kafka.createLinkwatchTopics("restart.");
    List<Alert> before = incident("before", 3);
    try (RecordingReceiver flaky = RecordingReceiver.start();
        RecordingReceiver steady = RecordingReceiver.start()) {
      RoutingPlan plan = plan(flaky, steady, "");
      try (Delivery first =
          SinkHarness.start(
              kafka,
              topics,
              plan,
              "restart-a",
              SinkHarness.fastRetries(5),
              state,
              new SimpleMeterRegistry(),
              DeliveryObserver.NONE,
              FiringSource.NONE,
              System.out)) {
        produce(kafka, topics, before);
        await("first run delivers " + before.size())
            .atMost(WAIT)
            .until(() -> flaky.accepted().size() >= before.size());
      }
      // a new consumer group has no committed offset and reads the topic from the start again, as a
      // sink killed before its commit would: the ledger of delivered keys stops the repeats
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      List<Alert> after = incident("after", 2);
      try (Delivery second =
          SinkHarness.start(
              kafka,
              topics,
              plan,
              "restart-b",
              SinkHarness.fastRetries(5),
              state,
              registry,
              DeliveryObserver.NONE,
              FiringSource.NONE,
              System.out)) {
        produce(kafka, topics, after);
        await("second run delivers the " + after.size() + " new transitions")
            .atMost(WAIT)
            .until(() -> flaky.accepted().size() >= before.size() + after.size());
        await("second run skips the " + before.size() + " delivered ones")
            .atMost(WAIT)
            .until(
                () ->
                    registry
                                .find("linkwatch.sink.deliveries")
                                .tag("receiver", "flaky")
                                .tag("result", "duplicate")
                                .counter()
                            != null
                        && registry
                                .get("linkwatch.sink.deliveries")
                                .tag("receiver", "flaky")
                                .tag("result", "duplicate")
                                .counter()
                                .count()
                            == before.size());
      }
      List<Alert> all = new ArrayList<>(before);
      all.addAll(after);
      assertThat(keys(flaky))
          .containsExactlyInAnyOrderElementsOf(keysOf(all))
          .doesNotHaveDuplicates();
    }
  }

  @Test
  void shouldDeadLetterWhatAReceiverRefusesAndGoOnWithTheNextAlert(
      KafkaTestCluster kafka, @TempDir Path state) {
    Topics topics = kafka.createLinkwatchTopics("refused.");
    Alert refused = TestAlerts.fired("refused-rule", "hub-1", Severity.SEV0, TestAlerts.T0);
    Alert next = TestAlerts.fired("refused-rule", "hub-2", Severity.SEV0, TestAlerts.T0);
    try (RecordingReceiver flaky = RecordingReceiver.start();
        RecordingReceiver steady = RecordingReceiver.start()) {
      flaky.script(new Reply(400, Map.of()));
      try (Delivery delivery =
          SinkHarness.start(
              kafka,
              topics,
              plan(flaky, steady, ""),
              "refused",
              SinkHarness.fastRetries(5),
              state,
              new SimpleMeterRegistry(),
              DeliveryObserver.NONE,
              FiringSource.NONE,
              System.out)) {
        produce(kafka, topics, List.of(refused, next));

        ConsumerRecord<String, DeadLetter> dl =
            kafka.awaitRecord(
                topics.sinkDeadLetter(),
                r -> r.key().equals("flaky"),
                "a dead letter for receiver flaky",
                WAIT);

        assertThat(dl.value().getStage()).isEqualTo(DeadLetterStage.SINK);
        assertThat(dl.value().getReasonCode()).isEqualTo(DeadLetterReason.DELIVERY_FAILED);
        assertThat(dl.value().getTarget()).isEqualTo("flaky");
        assertThat(dl.value().getAttempts()).as("a refusal is not retried").isEqualTo(1);
        assertThat(dl.value().getReason()).contains("HTTP 400");
        assertThat(dl.value().getProvenance().getSource()).isEqualTo(topics.alerts().name());
        Alert carried =
            topics
                .alerts()
                .valueSerde()
                .deserializer()
                .deserialize(topics.alerts().name(), dl.value().getRaw().array());
        assertThat(carried)
            .as("the dead letter carries the alert record unchanged")
            .isEqualTo(refused);
        await("the next alert still reaches the receiver")
            .atMost(WAIT)
            .until(() -> keys(flaky).contains(next.getAlertId() + ":1"));
      }
    }
  }

  @Test
  void shouldRecordButNotSendSilencedInhibitedAndValueOnlyRevisedAlerts(
      KafkaTestCluster kafka, @TempDir Path state) {
    Topics topics = kafka.createLinkwatchTopics("silence.");
    Instant now = Instant.now();
    String silence =
        "silences:\n"
            + "  - name: hub-9 patching\n"
            + "    matchers: ['hub=\"hub-9\"']\n"
            + "    starts_at: "
            + now.minusSeconds(3600)
            + "\n"
            + "    ends_at: "
            + now.plusSeconds(3600)
            + "\n";
    Alert silenced = TestAlerts.fired("silence-rule", "hub-9", Severity.SEV1, TestAlerts.T0);
    Alert inhibited =
        TestAlerts.inhibited(
            TestAlerts.fired("silence-rule", "hub-3", Severity.SEV1, TestAlerts.T0),
            "throttling|hub=hub-3");
    Alert delivered = TestAlerts.fired("silence-rule", "hub-4", Severity.SEV1, TestAlerts.T0);
    // late records revise the alert: first only the value it shows, then the verdict of a window
    Alert valueRevised =
        Alert.newBuilder(delivered)
            .setSequence(2)
            .setTransition(AlertTransition.REVISED)
            .setStateReason("RevisedValue")
            .build();
    Alert verdictRevised =
        Alert.newBuilder(delivered)
            .setSequence(3)
            .setTransition(AlertTransition.REVISED)
            .setStateReason("RevisedVerdict")
            .build();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    List<String> outcomes = new java.util.concurrent.CopyOnWriteArrayList<>();
    DeliveryObserver observer =
        new DeliveryObserver() {
          @Override
          public void outcome(String receiver, Alert alert, Outcome outcome, String detail) {
            if (receiver.equals("flaky")) {
              outcomes.add(alert.getDimensions().get("hub") + ":" + outcome.tag() + ":" + detail);
            }
          }
        };
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    try (RecordingReceiver flaky = RecordingReceiver.start();
        RecordingReceiver steady = RecordingReceiver.start();
        Delivery delivery =
            SinkHarness.start(
                kafka,
                topics,
                plan(flaky, steady, silence),
                "silence",
                SinkHarness.fastRetries(5),
                state,
                registry,
                observer,
                FiringSource.NONE,
                new PrintStream(console, true, StandardCharsets.UTF_8))) {
      produce(kafka, topics, List.of(silenced, inhibited, delivered, valueRevised, verdictRevised));

      await("five outcomes at receiver flaky").atMost(WAIT).until(() -> outcomes.size() >= 5);

      assertThat(outcomes)
          .containsExactlyInAnyOrder(
              "hub-9:silenced:hub-9 patching",
              "hub-3:inhibited:throttling|hub=hub-3",
              "hub-4:delivered:",
              "hub-4:skipped:revision of the value only",
              "hub-4:delivered:");
      assertThat(keys(flaky))
          .containsExactly(delivered.getAlertId() + ":1", delivered.getAlertId() + ":3");
      assertThat(
              registry
                  .get("linkwatch.sink.deliveries")
                  .tag("receiver", "flaky")
                  .tag("result", "silenced")
                  .counter()
                  .count())
          .isEqualTo(1);
    }
  }
}
