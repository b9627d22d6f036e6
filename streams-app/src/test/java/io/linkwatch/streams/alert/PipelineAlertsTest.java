package io.linkwatch.streams.alert;

import static org.assertj.core.api.Assertions.assertThat;

import io.linkwatch.avro.Alert;
import io.linkwatch.avro.AlertRule;
import io.linkwatch.avro.ConnectionEvent;
import io.linkwatch.schemas.serde.AvroSerdes;
import io.linkwatch.schemas.topic.Topic;
import io.linkwatch.schemas.topic.Topics;
import io.linkwatch.streams.LinkwatchTopology;
import io.linkwatch.streams.config.StreamsSettings;
import io.linkwatch.streams.metrics.PipelineMetrics;
import io.linkwatch.streams.rules.RuleLoader;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The whole streams topology (correlation, window engine) with the real alert stage and the default
 * rule pack, in a {@code TopologyTestDriver}: the contract between the engine and the stage,
 * exercised with IoT Hub events as the ingest role produces them.
 */
class PipelineAlertsTest {

  private static final Instant T0 = Instant.parse("2026-03-02T00:00:00Z");

  private final Topics topics = Topics.withDefaultNames(AvroSerdes.singleObject());
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private TopologyTestDriver driver;
  private TestInputTopic<String, ConnectionEvent> connections;
  private TestOutputTopic<String, Alert> alerts;
  private Path stateDir;

  @BeforeEach
  void start() throws Exception {
    stateDir = Files.createTempDirectory("pipeline-alerts");
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "pipeline-alerts-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:9092");
    props.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
    props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    driver =
        new TopologyTestDriver(
            LinkwatchTopology.build(
                StreamsSettings.defaults(), topics, new PipelineMetrics(meters)),
            props,
            T0);
    Topic<String, AlertRule> rules = topics.alertRules();
    TestInputTopic<String, AlertRule> ruleInput =
        driver.createInputTopic(
            rules.name(), rules.keySerde().serializer(), rules.valueSerde().serializer());
    for (AlertRule rule : RuleLoader.loadDefaultPack().alertRules()) {
      rule.setVersion(1);
      ruleInput.pipeInput(rule.getId(), rule, T0);
    }
    connections =
        driver.createInputTopic(
            topics.connections().name(),
            topics.connections().keySerde().serializer(),
            topics.connections().valueSerde().serializer());
    alerts =
        driver.createOutputTopic(
            topics.alerts().name(),
            topics.alerts().keySerde().deserializer(),
            topics.alerts().valueSerde().deserializer());
  }

  @AfterEach
  void stop() throws Exception {
    driver.close();
    try (var paths = Files.walk(stateDir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Test
  void shouldFireNothingOnAHealthyFleetRenewingItsTokensHourly() {
    run(new Fleet(T0).healthy(20, Duration.ofHours(4)));

    assertThat(seen()).isEmpty();
  }

  @Test
  void shouldFireAndResolveAnAuthFailureButNotForTokenRenewals() {
    run(
        new Fleet(T0)
            .healthy(20, Duration.ofHours(3))
            .revoked("revoked", T0.plus(Duration.ofMinutes(60)), 10));

    assertThat(seen())
        .containsExactly(
            "FIRED iothub-auth-failures|deviceId=revoked|hub=hub-a",
            "RESOLVED iothub-auth-failures|deviceId=revoked|hub=hub-a");
  }

  @Test
  void shouldCountTheAlertStagesTransitionsWithThePipelinesMeters() {
    run(
        new Fleet(T0)
            .healthy(5, Duration.ofHours(2))
            .revoked("revoked", T0.plus(Duration.ofMinutes(30)), 10));

    // the registry the streams role exports on /metrics: the alert stage's meters are there too
    assertThat(meters.find("linkwatch.alerts.transitions").tag("transition", "fired").counter())
        .as("linkwatch.alerts.transitions{transition=fired}")
        .isNotNull()
        .extracting(c -> c.count())
        .isEqualTo(1.0);
    assertThat(meters.find("linkwatch.alerts.evaluations").counters()).isNotEmpty();
  }

  @Test
  void shouldFireTheHubOutageAndMuteWhatItExplains() {
    run(new Fleet(T0).healthy(20, Duration.ofHours(2)).outage(T0.plus(Duration.ofMinutes(70))));

    List<String> seen = seen();
    assertThat(seen)
        .contains(
            "FIRED iothub-server-error-storm|hub=hub-a",
            "RESOLVED iothub-server-error-storm|hub=hub-a");
    assertThat(seen).noneMatch(s -> s.startsWith("FIRED iothub-device"));
  }

  @Test
  void shouldFireAndResolveTheHubOutageSignatureAlert() {
    run(new Fleet(T0).healthy(20, Duration.ofHours(2)).outage(T0.plus(Duration.ofMinutes(70))));

    assertThat(seen())
        .contains("FIRED iothub-hub-outage|hub=hub-a", "RESOLVED iothub-hub-outage|hub=hub-a");
  }

  /** Feeds the fleet in time order, two quiet hours after it, then lets the wall clock close. */
  private void run(Fleet fleet) {
    for (ConnectionEvent e : fleet.events(Duration.ofHours(2))) {
      connections.pipeInput(new TestRecord<>(e.getHub() + "/" + e.getDeviceId(), e, e.getTime()));
    }
    for (int i = 0; i < 10; i++) {
      driver.advanceWallClockTime(Duration.ofMinutes(1));
    }
  }

  private List<String> seen() {
    List<String> out = new ArrayList<>();
    for (Alert a : alerts.readValuesToList()) {
      out.add(a.getTransition() + " " + a.getFingerprint());
    }
    return out;
  }
}
