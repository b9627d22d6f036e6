package io.linkwatch.streams.alert;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.linkwatch.avro.Alert;
import io.linkwatch.avro.AlertRule;
import io.linkwatch.ingest.cli.SimulateCommand;
import io.linkwatch.schemas.topic.Topics;
import io.linkwatch.streams.LinkwatchTopology;
import io.linkwatch.streams.config.StreamsSettings;
import io.linkwatch.streams.metrics.PipelineMetrics;
import io.linkwatch.streams.rules.RuleLoader;
import io.linkwatch.testkit.KafkaCluster;
import io.linkwatch.testkit.KafkaTestCluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The done criterion: the fleet simulator's scripted scenarios through the ingest parsers,
 * the streams role with the alert stage and the default rule pack on a real cluster. The expected
 * alerts are derived from the simulator's ground truth; the test prints expected vs fired and
 * asserts that they fire (and resolve, for incidents that end an hour before the run does), that
 * nothing else fires — the hourly token renewals of the healthy fleet included — and that muted
 * alerts are recorded as INHIBITED.
 */
@KafkaCluster
class DefaultPackScenariosIT {

  private static final String START = "2026-03-02T00:00:00Z";
  private static final Duration DURATION = Duration.ofHours(6);

  @Test
  void shouldFireExactlyTheAlertsTheScenariosCallForAndResolveThem(
      KafkaTestCluster kafka, @TempDir Path dir) throws Exception {
    Topics topics = kafka.createLinkwatchTopics();
    for (AlertRule rule : RuleLoader.loadDefaultPack().alertRules()) {
      rule.setVersion(1);
      kafka.produce(topics.alertRules(), rule.getId(), rule);
    }
    KafkaStreams streams = start(kafka, topics, meters);
    try {
      Path truth = dir.resolve("truth.jsonl");
      int code =
          new CommandLine(new SimulateCommand())
              .execute(
                  "--produce",
                  "events",
                  "-b",
                  kafka.bootstrapServers(),
                  "--seed",
                  "11",
                  "--start",
                  START,
                  "--duration",
                  "6h",
                  // paced, so that the three inputs stay within the grace of each other
                  "--rate",
                  "60",
                  "--truth",
                  truth.toString(),
                  "--summary",
                  dir.resolve("summary.json").toString());
      assertThat(code).as("linkwatch simulate exit code").isZero();

      Expected expected = expected(truth);
      AtomicReference<Set<String>> seen = new AtomicReference<>(Set.of());
      try {
        Awaitility.await("the alerts the scenarios call for")
            .atMost(Duration.ofSeconds(240))
            .pollInterval(Duration.ofSeconds(2))
            .until(
                () -> {
                  seen.set(fired(kafka.readAll(topics.alerts())));
                  return missing(expected.required(), seen.get()).isEmpty();
                });
      } catch (ConditionTimeoutException e) {
        // reported below, with what is missing
      }
      Set<String> fired = seen.get();
      Set<String> missing = missing(expected.required(), fired);
      Set<String> unexpected = new TreeSet<>(fired);
      unexpected.removeAll(expected.required());
      unexpected.removeAll(expected.tolerated());
      // revisions, and muted alerts with their later transitions, are recorded, not paged
      unexpected.removeIf(
          s ->
              s.startsWith("REVISED ")
                  || s.startsWith("INHIBITED ")
                  || fired.contains("INHIBITED " + s.substring(s.indexOf(' ') + 1)));
      System.out.println("expected:   " + expected.required());
      System.out.println("fired:      " + fired);
      System.out.println("missing:    " + missing);
      System.out.println("unexpected: " + unexpected);
      // the timeline, for whoever reads the test's output
      for (ConsumerRecord<String, Alert> r : kafka.readAll(topics.alerts())) {
        Alert a = r.value();
        System.out.printf(
            "  %s %-11s %-75s window %s..%s value %s%s%s%n",
            a.getEvaluatedAt(),
            a.getTransition(),
            a.getFingerprint(),
            a.getCondition().getWindowStart(),
            a.getCondition().getWindowEnd(),
            a.getCondition().getObservedValue(),
            a.getInhibited() ? " muted by " + a.getInhibitedBy() : "",
            a.getStateReason() == null ? "" : " (" + a.getStateReason() + ")");
      }
      meters.getMeters().stream()
          .filter(m -> m.getId().getName().equals("linkwatch.streams.late.records"))
          .forEach(
              m ->
                  System.out.println(
                      "late records "
                          + m.getId().getTags()
                          + ": "
                          + m.measure().iterator().next().getValue()));
      assertThat(missing).as("alerts the scenarios call for that did not come").isEmpty();
      assertThat(unexpected).as("alerts no scenario calls for").isEmpty();
      assertThat(fired)
          .as("the legacy-SDK scenario makes a hub's or a DPS's legacy share alert fire")
          .anyMatch(s -> s.startsWith("FIRED devices-legacy-sdk-share|"));
    } finally {
      streams.close(Duration.ofSeconds(30));
    }
  }

