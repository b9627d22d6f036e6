package io.linkwatch.streams.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.linkwatch.avro.Alert;
import io.linkwatch.avro.AlertRule;
import io.linkwatch.avro.AlertTransition;
import io.linkwatch.avro.ConnectionEvent;
import io.linkwatch.schemas.topic.TopicRole;
import io.linkwatch.schemas.topic.Topics;
import io.linkwatch.streams.app.StreamsRunner;
import io.linkwatch.streams.replay.cli.BacktestCommand;
import io.linkwatch.streams.replay.cli.ReplayCommand;
import io.linkwatch.streams.rules.RuleLoader;
import io.linkwatch.streams.rules.RulePlan;
import io.linkwatch.testkit.KafkaCluster;
import io.linkwatch.testkit.KafkaTestCluster;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Replay against a real run: the live streams role (real Kafka Streams, exactly once, 3 partitions)
 * processes a fleet fed minute by minute as it would arrive, then replay reads the retained events
 * back and must reproduce the live alerts transition by transition, explain what a short warm-up
 * cannot rebuild, and catch a tampered or missing alert.
 */
@KafkaCluster
class ReplayIT {

  /** Event time starts three hours ago (brokers refuse timestamps far in the future). */
  private static final Instant T0 =
      Instant.now().minus(Duration.ofHours(3)).truncatedTo(ChronoUnit.HOURS);

  private static final Instant END = T0.plus(Duration.ofMinutes(100));
  private static final String APP = "replay-it-live";

  /** A candidate rule: any authentication failure of a device, over 5 minutes. */
  private static final String CANDIDATE =
      """
        rules:
          - id: auth-any
            name: Any authentication failure
            signal: iothub.auth_failures
            splitBy: [hub, deviceId]
            window: 5m
            frequency: 5m
            operator: '>='
            threshold: 1
            severity: Sev3
        """;

  private static Map<String, String> settings;
  private static Topics topics;
  private static List<ConsumerRecord<String, Alert>> live;

  @BeforeAll
  static void liveRun(KafkaTestCluster kafka) throws Exception {
    topics = kafka.createLinkwatchTopics("rit.");
    settings = new HashMap<>();
    settings.put("bootstrap.servers", kafka.bootstrapServers());
    for (TopicRole role : TopicRole.values()) {
      settings.put(role.configKey(), topics.name(role));
    }
    settings.put("streams.deadletter.topic", topics.ingestDeadLetter().name());
    Map<String, String> live = new HashMap<>(settings);
    kafka.streamsConfig(APP).forEach((k, v) -> live.put(k, String.valueOf(v)));
    live.put("streams.http.port", "0");

    // the rules were applied before the events happened (as 'linkwatch rules apply' would have)
    try (KafkaProducer<String, AlertRule> producer =
        new KafkaProducer<>(
            kafka.producerConfig(),
            new StringSerializer(),
            topics.alertRules().valueSerde().serializer())) {
      for (RulePlan.Change c :
          RulePlan.of(RuleLoader.loadDefaultPack().alertRules(), Map.of(), false).writes()) {
        producer
            .send(
                new ProducerRecord<>(
                    topics.alertRules().name(),
                    null,
                    T0.minus(Duration.ofHours(1)).toEpochMilli(),
                    c.id(),
                    c.rule()))
            .get(30, TimeUnit.SECONDS);
      }
    }

    List<ConnectionEvent> events =
        new Fleet("hub-a", T0)
            .healthy(20, END)
            .revoked("revoked", T0.plus(Duration.ofMinutes(20)), T0.plus(Duration.ofMinutes(35)))
            .events();
    try (StreamsRunner runner = new StreamsRunner(live);
        KafkaProducer<String, ConnectionEvent> producer =
            new KafkaProducer<>(
                kafka.producerConfig(),
                new StringSerializer(),
                topics.connections().valueSerde().serializer())) {
      runner.start();
      feedMinuteByMinute(kafka, producer, events);
      ReplayIT.live =
          kafka.awaitRecords(
              topics.alerts(),
              records ->
                  records.stream()
                      .anyMatch(r -> r.value().getTransition() == AlertTransition.RESOLVED),
              "the live run resolving the revoked device's alert",
              Duration.ofSeconds(60));
      ReplayIT.live.forEach(
          r ->
              System.out.printf(
                  "live: %s %s %s ts=%s%n",
                  r.value().getTransition(),
                  r.value().getEvaluatedAt(),
                  r.value().getAlertId(),
                  Instant.ofEpochMilli(r.timestamp())));
    }
  }

