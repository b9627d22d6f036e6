package io.linkwatch.schemas.topic;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.TopicConfig;

/**
 * The topics of one linkwatch deployment as they should exist on the cluster (DESIGN.md, "Topics"):
 * name, partitions, replication factor and the topic configs each {@link TopicRole} asks for
 * (delete with a retention, or compact). {@link TopicPlanApplier} makes a cluster match it.
 *
 * <p>Built from configuration ({@link #define(ConfigDef)} declares the keys, {@link
 * #from(AbstractConfig)} reads them) or directly with {@link #builder()} in tests.
 */
public final class TopicPlan {

  public static final String PARTITIONS = "topics.partitions";
  public static final String REPLICATION_FACTOR = "topics.replication.factor";
  public static final String MIN_INSYNC_REPLICAS = "topics.min.insync.replicas";

  public static final int DEFAULT_PARTITIONS = 6;

  /** The replication factor that means "the broker's {@code default.replication.factor}". */
  public static final short BROKER_DEFAULT = -1;

  private static final String GROUP = "Topic plan";

  private final List<TopicSpec> topics;
  private final int minInsyncReplicas;

  private TopicPlan(List<TopicSpec> topics, int minInsyncReplicas) {
    this.topics = List.copyOf(topics);
    this.minInsyncReplicas = minInsyncReplicas;
  }

  /**
   * One topic of the plan.
   *
   * @param role what the topic holds
   * @param name its name on the cluster
   * @param partitions partition count
   * @param replicationFactor replication factor, or {@link #BROKER_DEFAULT}
   * @param configs topic configs the plan sets (cleanup policy, retention); {@code
   *     min.insync.replicas} is added by {@link #configsFor(int)} once the replication factor is
   *     known
   */
  public record TopicSpec(
      TopicRole role,
      String name,
      int partitions,
      short replicationFactor,
      Map<String, String> configs) {

    public TopicSpec {
      Objects.requireNonNull(role, "role");
      Objects.requireNonNull(name, "name");
      configs = Collections.unmodifiableMap(new LinkedHashMap<>(configs));
      if (partitions < 1) {
        throw new IllegalArgumentException("partitions must be at least 1: " + partitions);
      }
      if (replicationFactor == 0 || replicationFactor < BROKER_DEFAULT) {
        throw new IllegalArgumentException(
            "replication factor must be positive or -1 (broker default): " + replicationFactor);
      }
    }

    /** The replication factor asked for, empty when the broker's default applies. */
    public Optional<Short> explicitReplicationFactor() {
      return replicationFactor == BROKER_DEFAULT
          ? Optional.empty()
          : Optional.of(replicationFactor);
    }
  }

