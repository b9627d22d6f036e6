package io.linkwatch.streams;

import io.linkwatch.avro.AgentEvent;
import io.linkwatch.avro.Alert;
import io.linkwatch.avro.AlertRule;
import io.linkwatch.avro.ConnectionEvent;
import io.linkwatch.avro.Incident;
import io.linkwatch.avro.ProvisioningEvent;
import io.linkwatch.avro.WindowedAggregate;
import io.linkwatch.schemas.serde.AvroSerdes;
import io.linkwatch.schemas.topic.Topic;
import io.linkwatch.schemas.topic.Topics;
import io.linkwatch.streams.alert.AlertStage;
import io.linkwatch.streams.alert.AlertStageSettings;
import io.linkwatch.streams.alert.WindowResult;
import io.linkwatch.streams.config.StreamsSettings;
import io.linkwatch.streams.metrics.PipelineMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/** The full topology in a {@link TopologyTestDriver}, with typed inputs and collected outputs. */
final class TopologyFixture implements AutoCloseable {

  final Topics topics = Topics.withDefaultNames(AvroSerdes.singleObject());
  final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  final List<WindowResult> results = new ArrayList<>();
  final TopologyTestDriver driver;
  final TestInputTopic<String, ConnectionEvent> connections;
  final TestInputTopic<String, ProvisioningEvent> provisioning;
  final TestInputTopic<String, AgentEvent> agent;
  final TestInputTopic<String, AlertRule> rules;
  final TestOutputTopic<String, Incident> incidents;
  final TestOutputTopic<String, WindowedAggregate> aggregates;
  final TestOutputTopic<String, Alert> alerts;
  final StreamsSettings settings;
  private final java.nio.file.Path stateDir;

  TopologyFixture(Map<String, ?> overrides) {
    this.settings = StreamsSettings.of(overrides);
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "linkwatch-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:9092");
    props.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
    props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
    try {
      stateDir = java.nio.file.Files.createTempDirectory("linkwatch-ttd");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    driver =
        new TopologyTestDriver(
            LinkwatchTopology.build(
                settings,
                topics,
                new PipelineMetrics(meters),
                (builder, stream) ->
                    AlertStage.build(
                        builder,
                        stream.peek(
                            (k, v) -> {
                              if (!v.isTick()) {
                                results.add(v);
                              }
                            }),
                        AlertStageSettings.defaults())),
            props,
            Instant.parse("2026-01-01T00:00:00Z"));
    connections = input(topics.connections());
    provisioning = input(topics.provisioning());
    agent = input(topics.agent());
    rules = input(topics.alertRules());
    incidents = output(topics.incidents());
    aggregates = output(topics.aggregates());
    alerts = output(topics.alerts());
  }

  private <V> TestInputTopic<String, V> input(Topic<String, V> t) {
    return driver.createInputTopic(
        t.name(), t.keySerde().serializer(), t.valueSerde().serializer());
  }

  private <V> TestOutputTopic<String, V> output(Topic<String, V> t) {
    return driver.createOutputTopic(
        t.name(), t.keySerde().deserializer(), t.valueSerde().deserializer());
  }

  void send(ConnectionEvent e) {
    connections.pipeInput(new TestRecord<>(e.getHub() + "/" + e.getDeviceId(), e, e.getTime()));
  }

  void send(ProvisioningEvent e) {
    provisioning.pipeInput(
        new TestRecord<>(e.getDpsInstance() + "/" + e.getRegistrationId(), e, e.getTime()));
  }

  void send(AgentEvent e) {
    agent.pipeInput(new TestRecord<>(e.getMachine(), e, e.getTime()));
  }

  /** Moves event time forward with a record of another, quiet device. */
  void advanceTo(Instant t) {
    send(Events.connect("tick-hub", "tick", t));
  }

  void wallClock(Duration d) {
    driver.advanceWallClockTime(d);
  }

  List<Incident> incidents() {
    return incidents.readValuesToList();
  }

  List<WindowedAggregate> aggregates() {
    return aggregates.readValuesToList();
  }

  @Override
  public void close() {
    driver.close();
    try (var paths = java.nio.file.Files.walk(stateDir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (java.io.IOException e) {
      // best effort: a leftover temp folder is harmless
    }
  }
}
