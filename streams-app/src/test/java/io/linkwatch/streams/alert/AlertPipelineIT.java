package io.linkwatch.streams.alert;

import static org.assertj.core.api.Assertions.assertThat;

import io.linkwatch.avro.Alert;
import io.linkwatch.avro.AlertRule;
import io.linkwatch.avro.ConnectionEvent;
import io.linkwatch.schemas.topic.Topics;
import io.linkwatch.streams.LinkwatchTopology;
import io.linkwatch.streams.config.StreamsSettings;
import io.linkwatch.streams.metrics.PipelineMetrics;
import io.linkwatch.streams.rules.RuleLoader;
import io.linkwatch.testkit.KafkaCluster;
import io.linkwatch.testkit.KafkaTestCluster;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The streams role with the real alert stage and the default rule pack on a real cluster (3
 * partitions per topic, exactly once): a healthy fleet renewing its tokens, a device with revoked
 * credentials and a hub outage. Asserts the alerts that fire and resolve, prints expected vs fired,
 * and that the token renewals fire nothing. Across partitions, this also exercises the inhibition
 * step's watermark ticks on a multi-partition internal topic.
 */
@KafkaCluster
class AlertPipelineIT {

  private static final Instant T0 = Instant.parse("2026-03-02T00:00:00Z");

  @Test
  void shouldFireExactlyTheExpectedAlertsOfTheDefaultPackAndResolveThem(KafkaTestCluster kafka)
      throws Exception {
    Topics topics = kafka.createLinkwatchTopics();
    for (AlertRule rule : RuleLoader.loadDefaultPack().alertRules()) {
      rule.setVersion(1);
      kafka.produce(topics.alertRules(), rule.getId(), rule);
    }
    Set<String> expected =
        new TreeSet<>(
            List.of(
                "FIRED iothub-auth-failures|deviceId=revoked|hub=hub-a",
                "RESOLVED iothub-auth-failures|deviceId=revoked|hub=hub-a",
                "FIRED iothub-server-error-storm|hub=hub-a",
                "RESOLVED iothub-server-error-storm|hub=hub-a"));

    Properties props = new Properties();
    props.putAll(kafka.streamsConfig("alert-pipeline-it"));
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
    KafkaStreams streams =
        new KafkaStreams(
            LinkwatchTopology.build(
                // One window partition: a replay pushes hours of event time through in seconds,
                // and a window partition's watermark advances only with its own observations (or
                // with the wall clock once idle), so quiet series on their own partition would
                // close their windows at wall-clock pace. A grace of 30 minutes, because the
                // correlator's verdicts (auth failures, the outage signature) are decided a grace
                // after their events and the inputs drift apart while the backlog is worked off.
                StreamsSettings.of(
                    Map.of(
                        "streams.window.partitions",
                        1,
                        "streams.grace.ms",
                        1_800_000L,
                        "streams.correlation.grace.ms",
                        1_800_000L)),
                topics,
                PipelineMetrics.detached(),
                (builder, results) ->
                    AlertStage.build(builder, results, AlertStageSettings.defaults())),
            props);
    try {
      streams.start();
      Awaitility.await("the streams role to run")
          .atMost(Duration.ofSeconds(90))
          .until(() -> streams.state() == KafkaStreams.State.RUNNING);

      List<ConnectionEvent> events =
          new Fleet(T0)
              .healthy(20, Duration.ofHours(3))
              .revoked("revoked", T0.plus(Duration.ofMinutes(60)), 10)
              .outage(T0.plus(Duration.ofMinutes(150)))
              .events(Duration.ofHours(2));
      List<ProducerRecord<String, ConnectionEvent>> records = new ArrayList<>();
      for (ConnectionEvent e : events) {
        records.add(
            new ProducerRecord<>(
                topics.connections().name(),
                null,
                e.getTime().toEpochMilli(),
                e.getHub() + "/" + e.getDeviceId(),
                e));
      }
      for (ProducerRecord<String, ConnectionEvent> r : records) {
        kafka.produce(topics.connections(), r);
      }

      List<ConsumerRecord<String, Alert>> alerts =
          kafka.awaitRecords(
              topics.alerts(),
              rs -> seen(rs).containsAll(expected),
              "the expected alerts " + expected,
              Duration.ofSeconds(240));
      // whatever else would fire, fires with the same windows, already closed
      Set<String> fired = seen(kafka.readAll(topics.alerts()));
      // a late record that changes the window of a fired alert is an explicit revision
      fired.removeIf(s -> s.startsWith("REVISED ") && fired.contains("FIRED " + s.substring(8)));
      System.out.println("expected: " + expected);
      System.out.println("fired:    " + fired);
      Set<String> unexpected = new TreeSet<>(fired);
      unexpected.removeAll(expected);
      // the outage signature of this hand-made fleet does not reliably reach the rules on a real
      // cluster (it does in PipelineAlertsTest and with the simulator in DefaultPackScenariosIT)
      unexpected.removeAll(
          Set.of("FIRED iothub-hub-outage|hub=hub-a", "RESOLVED iothub-hub-outage|hub=hub-a"));
      assertThat(unexpected).as("alerts nobody expected").isEmpty();
      assertThat(alerts).allSatisfy(r -> assertThat(r.key()).isEqualTo(r.value().getFingerprint()));
    } finally {
      streams.close(Duration.ofSeconds(30));
    }
  }

  private static Set<String> seen(List<ConsumerRecord<String, Alert>> records) {
    Set<String> out = new TreeSet<>();
    for (ConsumerRecord<String, Alert> r : records) {
      out.add(r.value().getTransition() + " " + r.value().getFingerprint());
    }
    return out;
  }
}
