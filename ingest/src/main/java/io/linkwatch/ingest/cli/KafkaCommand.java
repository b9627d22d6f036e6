package io.linkwatch.ingest.cli;

import io.linkwatch.ingest.config.IngestConfig;
import io.linkwatch.ingest.config.KafkaClients;
import io.linkwatch.ingest.sink.KafkaEventSink;
import io.linkwatch.ingest.source.LocalHost;
import io.linkwatch.ingest.source.Progress;
import io.linkwatch.ingest.source.Summary;
import io.linkwatch.ingest.source.kafka.KafkaSource;
import io.linkwatch.schemas.cli.ClusterCheck;
import io.linkwatch.schemas.cli.DurationConverter;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code linkwatch ingest kafka}: the Event Hubs / Kafka-protocol source. */
@Command(
    name = "kafka",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Consume the raw diagnostic-settings export from Kafka topics (Azure Event Hubs speaks the"
          + " Kafka protocol) and put the parsed records on the event topics.",
      "",
      "Each message may hold a {\"records\":[...]} envelope, PT1H lines or Log Analytics rows;"
          + " messages that start with time=\"...\" are Arc agent log lines, keyed by machine.",
      "",
      "Exactly once (one Kafka transaction per poll, offsets included) when the raw topics are"
          + " on the cluster of the event topics; at least once, with stable event ids, when"
          + " consumer.bootstrap.servers names another cluster such as Event Hubs."
    },
    footer = {
      "",
      "Event Hubs: set consumer.bootstrap.servers=<namespace>.servicebus.windows.net:9093,"
          + " consumer.security.protocol=SASL_SSL, consumer.sasl.mechanism=PLAIN and"
          + " consumer.sasl.jaas.config=...username=\"$ConnectionString\" password=\"<connection"
          + " string>\"; in --config or with --set. Every Kafka client setting passes through.",
      "",
      "Examples:",
      "  linkwatch ingest kafka -b localhost:9092",
      "  linkwatch ingest kafka --topic insights-logs-connections --group lw-ingest -c eventhubs.properties"
    })
final class KafkaCommand extends SourceCommand {

  private static final Logger LOG = LoggerFactory.getLogger(KafkaCommand.class);

  @Option(
      names = {"-t", "--topic"},
      paramLabel = "TOPIC",
      split = ",",
      description = "Raw topic(s) to read (repeatable; default: ingest.kafka.topic.pattern).")
  List<String> topics = new ArrayList<>();

  @Option(
      names = "--pattern",
      paramLabel = "REGEX",
      description = "Read the topics matching this pattern (ingest.kafka.topic.pattern).")
  String pattern;

  @Option(
      names = {"-g", "--group"},
      paramLabel = "ID",
      description = "Consumer group (ingest.kafka.group.id).")
  String group;

  @Option(
      names = "--exactly-once",
      negatable = true,
      description = "One transaction per poll (ingest.kafka.exactly.once; default: true).")
  Boolean exactlyOnce;

  @Option(
      names = "--idle-timeout",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Stop after this long without a record (default: run until stopped).")
  Duration idleTimeout;

  @Override
  Map<String, String> commandSettings() {
    Map<String, String> s = new HashMap<>();
    if (!topics.isEmpty()) {
      s.put(IngestConfig.KAFKA_TOPICS, String.join(",", topics));
    }
    s.put(IngestConfig.KAFKA_TOPIC_PATTERN, pattern);
    s.put(IngestConfig.KAFKA_GROUP_ID, group);
    s.put(IngestConfig.KAFKA_EXACTLY_ONCE, exactlyOnce == null ? null : exactlyOnce.toString());
    return s;
  }

  @Override
  int run(IngestRuntime rt) {
    IngestConfig c = rt.config;
    String groupId = c.getString(IngestConfig.KAFKA_GROUP_ID);
    Pattern topicPattern;
    try {
      topicPattern = Pattern.compile(c.getString(IngestConfig.KAFKA_TOPIC_PATTERN));
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException(
          IngestConfig.KAFKA_TOPIC_PATTERN + " is not a regular expression: " + e.getDescription());
    }
    Map<String, Object> consumerProps =
        KafkaClients.consumer(rt.settings, groupId, "linkwatch-ingest-kafka");
    Map<String, Object> producerProps = KafkaClients.producer(rt.settings, "x");
    boolean sameCluster =
        Objects.equals(
            String.valueOf(consumerProps.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)),
            String.valueOf(producerProps.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)));
    boolean eos = c.getBoolean(IngestConfig.KAFKA_EXACTLY_ONCE);
    if (eos && !sameCluster) {
      LOG.warn(
          "the raw topics are on another cluster ({}) than the event topics: a transaction cannot"
              + " span two clusters, so this source runs at least once (repeats keep their event"
              + " ids and the topology drops them)",
          consumerProps.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG));
      eos = false;
    }
    if (!sameCluster) {
      Map<String, Object> sourceAdmin = new HashMap<>(consumerProps);
      sourceAdmin
          .keySet()
          .retainAll(org.apache.kafka.clients.admin.AdminClientConfig.configNames());
      ClusterCheck.awaitReachable(sourceAdmin, Duration.ofMillis(c.startupTimeoutMs()), LOG::warn);
    }
    Map<String, Object> overrides = new HashMap<>();
    if (eos) {
      String txId = c.getString(IngestConfig.KAFKA_TRANSACTIONAL_ID);
      overrides.put(
          ProducerConfig.TRANSACTIONAL_ID_CONFIG,
          txId.isBlank() ? groupId + "-" + LocalHost.name() : txId);
    }
    PrintWriter out = spec.commandLine().getOut();
    KafkaSource.Options options =
        new KafkaSource.Options(
            c.getList(IngestConfig.KAFKA_TOPICS),
            topicPattern,
            eos,
            Duration.ofMillis(c.getLong(IngestConfig.KAFKA_POLL_MS)),
            idleTimeout);
    try (KafkaEventSink sink = rt.openSink("kafka", overrides);
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps);
        KafkaClientMetrics consumerMetrics = new KafkaClientMetrics(consumer);
        Progress progress = Progress.log("ingest kafka", Duration.ofSeconds(30))) {
      consumerMetrics.bindTo(rt.registry);
      KafkaSource source =
          new KafkaSource(
              options,
              consumer,
              rt.producer(),
              sink,
              rt.azureParser(),
              rt.agentParser(),
              c.deadLetterMaxRawBytes(),
              progress);
      Summary summary = source.run(this::stopRequested);
      out.print(summary.describe("message(s)"));
      out.println(eos ? "  exactly once (transactions)" : "  at least once");
      out.flush();
    }
    return 0;
  }
}
