package io.linkwatch.deploy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.linkwatch.schemas.cli.ClientOptions;
import io.linkwatch.schemas.cli.DurationConverter;
import io.linkwatch.schemas.config.CommonConfig;
import io.linkwatch.schemas.json.AvroJson;
import io.linkwatch.schemas.serde.AvroSerdes;
import io.linkwatch.schemas.topic.TopicRole;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code linkwatch tail}: the records of a topic as JSON lines, Avro decoded, for operators and
 * tests. Reads without a consumer group (commits nothing) and only committed transactions.
 */
@Command(
    name = "tail",
    description = {
      "Print the records of a topic, one JSON object per line:"
          + " {\"topic\",\"partition\",\"offset\",\"timestamp\",\"key\",\"headers\",\"value\"},"
          + " the Avro value as plain JSON with ISO-8601 times. Follows new records until Ctrl-C,"
          + " --max or --timeout.",
      ""
    },
    footer = {
      "",
      "TOPIC is a topic name or one of: connections, provisioning, agent, ingest-deadletter,"
          + " alert-rules, incidents, aggregates, alerts, sink-deadletter (renamed by topics.*"
          + " settings). Other topics print their values as text.",
      ExitCode.HELP
    })
final class TailCommand implements Callable<Integer> {

  /** How the records are printed. */
  enum Format {
    /** pretty on a terminal, json otherwise */
    AUTO,
    /** one JSON object per line */
    JSON,
    /** a header line and the value indented, for people */
    PRETTY
  }

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  @Spec private CommandSpec spec;
  @Mixin private ClientOptions client;

  @Parameters(paramLabel = "TOPIC", description = "Topic name or role (see below).")
  private String topic;

  @Option(
      names = {"-f", "--from-beginning"},
      description = "Start at the oldest record (default: only records that arrive from now).")
  private boolean fromBeginning;

  @Option(
      names = {"-n", "--max"},
      paramLabel = "N",
      description = "Stop after N records.")
  private Long max;

