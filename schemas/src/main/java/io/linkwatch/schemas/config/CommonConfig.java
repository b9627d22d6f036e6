package io.linkwatch.schemas.config;

import io.linkwatch.schemas.serde.AvroSerdes;
import io.linkwatch.schemas.serde.SchemaRegistryClient;
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
    defineSchemaRegistry(def);
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

  /** The schema registry client's keys, with Confluent's names so existing files work. */
  private static void defineSchemaRegistry(ConfigDef def) {
    String group = "Schema registry";
    int order = 1;
    def.define(
        AvroSerdes.AUTO_REGISTER_SCHEMAS,
        Type.BOOLEAN,
        true,
        Importance.LOW,
        "Whether writers register their schema under <topic>-value on first use; when false the"
            + " schema must be registered already (the subject's latest version, or this exact"
            + " schema).",
        group,
        order++,
        ConfigDef.Width.SHORT,
        "Auto-register schemas");
    def.define(
        SchemaRegistryClient.BASIC_AUTH_SOURCE,
        Type.STRING,
        "USER_INFO",
        ConfigDef.ValidString.in("USER_INFO", "URL"),
        Importance.LOW,
        "Where the registry credentials come from: USER_INFO (basic.auth.user.info) or URL"
            + " (http://user:password@host).",
        group,
        order++,
        ConfigDef.Width.SHORT,
        "Basic auth source");
    def.define(
        SchemaRegistryClient.BASIC_AUTH_USER_INFO,
        Type.PASSWORD,
        null,
        Importance.LOW,
        "user:password for the registry's basic authentication.",
        group,
        order++,
        ConfigDef.Width.MEDIUM,
        "Basic auth user info");
    def.define(
        SchemaRegistryClient.REQUEST_TIMEOUT_MS,
        Type.LONG,
        10_000L,
        ConfigDef.Range.atLeast(1),
        Importance.LOW,
        "Timeout of one request to the registry; 5xx and unreachable registries are retried"
            + " three times with backoff, across the URLs of schema.registry.url.",
        group,
        order++,
        ConfigDef.Width.SHORT,
        "Registry request timeout");
    for (String key :
        new String[] {
          SchemaRegistryClient.TRUSTSTORE_LOCATION,
          SchemaRegistryClient.TRUSTSTORE_TYPE,
          SchemaRegistryClient.KEYSTORE_LOCATION,
          SchemaRegistryClient.KEYSTORE_TYPE
        }) {
      def.define(
          key,
          Type.STRING,
          null,
          Importance.LOW,
          "TLS to the registry: " + key.substring("schema.registry.ssl.".length()) + ".",
          group,
          order++,
          ConfigDef.Width.MEDIUM,
          key);
    }
    for (String key :
        new String[] {
          SchemaRegistryClient.TRUSTSTORE_PASSWORD,
          SchemaRegistryClient.KEYSTORE_PASSWORD,
          SchemaRegistryClient.KEY_PASSWORD
        }) {
      def.define(
          key,
          Type.PASSWORD,
          null,
          Importance.LOW,
          "TLS to the registry: " + key.substring("schema.registry.ssl.".length()) + ".",
          group,
          order++,
          ConfigDef.Width.MEDIUM,
          key);
    }
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