  /** Adds the topic plan keys (partitions, replication, per-topic overrides) to a definition. */
  public static ConfigDef define(ConfigDef def) {
    int order = 1;
    def.define(
        PARTITIONS,
        Type.INT,
        DEFAULT_PARTITIONS,
        ConfigDef.Range.atLeast(1),
        Importance.MEDIUM,
        "Partitions of each linkwatch topic (the upper bound of parallel instances of each role)."
            + " Kafka cannot decrease a topic's partitions: 'topics apply' refuses to.",
        GROUP,
        order++,
        ConfigDef.Width.SHORT,
        "Partitions");
    def.define(
        REPLICATION_FACTOR,
        Type.SHORT,
        BROKER_DEFAULT,
        (name, value) -> {
          short rf = (Short) value;
          if (rf == 0 || rf < BROKER_DEFAULT) {
            throw new ConfigException(name, value, "must be a positive number, or -1");
          }
        },
        Importance.MEDIUM,
        "Replication factor of each linkwatch topic; -1 uses the broker's"
            + " default.replication.factor. Use 3 on a production cluster.",
        GROUP,
        order++,
        ConfigDef.Width.SHORT,
        "Replication factor");
    def.define(
        MIN_INSYNC_REPLICAS,
        Type.INT,
        -1,
        ConfigDef.Range.atLeast(-1),
        Importance.LOW,
        "min.insync.replicas of each linkwatch topic; -1 sets 2 when the replication factor is 3"
            + " or more (so that acks=all survives one broker down without losing data), and"
            + " leaves the broker default otherwise.",
        GROUP,
        order++,
        ConfigDef.Width.SHORT,
        "Min in-sync replicas");
    for (TopicRole role : TopicRole.values()) {
      def.define(
          partitionsKey(role),
          Type.INT,
          null,
          (name, value) -> {
            if (value != null && (Integer) value < 1) {
              throw new ConfigException(name, value, "must be at least 1");
            }
          },
          Importance.LOW,
          "Partitions of the " + role.configKey() + " topic, over " + PARTITIONS + ".",
          GROUP,
          order++,
          ConfigDef.Width.SHORT,
          partitionsKey(role));
      if (!role.compacted()) {
        def.define(
            retentionKey(role),
            Type.LONG,
            role.retention().toMillis(),
            ConfigDef.Range.atLeast(-1),
            Importance.LOW,
            "retention.ms of the " + role.configKey() + " topic (-1: keep forever).",
            GROUP,
            order++,
            ConfigDef.Width.SHORT,
            retentionKey(role));
      }
    }
    return def;
  }

  /** The key that overrides the partitions of one topic, e.g. {@code topics.alerts.partitions}. */
  public static String partitionsKey(TopicRole role) {
    return role.configKey() + ".partitions";
  }

  /** The key that sets the retention of one topic, e.g. {@code topics.alerts.retention.ms}. */
  public static String retentionKey(TopicRole role) {
    return role.configKey() + ".retention.ms";
  }

  /**
   * Reads the plan from a config whose definition includes {@link #define(ConfigDef)} and the topic
   * names of {@link io.linkwatch.schemas.config.CommonConfig}.
   */
  public static TopicPlan from(AbstractConfig config) {
    Builder builder =
        builder()
            .partitions(config.getInt(PARTITIONS))
            .replicationFactor(config.getShort(REPLICATION_FACTOR))
            .minInsyncReplicas(config.getInt(MIN_INSYNC_REPLICAS));
    for (TopicRole role : TopicRole.values()) {
      builder.name(role, config.getString(role.configKey()));
      Integer partitions = config.getInt(partitionsKey(role));
      if (partitions != null) {
        builder.partitions(role, partitions);
      }
      if (!role.compacted()) {
        builder.retentionMs(role, config.getLong(retentionKey(role)));
      }
    }
    return builder.build();
  }

  /** A plan with every default (names, 6 partitions, broker-default replication). */
  public static TopicPlan defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Every topic of the plan, in {@link TopicRole} order. */
  public List<TopicSpec> topics() {
    return topics;
  }

  public TopicSpec topic(TopicRole role) {
    return topics.stream()
        .filter(t -> t.role() == role)
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no topic for " + role));
  }

  /** The topic names, per role. */
  public Map<TopicRole, String> names() {
    Map<TopicRole, String> names = new EnumMap<>(TopicRole.class);
    topics.forEach(t -> names.put(t.role(), t.name()));
    return names;
  }