  /**
   * As ingest would deliver them: one minute of event time at a time, the next only once the live
   * application has committed the previous one (it processes in near real time, as in production).
   */
  private static void feedMinuteByMinute(
      KafkaTestCluster kafka,
      KafkaProducer<String, ConnectionEvent> producer,
      List<ConnectionEvent> events)
      throws Exception {
    Map<Integer, Long> produced = new HashMap<>();
    int i = 0;
    for (Instant minute = T0; minute.isBefore(END); minute = minute.plus(Duration.ofMinutes(1))) {
      Instant next = minute.plus(Duration.ofMinutes(1));
      while (i < events.size() && events.get(i).getTime().isBefore(next)) {
        ConnectionEvent e = events.get(i++);
        var meta =
            producer
                .send(
                    new ProducerRecord<>(
                        topics.connections().name(),
                        null,
                        e.getTime().toEpochMilli(),
                        Fleet.key(e),
                        e))
                .get(30, TimeUnit.SECONDS);
        produced.merge(meta.partition(), meta.offset() + 1, Math::max);
      }
      await("the live application to commit the events up to " + next)
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> committed(kafka, produced));
    }
  }

  private static boolean committed(KafkaTestCluster kafka, Map<Integer, Long> produced)
      throws Exception {
    Map<TopicPartition, OffsetAndMetadata> offsets =
        kafka.admin().listConsumerGroupOffsets(APP).partitionsToOffsetAndMetadata().get();
    for (var e : produced.entrySet()) {
      OffsetAndMetadata o =
          offsets.get(new TopicPartition(topics.connections().name(), e.getKey()));
      if (o == null || o.offset() < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  @Test
  void shouldReproduceEveryLiveAlertTransitionByteForByte() throws Exception {
    Replay.Verified v = Replay.verify(settings, request(T0, null), new Replay.Listener() {}, null);

    VerifyReport report = v.report();
    report.print(new java.io.PrintWriter(System.out, true), 10);
    assertThat(report.live()).isGreaterThanOrEqualTo(2);
    assertThat(report.findings()).isEmpty();
    assertThat(report.identical()).isEqualTo(report.live()).isEqualTo(report.replayed());
    assertThat(v.result().alerts())
        .extracting(e -> e.value().getTransition() + " " + e.value().getFingerprint())
        .containsExactly(
            "FIRED iothub-auth-failures|deviceId=revoked|hub=hub-a",
            "RESOLVED iothub-auth-failures|deviceId=revoked|hub=hub-a");
    assertThat(v.result().ruleVersions()).contains("iothub-auth-failures@1");
  }

  @Test
  void shouldPrintTheVerdictAndWriteTheOutputsFromTheCommandLine(@TempDir Path dir)
      throws Exception {
    Cli run =
        Cli.run(
            new ReplayCommand(),
            "--from",
            T0.toString(),
            "--to",
            END.toString(),
            "--verify",
            "-q",
            "-o",
            dir.toString());

    assertThat(run.code()).as("exit code; stderr: %s", run.err()).isZero();
    assertThat(run.out())
        .contains("Replayed " + T0, "FIRED", "RESOLVED", "revoked")
        .contains("2 identical", "Result: REPRODUCED");
    assertThat(Files.readAllLines(dir.resolve("alerts.jsonl")))
        .hasSize(2)
        .allSatisfy(line -> assertThat(line).contains("\"alertId\"", "deviceId=revoked"));
    JsonNode summary = new ObjectMapper().readTree(dir.resolve("summary.json").toFile());
    assertThat(summary.at("/verify/reproduced").asBoolean()).isTrue();
    assertThat(summary.at("/verify/identical").asInt()).isEqualTo(2);
    assertThat(summary.at("/alerts/0/ruleId").asText()).isEqualTo("iothub-auth-failures");
  }

  @Test
  void shouldWriteTheBacktestReportFromTheCommandLine(@TempDir Path dir) throws Exception {
    Path candidate = dir.resolve("candidate.yaml");
    Files.writeString(candidate, CANDIDATE);

    Cli run =
        Cli.run(
            new BacktestCommand(),
            "--rules",
            candidate.toString(),
            "--baseline",
            "live",
            "--from",
            T0.toString(),
            "--to",
            END.toString(),
            "-q",
            "-o",
            dir.resolve("report").toString());

    assertThat(run.code()).as("exit code; stderr: %s", run.err()).isZero();
    assertThat(run.out())
        .contains("auth-any v1", "alerts added", "0 removed", "backtest.html")
        .contains("baseline rules the candidate does not define: iothub-auth-failures");
    assertThat(dir.resolve("report").resolve("backtest.html")).isNotEmptyFile();
    JsonNode json = new ObjectMapper().readTree(dir.resolve("report/backtest.json").toFile());
    assertThat(json.at("/rules/0/id").asText()).isEqualTo("auth-any");
    assertThat(json.at("/rules/0/fired").asLong()).isPositive();
  }

  /** A command run as a user runs it, with the cluster's settings given by --set. */
  private record Cli(int code, String out, String err) {
    static Cli run(Object command, String... args) {
      List<String> all = new ArrayList<>(List.of(args));
      settings.forEach((k, v) -> all.addAll(List.of("--set", k + "=" + v)));
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      CommandLine cli = new CommandLine(command);
      cli.setOut(new PrintWriter(out, true));
      cli.setErr(new PrintWriter(err, true));
      int code = cli.execute(all.toArray(String[]::new));
      return new Cli(code, out.toString(), err.toString());
    }
  }

  @Test
  void shouldGiveTheSameDigestWhenTheSameRangeIsReplayedTwice() throws Exception {
    ReplayResult first = Replay.run(settings, request(T0, null), new Replay.Listener() {}, null);
    ReplayResult second = Replay.run(settings, request(T0, null), new Replay.Listener() {}, null);

    assertThat(first.records()).isPositive();
    assertThat(first.incidents()).isNotEmpty();
    assertThat(second.digest()).isEqualTo(first.digest());
  }

  @Test
  void shouldExplainWhatAWarmupTooShortCannotRebuild() throws Exception {
    // the device fails from 0:20; replaying from 0:30 with one minute of warm-up misses the start
    Replay.Verified v =
        Replay.verify(
            settings,
            request(T0.plus(Duration.ofMinutes(30)), Duration.ofMinutes(1)),
            new Replay.Listener() {},
            null);

    VerifyReport report = v.report();
    assertThat(report.findings()).isNotEmpty();
    assertThat(report.findings())
        .allSatisfy(f -> assertThat(f.explanation()).contains("before the replay's first event"));
    assertThat(report.reproduced()).isTrue();
  }

  @Test
  void shouldCatchATamperedAndAMissingAlert(KafkaTestCluster kafka) throws Exception {
    String tampered = kafka.uniqueName("rit.alerts-tampered");
    kafka.createTopic(tampered, 1);
    try (KafkaProducer<String, Alert> producer =
        new KafkaProducer<>(
            kafka.producerConfig(),
            new StringSerializer(),
            topics.alerts().valueSerde().serializer())) {
      // the FIRED transition with another value; the RESOLVED one left out
      Alert fired = Alert.newBuilder(live.get(0).value()).build();
      fired.getCondition().setObservedValue(fired.getCondition().getObservedValue() + 7);
      producer
          .send(
              new ProducerRecord<>(
                  tampered, null, live.get(0).timestamp(), live.get(0).key(), fired))
          .get(30, TimeUnit.SECONDS);
    }
    Map<String, String> s = new HashMap<>(settings);
    s.put(TopicRole.ALERTS.configKey(), tampered);

    VerifyReport report =
        Replay.verify(s, request(T0, null), new Replay.Listener() {}, null).report();
    report.print(new java.io.PrintWriter(System.out, true), 10);

    assertThat(report.reproduced()).isFalse();
    assertThat(report.unexplained())
        .extracting(VerifyReport.Finding::kind, VerifyReport.Finding::transition)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(VerifyReport.Kind.DIFFERENT, "FIRED"),
            org.assertj.core.groups.Tuple.tuple(VerifyReport.Kind.EXTRA, "RESOLVED"));
    assertThat(report.unexplained().get(0).changes())
        .extracting(VerifyReport.Field::path)
        .containsExactly("condition.observedValue");
  }

  @Test
  void shouldBacktestACandidateRuleAndRenderTheReportInABrowser(@TempDir Path dir)
      throws Exception {
    Path candidate = dir.resolve("candidate.yaml");
    Files.writeString(candidate, CANDIDATE);

    BacktestReport report =
        Backtest.run(
            settings,
            new Backtest.Request(
                T0,
                END,
                null,
                new Replay.Rules.FromFiles(candidate),
                new Replay.Rules.AsTheyWere()),
            new Replay.Listener() {});
    Path html = BacktestFiles.write(report, dir.resolve("report"));
    assertThat(report.rules())
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.fired()).isPositive();
              assertThat(o.episodes())
                  .allSatisfy(e -> assertThat(e.dimensions()).containsEntry("deviceId", "revoked"));
              assertThat(o.charted()).isNotEmpty();
            });
    assertThat(report.added()).hasSize((int) report.rules().get(0).fired());
    // the live rule is not in the candidate set: its alert is shown apart, not as a removal
    assertThat(report.removedByChangedRules()).isEmpty();
    assertThat(report.removedByAbsentRules())
        .extracting(BacktestReport.Episode::ruleId)
        .containsOnly("iothub-auth-failures");
    BrowserCheck.assertRenders(html, "Any authentication failure", dir);
  }

  private static Replay.Request request(Instant from, Duration warmup) {
    return new Replay.Request(from, END, warmup, new Replay.Rules.AsTheyWere(), false);
  }
}