  /**
   * The required transitions that did not come. An alert muted by another that explains it (auth
   * failures of a device during its hub's outage) fired too: it is recorded as INHIBITED.
   */
  private static Set<String> missing(Set<String> required, Set<String> fired) {
    Set<String> missing = new TreeSet<>(required);
    missing.removeAll(fired);
    missing.removeIf(s -> s.startsWith("FIRED ") && fired.contains("INHIBITED " + s.substring(6)));
    return missing;
  }

  /** What the ground truth calls for: required alerts, and ones that may or may not come. */
  private record Expected(Set<String> required, Set<String> tolerated) {}

  private static Expected expected(Path truth) throws Exception {
    ObjectMapper json = new ObjectMapper();
    Expected e = new Expected(new TreeSet<>(), new TreeSet<>());
    Instant runEnd = Instant.parse(START).plus(DURATION);
    for (String line : Files.readAllLines(truth)) {
      JsonNode t = json.readTree(line);
      // an incident that ends less than two hours (window, grace, margin) before the run does
      // cannot be seen resolving: its last windows close only on the wall clock
      boolean ends =
          Instant.parse(t.get("end").asText()).plus(Duration.ofHours(2)).isBefore(runEnd);
      switch (t.get("scenario").asText()) {
        case "revoked-credentials" ->
            expect(
                e,
                ends,
                "iothub-auth-failures|deviceId=" + text(t, "deviceId") + "|hub=" + text(t, "hub"));
        case "hub-outage" -> {
          expect(e, ends, "iothub-server-error-storm|hub=" + text(t, "hub"));
          expect(e, ends, "iothub-hub-outage|hub=" + text(t, "hub"));
        }
        case "bad-certificate" ->
            expect(
                e,
                ends,
                "dps-attestation-failure-rate|dpsInstance="
                    + text(t, "dpsInstance")
                    + "|enrollment="
                    + text(t, "enrollmentGroupId"));
        case "iothub-throttling" -> expect(e, ends, "iothub-throttling|hub=" + text(t, "hub"));
        case "mass-reboot" ->
            expect(e, ends, "dps-throttling|dpsInstance=" + text(t, "dpsInstance"));
        case "assignment-flapping" ->
            expect(
                e,
                ends,
                "dps-assignment-flapping|dpsInstance="
                    + text(t, "dpsInstance")
                    + "|registrationId="
                    + text(t, "registrationId"));
        case "arc-proxy", "arc-bad-secret" ->
            expect(
                e,
                ends,
                "arc-agent-connection-failures|cause="
                    + text(t, "cause")
                    + "|machine="
                    + text(t, "machine"));
        case "legacy-sdk" ->
            // whether a scope's share passes 5 % depends on how many legacy devices landed on it
            tolerate(
                e,
                t.get("hub").isNull()
                    ? "devices-legacy-sdk-share|scope=" + text(t, "dpsInstance") + "|source=dps"
                    : "devices-legacy-sdk-share|scope=" + text(t, "hub") + "|source=iothub");
        default -> {
          // token renewals, reprovisioning moves and secondary errors call for no alert
        }
      }
    }
    e.tolerated().removeAll(e.required());
    return e;
  }

  private static void expect(Expected e, boolean resolves, String fingerprint) {
    e.required().add("FIRED " + fingerprint);
    (resolves ? e.required() : e.tolerated()).add("RESOLVED " + fingerprint);
  }

  private static void tolerate(Expected e, String fingerprint) {
    e.tolerated().add("FIRED " + fingerprint);
    e.tolerated().add("RESOLVED " + fingerprint);
  }

  private static String text(JsonNode t, String field) {
    JsonNode n = t.get(field);
    return n == null || n.isNull() ? "" : n.asText();
  }

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  private static KafkaStreams start(
      KafkaTestCluster kafka, Topics topics, SimpleMeterRegistry meters) {
    Properties props = new Properties();
    props.putAll(kafka.streamsConfig("default-pack-scenarios-it"));
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
    KafkaStreams streams =
        new KafkaStreams(
            LinkwatchTopology.build(
                // One window partition (see AlertPipelineIT) and a grace of 30 minutes: the
                // simulator produces six hours in seconds, and the connection, provisioning and
                // agent inputs are processed by different tasks, so their event times drift apart
                // by more than the 2-minute default while the backlog is worked off.
                StreamsSettings.of(
                    Map.of(
                        "streams.window.partitions",
                        1,
                        "streams.grace.ms",
                        1_800_000L,
                        "streams.correlation.grace.ms",
                        1_800_000L)),
                topics,
                new PipelineMetrics(meters),
                (builder, results) ->
                    AlertStage.build(builder, results, AlertStageSettings.defaults())),
            props);
    streams.start();
    Awaitility.await("the streams role to run")
        .atMost(Duration.ofSeconds(90))
        .until(() -> streams.state() == KafkaStreams.State.RUNNING);
    return streams;
  }

  private static Set<String> fired(List<ConsumerRecord<String, Alert>> records) {
    Set<String> out = new TreeSet<>();
    for (ConsumerRecord<String, Alert> r : records) {
      out.add(r.value().getTransition() + " " + r.value().getFingerprint());
    }
    return out;
  }
}
