package io.linkwatch.schemas.config;

import io.linkwatch.schemas.serde.AvroSerdes;
import io.linkwatch.schemas.topic.TopicPlan;
import io.linkwatch.schemas.topic.TopicRole;
import io.linkwatch.schemas.topic.Topics;
import java.util.EnumMap;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * The keys every linkwatch role shares: where the cluster is, the topic names and the schema
 * registry. Each role's own config ({@code IngestConfig}, {@code StreamsAppConfig}, ...) starts
 * from {@link #define(ConfigDef)} and adds its keys.
 */
public final class CommonConfig {

  public static final String BOOTSTRAP_SERVERS = CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG;
  public static final String DEFAULT_BOOTSTRAP_SERVERS = "127.0.0.1:9092";

  /** How long a command waits for the cluster to answer before it gives up. */
  public static final String KAFKA_WAIT_TIMEOUT_MS = "kafka.wait.timeout.ms";

  private static final String GROUP_TOPICS = "Topics";
  private static final String GROUP_KAFKA = "Kafka";

  private CommonConfig() {}

  /** Adds the common keys to a role's definition and returns it. */
  public static ConfigDef define(ConfigDef def) {
    def.define(
        BOOTSTRAP_SERVERS,
        Type.LIST,
        DEFAULT_BOOTSTRAP_SERVERS,
        Importance.HIGH,
        "Kafka brokers to connect to (host:port, comma-separated). Every other Kafka client setting"
            + " (security.protocol, sasl.*, ssl.*, ...) passes through unchanged.",
        GROUP_KAFKA,
        1,
        ConfigDef.Width.LONG,
        "Bootstrap servers");
    def.define(
        KAFKA_WAIT_TIMEOUT_MS,
        Type.LONG,
        30_000L,
        ConfigDef.Range.atLeast(0),
        Importance.LOW,
        "How long a command waits for the Kafka cluster to answer at start before it gives up"
            + " with one line naming the brokers (exit code 3).",
        GROUP_KAFKA,
        3,
        ConfigDef.Width.SHORT,
        "Kafka wait timeout");
    def.define(
        AvroSerdes.SCHEMA_REGISTRY_URL,
        Type.STRING,
        "",
        Importance.MEDIUM,
        "Schema registry URL (Confluent Schema Registry API: Confluent, Apicurio, Karapace,"
            + " Redpanda). When set, values use the Confluent wire format and schemas are"
            + " registered under <topic>-value; when empty, values use Avro single-object encoding"
            + " and need no server.",
        GROUP_KAFKA,
        2,
        ConfigDef.Width.LONG,
        "Schema registry URL");
    int order = 1;
    for (TopicRole role : TopicRole.values()) {
      def.define(
          role.configKey(),
          Type.STRING,
          role.defaultName(),
          new ConfigDef.NonEmptyStringWithoutControlChars(),
          Importance.LOW,
          "Name of the topic of "
              + role.valueType().getSimpleName()
              + " records (key: "
              + role.keyDescription()
              + ").",
          GROUP_TOPICS,
          order++,
          ConfigDef.Width.LONG,
          role.configKey());
    }
    // the plan's keys are common so that one properties file serves every role and `topics apply`
    TopicPlan.define(def);
    return def;
  }

  /** The topic names of a parsed config. */
  public static Map<TopicRole, String> topicNames(AbstractConfig config) {
    Map<TopicRole, String> names = new EnumMap<>(TopicRole.class);
    for (TopicRole role : TopicRole.values()) {
      names.put(role, config.getString(role.configKey()));
    }
    return names;
  }

  /** The serde factory a parsed config asks for. */
  public static AvroSerdes serdes(AbstractConfig config) {
    return AvroSerdes.fromConfig(config.originals());
  }

  /** The topic plan (names, partitions, replication, retention) of a parsed config. */
  public static TopicPlan topicPlan(AbstractConfig config) {
    return TopicPlan.from(config);
  }

  /** The typed topics of a parsed config. */
  public static Topics topics(AbstractConfig config, AvroSerdes serdes) {
    return Topics.create(topicNames(config), serdes);
  }
}
