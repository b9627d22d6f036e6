package io.linkwatch.ingest.cli;

import io.linkwatch.ingest.config.IngestConfig;
import io.linkwatch.ingest.config.KafkaClients;
import io.linkwatch.ingest.parse.AgentLogParser;
import io.linkwatch.ingest.parse.AzureLogParser;
import io.linkwatch.ingest.sink.IngestMetrics;
import io.linkwatch.ingest.sink.KafkaEventSink;
import io.linkwatch.ingest.sink.KafkaReadiness;
import io.linkwatch.schemas.cli.ClientOptions;
import io.linkwatch.schemas.config.CommonConfig;
import io.linkwatch.schemas.config.KnownKeys;
import io.linkwatch.schemas.serde.AvroSerdes;
import io.linkwatch.schemas.topic.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * What every ingest command wires the same way: settings (file, environment, {@code --set}, then
 * the command's own options), the typed topics, the meter registry, the parsers and the producer
 * behind a {@link KafkaEventSink}, after checking that the brokers answer and the topics exist.
 */
final class IngestRuntime implements AutoCloseable {

  final Map<String, String> settings;
  final IngestConfig config;
  final AvroSerdes serdes;
  final Topics topics;
  final MeterRegistry registry;
  private KafkaClientMetrics producerMetrics;
  private KafkaProducer<byte[], byte[]> producer;
  private volatile boolean ready;

  private IngestRuntime(Map<String, String> settings, MeterRegistry registry) {
    this.config = new IngestConfig(settings);
    Map<String, String> s = new LinkedHashMap<>(settings);
    // the default brokers are a setting of their own: every client gets them
    s.putIfAbsent(
        CommonConfig.BOOTSTRAP_SERVERS,
        String.join(",", config.getList(CommonConfig.BOOTSTRAP_SERVERS)));
    this.settings = Map.copyOf(s);
    this.serdes = CommonConfig.serdes(config);
    this.topics = CommonConfig.topics(config, serdes);
    this.registry = registry;
  }

  /**
   * @param client the shared Kafka options of the command
   * @param commandSettings settings the command's own options stand for (they win)
   * @throws org.apache.kafka.common.config.ConfigException naming a bad or unknown key
   */
  static IngestRuntime create(
      ClientOptions client, Map<String, String> commandSettings, MeterRegistry registry) {
    KnownKeys known = IngestConfig.knownKeys();
    Map<String, String> settings = new LinkedHashMap<>(client.settings(known));
    commandSettings.forEach(
        (k, v) -> {
          if (v != null) {
            settings.put(k, v);
          }
        });
    return new IngestRuntime(settings, registry);
  }

  /** For tests and embedding: settings given as a map. */
  static IngestRuntime of(Map<String, String> settings, MeterRegistry registry) {
    IngestConfig.knownKeys().rejectUnknown(settings, null);
    return new IngestRuntime(settings, registry);
  }

  AzureLogParser azureParser() {
    return new AzureLogParser(
        config.maxRecordBytes(), config.deadLetterMaxRawBytes(), System::currentTimeMillis);
  }

  AgentLogParser agentParser() {
    return new AgentLogParser(
        config.maxRecordBytes(), config.deadLetterMaxRawBytes(), System::currentTimeMillis);
  }

  /** The event topics a source writes. */
  List<String> eventTopics() {
    return List.of(
        topics.connections().name(),
        topics.provisioning().name(),
        topics.agent().name(),
        topics.ingestDeadLetter().name());
  }

  /** Waits for the brokers, checks the topics, and opens the producer. */
  KafkaEventSink openSink(String source, Map<String, Object> producerOverrides) {
    String clientId = "linkwatch-ingest-" + source;
    long retentionMs =
        KafkaReadiness.await(
            KafkaClients.admin(settings, clientId + "-admin"),
            eventTopics(),
            Duration.ofMillis(config.startupTimeoutMs()));
    Map<String, Object> props = KafkaClients.producer(settings, clientId);
    props.putAll(producerOverrides);
    producer = new KafkaProducer<>(props);
    ready = true;
    producerMetrics = new KafkaClientMetrics(producer);
    producerMetrics.bindTo(registry);
    Object max = props.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
    int maxRequest = max == null ? 1 << 20 : Integer.parseInt(max.toString());
    KafkaEventSink sink =
        new KafkaEventSink(producer, topics, new IngestMetrics(registry, source), maxRequest);
    sink.warnBeyondRetention(retentionMs);
    return sink;
  }

  /** The producer of the last sink opened (for transactions). */
  KafkaProducer<byte[], byte[]> producer() {
    return producer;
  }

  /** Whether a sink was opened: the brokers answered and the event topics exist. */
  boolean ready() {
    return ready;
  }

  @Override
  public void close() {
    if (producerMetrics != null) {
      producerMetrics.close();
    }
    serdes.close();
  }
}