  @Option(
      names = {"-t", "--timeout"},
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Stop when no record has arrived for this long (e.g. 10s, 2m).")
  private Duration timeout;

  @Option(
      names = "--format",
      defaultValue = "auto",
      description = "auto, json or pretty (default: ${DEFAULT-VALUE}: pretty on a terminal).")
  private Format format;

  private volatile boolean stopping;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (max != null && max < 1) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "--max must be at least 1, not " + max);
    }
    CommonSettings settings = CommonSettings.load(client);
    Map<TopicRole, String> names = CommonConfig.topicNames(settings.config());
    TopicRole role = roleOf(topic, names);
    String topicName = role == null ? topic : names.get(role);
    boolean pretty = format == Format.PRETTY || format == Format.AUTO && System.console() != null;
    settings.awaitCluster(err);

    Deserializer<?> values = null;
    AvroSerdes serdes = null;
    if (role != null) {
      serdes = CommonConfig.serdes(settings.config());
      values = serdes.valueSerde(role.valueType()).deserializer();
    }

    Map<String, Object> config = settings.consumer();
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.remove(ConsumerConfig.GROUP_ID_CONFIG);
    config.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "linkwatch-tail");

    long printed = 0;
    long undecodable = 0;
    CountDownLatch done = new CountDownLatch(1);
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      Thread hook =
          new Thread(
              () -> {
                stopping = true;
                consumer.wakeup();
                try {
                  done.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              },
              "linkwatch-tail-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      try {
        List<PartitionInfo> partitions = consumer.partitionsFor(topicName, Duration.ofSeconds(30));
        if (partitions == null || partitions.isEmpty()) {
          err.println(
              "tail: topic "
                  + topicName
                  + " does not exist on "
                  + settings.bootstrapServers()
                  + (role != null
                      ? " (create the linkwatch topics with 'linkwatch topics apply')"
                      : ""));
          return ExitCode.FAILED;
        }
        List<TopicPartition> assigned =
            partitions.stream().map(p -> new TopicPartition(topicName, p.partition())).toList();
        consumer.assign(assigned);
        if (fromBeginning) {
          consumer.seekToBeginning(assigned);
        } else {
          consumer.seekToEnd(assigned);
          assigned.forEach(consumer::position); // pin "now" before the first poll
        }
        long lastRecord = System.nanoTime();
        while (!stopping && (max == null || printed < max)) {
          var records = consumer.poll(Duration.ofMillis(200));
          for (ConsumerRecord<byte[], byte[]> r : records) {
            if (max != null && printed >= max) {
              break;
            }
            Object value;
            try {
              value = values == null ? null : values.deserialize(r.topic(), r.headers(), r.value());
            } catch (RuntimeException e) {
              undecodable++;
              err.println(
                  "tail: "
                      + r.topic()
                      + "-"
                      + r.partition()
                      + "@"
                      + r.offset()
                      + " cannot be decoded as "
                      + role.valueType().getSimpleName()
                      + ": "
                      + e.getMessage());
              continue;
            }
            print(out, r, role, value, pretty);
            printed++;
          }
          if (!records.isEmpty()) {
            lastRecord = System.nanoTime();
          } else if (timeout != null && System.nanoTime() - lastRecord >= timeout.toNanos()) {
            break;
          }
        }
      } catch (WakeupException e) {
        // Ctrl-C: stop quietly after what was printed
      } finally {
        if (serdes != null) {
          serdes.close();
        }
        if (!stopping) {
          Runtime.getRuntime().removeShutdownHook(hook);
        }
      }
    } finally {
      done.countDown();
    }
    if (pretty || undecodable > 0) {
      err.println(
          "tail: "
              + printed
              + (printed == 1 ? " record" : " records")
              + " from "
              + topicName
              + (undecodable > 0 ? ", " + undecodable + " could not be decoded" : ""));
    }
    return undecodable > 0 ? ExitCode.FAILED : ExitCode.OK;
  }

  /** The role a TOPIC argument names: a role alias or the configured name of a role's topic. */
  static TopicRole roleOf(String topic, Map<TopicRole, String> names) {
    String alias = topic.toLowerCase(Locale.ROOT);
    for (TopicRole role : TopicRole.values()) {
      if (role.configKey().substring("topics.".length()).equals(alias)) {
        return role;
      }
    }
    if (alias.equals("rules")) {
      return TopicRole.ALERT_RULES;
    }
    for (TopicRole role : TopicRole.values()) {
      if (names.get(role).equals(topic)) {
        return role;
      }
    }
    return null;
  }

  private void print(
      PrintWriter out,
      ConsumerRecord<byte[], byte[]> r,
      TopicRole role,
      Object value,
      boolean pretty) {
    JsonNode valueJson;
    if (r.value() == null) {
      valueJson = NODES.nullNode();
    } else if (role == null) {
      valueJson = NODES.textNode(new String(r.value(), StandardCharsets.UTF_8));
    } else {
      valueJson = AvroJson.toJson(value);
    }
    String key = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
    String time = Instant.ofEpochMilli(r.timestamp()).toString();
    try {
      if (pretty) {
        out.printf("── %s-%d@%d  %s  key=%s%n", r.topic(), r.partition(), r.offset(), time, key);
        out.println(MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(valueJson));
      } else {
        ObjectNode line = NODES.objectNode();
        line.put("topic", r.topic());
        line.put("partition", r.partition());
        line.put("offset", r.offset());
        line.put("timestamp", time);
        line.put("key", key);
        Map<String, String> headers = new LinkedHashMap<>();
        for (Header h : r.headers()) {
          headers.put(
              h.key(), h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8));
        }
        if (!headers.isEmpty()) {
          ObjectNode h = line.putObject("headers");
          headers.forEach(h::put);
        }
        line.set("value", valueJson);
        out.println(MAPPER.writeValueAsString(line));
      }
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON", e);
    }
    out.flush();
  }
}
