package io.linkwatch.streams.alert;

import io.linkwatch.avro.Alert;
import io.linkwatch.avro.AlertRule;
import io.linkwatch.avro.EvidenceEvent;
import io.linkwatch.avro.OffsetRange;
import io.linkwatch.schemas.serde.AvroSerdes;
import io.linkwatch.streams.rules.RuleLoader;
import io.linkwatch.streams.rules.RuleValidationException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;

/**
 * Drives the alert stage alone in a {@code TopologyTestDriver}: rules go to a compacted-topic
 * stand-in read into the global rule store (as the window engine does), window results are fed with
 * explicit event times, alerts are read back from the output topic.
 */
final class AlertStageHarness implements AutoCloseable {

  static final Instant T0 = Instant.parse("2026-03-02T08:00:00Z");

  private final TopologyTestDriver driver;
  private final TestInputTopic<String, AlertRule> rules;
  private final TestInputTopic<String, WindowResult> results;
  private final TestOutputTopic<String, Alert> alerts;
  private final Serde<Alert> alertSerde;
  private final Map<String, Integer> versions = new HashMap<>();
  private final Map<String, AlertRule> byId = new HashMap<>();

  AlertStageHarness() {
    this(AlertStageSettings.defaults());
  }

  AlertStageHarness(AlertStageSettings settings) {
    AvroSerdes serdes = AvroSerdes.singleObject();
    Serde<AlertRule> ruleSerde = serdes.valueSerde(AlertRule.class);
    alertSerde = serdes.valueSerde(Alert.class);
    StreamsBuilder builder = new StreamsBuilder();
    builder.globalTable(
        "rules",
        Consumed.with(Serdes.String(), ruleSerde).withName("rules-source"),
        Materialized.as(AlertStageSettings.RULE_STORE));
    KStream<String, WindowResult> in =
        builder.stream(
            "results",
            Consumed.with(Serdes.String(), new RefSerde<WindowResult>())
                .withName("results-source"));
    AlertStage.build(builder, in, settings)
        .to("alerts", Produced.with(Serdes.String(), alertSerde).withName("alerts-sink"));
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "alert-stage-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:9092");
    props.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
    try {
      props.put(
          StreamsConfig.STATE_DIR_CONFIG,
          java.nio.file.Files.createTempDirectory("alert-stage").toString());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    driver = new TopologyTestDriver(builder.build(props), props, T0);
    rules = driver.createInputTopic("rules", Serdes.String().serializer(), ruleSerde.serializer());
    results =
        driver.createInputTopic(
            "results", Serdes.String().serializer(), new RefSerde<WindowResult>().serializer());
    alerts =
        driver.createOutputTopic(
            "alerts", Serdes.String().deserializer(), alertSerde.deserializer());
  }

  /** Publishes a rule written in YAML, bumping its version as 'rules apply' would. */
  AlertRule rule(String yaml) {
    return rules(yaml).get(0);
  }

  /** Publishes rules that refer to each other (validated together, as 'rules apply' does). */
  List<AlertRule> rules(String... yamls) {
    Map<String, String> files = new java.util.LinkedHashMap<>();
    for (int i = 0; i < yamls.length; i++) {
      files.put("test" + i + ".yaml", yamls[i]);
    }
    try {
      List<AlertRule> published = RuleLoader.parse(files).alertRules();
      for (AlertRule rule : published) {
        rule.setVersion(versions.merge(rule.getId(), 1, Integer::sum));
        byId.put(rule.getId(), rule);
        rules.pipeInput(rule.getId(), rule);
      }
      return published;
    } catch (RuleValidationException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  void deleteRule(String id) {
    byId.remove(id);
    rules.pipeInput(id, null);
  }

  /** A closed window of a series: {@code minute} is the window end, in minutes after T0. */
  Result at(String ruleId, int minute) {
    return new Result(ruleId, minute);
  }

  final class Result {
    private final String ruleId;
    private final int minute;
    private final Map<String, String> dims = new HashMap<>();
    private int revision;
    private boolean hasData = true;
    private long count = -1;
    private long late;
    private Duration grace = Duration.ofSeconds(30);
    private final List<EvidenceEvent> samples = new ArrayList<>();

    Result(String ruleId, int minute) {
      this.ruleId = ruleId;
      this.minute = minute;
    }

    Result dim(String name, String value) {
      dims.put(name, value);
      return this;
    }

    Result revision(int n) {
      revision = n;
      return this;
    }

    Result count(long n) {
      count = n;
      return this;
    }

    Result late(long n) {
      late = n;
      return this;
    }

    /** How long after the window's end the engine closed it (its grace). */
    Result grace(Duration d) {
      grace = d;
      return this;
    }

    Result sample(String eventId, String summary) {
      samples.add(
          new EvidenceEvent(
              eventId,
              end().minusSeconds(30),
              "linkwatch.events.connections.v1",
              0,
              42L,
              summary,
              null));
      return this;
    }

    Instant end() {
      return T0.plus(Duration.ofMinutes(minute));
    }

    WindowResult result(double value) {
      AlertRule rule = byId.get(ruleId);
      long size = rule == null ? 60_000 : rule.getWindowSizeMs();
      int version = versions.getOrDefault(ruleId, 1);
      return new WindowResult(
          ruleId,
          version,
          dims,
          end().minusMillis(size),
          end(),
          hasData,
          hasData ? value : Double.NaN,
          count >= 0 ? count : (hasData ? (long) Math.max(1, value) : 0),
          late,
          revision,
          samples,
          List.of(new OffsetRange("linkwatch.events.connections.v1", 0, 40L, 42L, 3L)),
          List.of(),
          revision > 0 ? end().plus(grace).plusSeconds(60) : end().plus(grace));
    }

    void value(double value) {
      WindowResult r = result(value);
      results.pipeInput(r.seriesKey(), r, r.evaluatedAt());
    }

    void noData() {
      hasData = false;
      value(Double.NaN);
    }
  }

  /** Feeds one window per value, one minute apart, starting at {@code fromMinute}. */
  void values(String ruleId, int fromMinute, double... values) {
    for (int i = 0; i < values.length; i++) {
      at(ruleId, fromMinute + i).value(values[i]);
    }
  }

  List<Alert> alerts() {
    return alerts.readValuesToList();
  }

  void advanceWallClock(Duration d) {
    driver.advanceWallClockTime(d);
  }

  TopologyTestDriver driver() {
    return driver;
  }

  Serde<Alert> alertSerde() {
    return alertSerde;
  }

  @Override
  public void close() {
    driver.close();
  }
}
