package io.linkwatch.ingest.source.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.linkwatch.avro.AgentEvent;
import io.linkwatch.avro.ConnectionEvent;
import io.linkwatch.avro.DeadLetter;
import io.linkwatch.avro.DeadLetterReason;
import io.linkwatch.avro.ProvisioningEvent;
import io.linkwatch.ingest.parse.AgentLogParser;
import io.linkwatch.ingest.parse.AzureLogParser;
import io.linkwatch.ingest.parse.Origin;
import io.linkwatch.ingest.parse.ParseOutput;
import io.linkwatch.ingest.testing.Cli;
import io.linkwatch.schemas.topic.Topic;
import io.linkwatch.schemas.topic.Topics;
import io.linkwatch.testkit.KafkaCluster;
import io.linkwatch.testkit.KafkaTestCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@KafkaCluster
class KafkaSourceIT {

  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final List<String> RAW_TOPICS =
      List.of(
          "insights-logs-connections",
          "insights-logs-devicetelemetry",
          "insights-logs-twinqueries",
          "insights-logs-deviceoperations",
          "insights-logs-serviceoperations",
          "arc-agent-logs");

  static KafkaTestCluster kafka;
  static Expected expected;

  /** The raw export of a simulated fleet, and a few broken messages, read by every test. */
  @BeforeAll
  static void rawExport() {
    // recent event times: the record timestamp is the event time, and the broker's time-based
    // retention deletes rolled segments of old ones (a 2024 start lost a transaction's records)
    simulateRaw("2000", "3h", recentStart(Duration.ofHours(3)));
    kafka.produce(
        "insights-logs-connections",
        null,
        "{\"records\":[{\"time\":".getBytes(StandardCharsets.UTF_8));
    kafka.produce(
        "arc-agent-logs",
        null,
        "time=\"2024-05-01T08:00:00Z\" level=error msg=\"x\"".getBytes(StandardCharsets.UTF_8));
    expected = expected();
  }

  /** Counts of what the raw topics should become, by parsing them here. */
  record Expected(int connections, int provisioning, int agent, int deadLetters) {}

