package io.linkwatch.streams.replay;

import io.linkwatch.avro.AlertRule;
import io.linkwatch.schemas.topic.Topic;
import io.linkwatch.schemas.topic.Topics;
import io.linkwatch.streams.LinkwatchTopology;
import io.linkwatch.streams.alert.WindowResult;
import io.linkwatch.streams.config.StreamsSettings;
import io.linkwatch.streams.metrics.PipelineMetrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyConfig;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.test.TestRecord;

/**
 * The live topology ({@link LinkwatchTopology}, with the alert stage in force) run in a {@link
 * TopologyTestDriver}: one thread, real RocksDB stores in a temporary folder, nothing written to
 * any cluster. Each input record is processed to completion through every stage, repartitions
 * included, before the next one, so the outputs are a function of the input order alone.
 *
 * <p>Input records keep their live topic names; their original partition and offset travel in a
 * header that {@link SourceCoordinates} turns back into the record metadata the correlators cite.
 * The mock wall clock never moves, so no wall-clock punctuation (idle close) runs. Outputs
 * (incidents, aggregates, alerts, the streams dead letters) and the window results the alert stage
 * evaluates go to a {@link Listener}; everything else the driver captures (changelogs,
 * repartitions) is dropped as it comes.
 */
final class ReplayDriver implements AutoCloseable {

  /** What the topology emitted. */
  enum Kind {
    INCIDENT,
    AGGREGATE,
    ALERT,
    DEAD_LETTER
  }

  /** Receives the outputs, in emission order. */
  interface Listener {
    void emitted(Kind kind, byte[] key, byte[] value, long timestamp);

    /** A window result handed to the alert stage (the value a rule judged). */
    default void result(WindowResult result) {}
  }

  private static final int DRAIN_EVERY = 256;

  private final TopologyTestDriver driver;
  private final Path stateDir;
  private final Listener listener;
  private final Map<String, TestInputTopic<byte[], byte[]>> inputs = new HashMap<>();
  private final TestInputTopic<String, AlertRule> rules;
  private final Map<String, Kind> outputTopics = new HashMap<>();
  private final Map<String, TestOutputTopic<byte[], byte[]>> captured = new HashMap<>();
  private final Thread cleanup;
  private int sinceDrain;

  /**
   * @param settings the streams settings of the live role
   * @param streamsProperties the Kafka Streams properties of the live role (its defaults applied)
   * @param topics the live topics (the driver reads and writes none of them)
   * @param deadLetterTopic where the streams error handlers write
   * @param start the driver's initial wall-clock time
   * @param listener receives the outputs
   */
  ReplayDriver(
      StreamsSettings settings,
      Properties streamsProperties,
      Topics topics,
      String deadLetterTopic,
      Instant start,
      Listener listener) {
    this.listener = listener;
    try {
      this.stateDir = Files.createTempDirectory("linkwatch-replay-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary state folder", e);
    }
    // Ctrl-C ends the JVM without running finally blocks: remove the state folder anyway
    this.cleanup = new Thread(() -> delete(stateDir), "linkwatch-replay-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
    Properties props = new Properties();
    props.putAll(streamsProperties);
    // isolation: a throwaway application id and state folder; nothing here reaches a broker
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "linkwatch-replay");
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    props.put(StreamsConfig.PROCESSOR_WRAPPER_CLASS_CONFIG, SourceCoordinates.class.getName());
    props.remove(StreamsConfig.APPLICATION_SERVER_CONFIG);
    LinkwatchTopology.AlertStageFactory alerts =
        (builder, results) ->
            LinkwatchTopology.defaultAlertStage()
                .build(
                    builder,
                    results.peek(
                        (k, r) -> {
                          if (!r.isTick()) {
                            listener.result(r);
                          }
                        },
                        Named.as("linkwatch-replay-results-tap")));
    this.driver =
        new TopologyTestDriver(
            LinkwatchTopology.build(
                settings,
                topics,
                PipelineMetrics.detached(),
                alerts,
                new TopologyConfig(new StreamsConfig(props))),
            props,
            start);
    for (Topic<String, ?> t :
        List.of(topics.connections(), topics.provisioning(), topics.agent())) {
      inputs.put(
          t.name(),
          driver.createInputTopic(t.name(), new ByteArraySerializer(), new ByteArraySerializer()));
    }
    Topic<String, AlertRule> r = topics.alertRules();
    this.rules =
        driver.createInputTopic(r.name(), r.keySerde().serializer(), r.valueSerde().serializer());
    outputTopics.put(topics.incidents().name(), Kind.INCIDENT);
    outputTopics.put(topics.aggregates().name(), Kind.AGGREGATE);
    outputTopics.put(topics.alerts().name(), Kind.ALERT);
    outputTopics.put(deadLetterTopic, Kind.DEAD_LETTER);
  }

  /** Publishes a rule version (or deletes the rule when {@code rule} is null) at {@code time}. */
  void rule(String id, AlertRule rule, long time) {
    rules.pipeInput(new TestRecord<>(id, rule, Instant.ofEpochMilli(time)));
    drain();
  }

  /** Processes one input record, stamped with its original coordinates. */
  void pipe(RangeReader.Source s) {
    TestInputTopic<byte[], byte[]> input = inputs.get(s.topic());
    if (input == null) {
      throw new IllegalArgumentException("not an input topic of the topology: " + s.topic());
    }
    RecordHeaders headers = new RecordHeaders();
    headers.add(SourceCoordinates.HEADER, SourceCoordinates.encode(s.partition(), s.offset()));
    input.pipeInput(
        new TestRecord<>(s.key(), s.value(), headers, Instant.ofEpochMilli(s.timestamp())));
    if (++sinceDrain >= DRAIN_EVERY) {
      drain();
    }
  }

  /**
   * Hands the captured outputs to the listener and drops the rest (changelogs, repartitions), so
   * that the driver's memory stays bounded.
   */
  void drain() {
    sinceDrain = 0;
    for (String name : driver.producedTopicNames()) {
      TestOutputTopic<byte[], byte[]> out =
          captured.computeIfAbsent(
              name,
              n ->
                  driver.createOutputTopic(
                      n, new ByteArrayDeserializer(), new ByteArrayDeserializer()));
      if (out.isEmpty()) {
        continue;
      }
      Kind kind = outputTopics.get(name);
      Consumer<TestRecord<byte[], byte[]>> sink =
          kind == null ? r -> {} : r -> listener.emitted(kind, r.key(), r.value(), r.timestamp());
      out.readRecordsToList().forEach(sink);
    }
  }

  @Override
  public void close() {
    try {
      drain();
      driver.close();
    } finally {
      delete(stateDir);
      try {
        Runtime.getRuntime().removeShutdownHook(cleanup);
      } catch (IllegalStateException shuttingDown) {
        // the hook runs (or ran) anyway
      }
    }
  }

  private static void delete(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(java.io.File::delete);
    } catch (IOException | UncheckedIOException e) {
      // a temporary folder left behind is harmless; the OS cleans it
    }
  }
}