  /**
   * The configs a topic should have on a cluster where its replication factor is {@code
   * replicationFactor}: the plan's configs plus {@code min.insync.replicas}.
   */
  public Map<String, String> configsFor(TopicSpec topic, int replicationFactor) {
    Map<String, String> configs = new LinkedHashMap<>(topic.configs());
    int minIsr = minInsyncReplicas;
    if (minIsr == -1 && replicationFactor >= 3) {
      minIsr = 2;
    }
    if (minIsr > 0) {
      if (minIsr > replicationFactor) {
        throw new ConfigException(
            MIN_INSYNC_REPLICAS,
            minIsr,
            "is more than the replication factor " + replicationFactor + " of " + topic.name());
      }
      configs.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(minIsr));
    }
    return configs;
  }

  /** The topic as an admin request, on a cluster whose default replication factor is known. */
  public NewTopic newTopic(TopicSpec topic, int effectiveReplicationFactor) {
    return new NewTopic(
            topic.name(), Optional.of(topic.partitions()), topic.explicitReplicationFactor())
        .configs(configsFor(topic, effectiveReplicationFactor));
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("TopicPlan[");
    for (TopicSpec t : topics) {
      s.append(t.name()).append(" p=").append(t.partitions()).append(' ').append(t.configs());
      s.append("; ");
    }
    return s.append(']').toString();
  }

  /** Builds a plan; every setting starts at its default. */
  public static final class Builder {
    private final Map<TopicRole, String> names = new EnumMap<>(TopicRole.class);
    private final Map<TopicRole, Integer> partitionsPerRole = new EnumMap<>(TopicRole.class);
    private final Map<TopicRole, Long> retentionPerRole = new EnumMap<>(TopicRole.class);
    private int partitions = DEFAULT_PARTITIONS;
    private short replicationFactor = BROKER_DEFAULT;
    private int minInsyncReplicas = -1;

    private Builder() {}

    public Builder partitions(int partitions) {
      this.partitions = partitions;
      return this;
    }

    public Builder partitions(TopicRole role, int partitions) {
      partitionsPerRole.put(role, partitions);
      return this;
    }

    public Builder replicationFactor(short replicationFactor) {
      this.replicationFactor = replicationFactor;
      return this;
    }

    public Builder minInsyncReplicas(int minInsyncReplicas) {
      this.minInsyncReplicas = minInsyncReplicas;
      return this;
    }

    public Builder name(TopicRole role, String name) {
      names.put(role, name);
      return this;
    }

    /** Renames every topic with a prefix, e.g. to isolate the tests of one class. */
    public Builder namePrefix(String prefix) {
      for (TopicRole role : TopicRole.values()) {
        names.put(role, prefix + names.getOrDefault(role, role.defaultName()));
      }
      return this;
    }

    public Builder names(Map<TopicRole, String> names) {
      this.names.putAll(names);
      return this;
    }

    public Builder retentionMs(TopicRole role, long retentionMs) {
      if (role.compacted()) {
        throw new IllegalArgumentException(role + " is compacted: it has no retention");
      }
      retentionPerRole.put(role, retentionMs);
      return this;
    }

    public TopicPlan build() {
      List<TopicSpec> topics = new ArrayList<>();
      for (TopicRole role : TopicRole.values()) {
        Map<String, String> configs = new LinkedHashMap<>();
        if (role.compacted()) {
          configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
        } else {
          configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE);
          long retention = retentionPerRole.getOrDefault(role, role.retention().toMillis());
          configs.put(TopicConfig.RETENTION_MS_CONFIG, Long.toString(retention));
        }
        topics.add(
            new TopicSpec(
                role,
                names.getOrDefault(role, role.defaultName()),
                partitionsPerRole.getOrDefault(role, partitions),
                replicationFactor,
                configs));
      }
      // two roles may share a topic only when they hold the same records (e.g. one dead-letter
      // topic for ingest and sink); anything else would mix types on one topic
      Map<String, TopicSpec> byName = new LinkedHashMap<>();
      for (TopicSpec t : topics) {
        TopicSpec other = byName.putIfAbsent(t.name(), t);
        if (other != null && other.role().valueType() != t.role().valueType()) {
          throw new ConfigException(
              other.role().configKey(),
              t.name(),
              "is also the name of "
                  + t.role().configKey()
                  + ", which holds "
                  + t.role().valueType().getSimpleName()
                  + " records, not "
                  + other.role().valueType().getSimpleName());
        }
      }
      return new TopicPlan(topics, minInsyncReplicas);
    }
  }
}