  @Test
  void shouldTurnTheRawExportIntoEventsExactlyOnceAndDeadLetterWithTopicAndOffset() {
    // given the raw export of a simulated fleet, and a few broken messages
    Topics topics = kafka.createLinkwatchTopics("eos.");

    // when the Kafka source reads it
    List<String> args =
        new ArrayList<>(
            List.of(
                "ingest",
                "kafka",
                "-b",
                kafka.bootstrapServers(),
                "--group",
                "eos-test",
                "--idle-timeout",
                "8s"));
    args.addAll(Cli.topics(topics));
    Cli.Run run = Cli.run(args.toArray(String[]::new));

    // then every record is on the event topics once, the broken ones in the dead letters
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.out()).contains("exactly once");
    assertExactly(topics, expected);
    List<ConsumerRecord<String, DeadLetter>> dead = kafka.readAll(topics.ingestDeadLetter());
    assertThat(dead)
        .anySatisfy(
            d -> {
              assertThat(d.value().getReasonCode()).isEqualTo(DeadLetterReason.MALFORMED_JSON);
              assertThat(d.value().getProvenance().getSource())
                  .isEqualTo("insights-logs-connections");
              assertThat(d.value().getProvenance().getPartition()).isNotNull();
              assertThat(d.value().getProvenance().getPosition()).isNotNull();
            })
        .anySatisfy(
            d -> assertThat(d.value().getReason()).contains("machine name as its record key"));
  }

  @Test
  void shouldNeitherLoseNorRepeatARecordWhenKilledMidStream(@TempDir Path dir) throws Exception {
    Topics topics = kafka.createLinkwatchTopics("kill.");
    List<String> args =
        new ArrayList<>(
            List.of(
                "ingest",
                "kafka",
                "-b",
                kafka.bootstrapServers(),
                "--group",
                "kill-test",
                "--idle-timeout",
                "10s",
                "--set",
                "consumer.session.timeout.ms=6000",
                "--set",
                "consumer.max.poll.records=200"));
    args.addAll(Cli.topics(topics));

    // given an ingest process killed (SIGKILL) after it committed part of the stream
    Process first = Cli.fork(args, Path.of("target", "KafkaSourceIT-killed.log"));
    await("the first transactions committed")
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> !kafka.readAll(topics.connections()).isEmpty() || !first.isAlive());
    first.destroyForcibly().waitFor();
    int before = kafka.readAll(topics.connections()).size();
    assertThat(before).as("killed mid-stream").isBetween(1, expected.connections() - 1);

    // when it is started again
    Cli.Run second = Cli.run(args.toArray(String[]::new));

    // then the event topics hold every record exactly once
    assertThat(second.exit()).as(second.err()).isZero();
    assertExactly(topics, expected);
  }

  static String recentStart(Duration duration) {
    return java.time.Instant.now()
        .minus(duration)
        .truncatedTo(java.time.temporal.ChronoUnit.MINUTES)
        .toString();
  }

  private static void simulateRaw(String devices, String duration, String start) {
    Cli.Run sim =
        Cli.run(
            "simulate",
            "--produce",
            "raw",
            "-b",
            kafka.bootstrapServers(),
            "--seed",
            "5",
            "--devices",
            devices,
            "--duration",
            duration,
            "--start",
            start);
    assertThat(sim.exit()).as(sim.err()).isZero();
  }

  private static void assertExactly(Topics topics, Expected expected) {
    assertThat(kafka.awaitRecords(topics.connections(), expected.connections(), WAIT).size())
        .isEqualTo(expected.connections());
    assertThat(kafka.readAll(topics.connections())).hasSize(expected.connections());
    assertThat(kafka.readAll(topics.provisioning())).hasSize(expected.provisioning());
    assertThat(kafka.readAll(topics.agent())).hasSize(expected.agent());
    assertThat(kafka.readAll(topics.ingestDeadLetter())).hasSize(expected.deadLetters());
  }

  /** Parses every raw message here, as the source should. */
  private static Expected expected() {
    AzureLogParser azure = new AzureLogParser(1 << 20, 1 << 16, () -> 0L);
    AgentLogParser agent = new AgentLogParser(1 << 20, 1 << 16, () -> 0L);
    Map<String, Integer> n = new HashMap<>();
    ParseOutput count =
        new ParseOutput() {
          @Override
          public void connection(String key, ConnectionEvent event) {
            n.merge("c", 1, Integer::sum);
          }

          @Override
          public void provisioning(String key, ProvisioningEvent event) {
            n.merge("p", 1, Integer::sum);
          }

          @Override
          public void agent(String key, AgentEvent event) {
            n.merge("a", 1, Integer::sum);
          }

          @Override
          public void deadLetter(String key, DeadLetter deadLetter) {
            n.merge("d", 1, Integer::sum);
          }
        };
    for (String topic : RAW_TOPICS) {
      Topic<byte[], byte[]> raw = new Topic<>(topic, Serdes.ByteArray(), Serdes.ByteArray());
      for (ConsumerRecord<byte[], byte[]> r : kafka.readAll(raw)) {
        Origin o = Origin.kafka(r.topic(), r.partition(), r.offset());
        byte[] v = r.value();
        if (topic.equals("arc-agent-logs")) {
          if (r.key() == null) {
            n.merge("d", 1, Integer::sum);
          } else {
            agent.parseLines(
                v,
                0,
                v.length,
                new String(r.key(), StandardCharsets.UTF_8),
                "azcmagent.log",
                o,
                count);
          }
        } else {
          azure.parsePayload(v, 0, v.length, o, count);
        }
      }
    }
    return new Expected(
        n.getOrDefault("c", 0),
        n.getOrDefault("p", 0),
        n.getOrDefault("a", 0),
        n.getOrDefault("d", 0));
  }
}
