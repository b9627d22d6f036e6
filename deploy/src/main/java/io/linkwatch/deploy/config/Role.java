package io.linkwatch.deploy.config;

import io.linkwatch.ingest.config.IngestConfig;
import io.linkwatch.schemas.config.CommonConfig;
import io.linkwatch.schemas.config.KnownKeys;
import io.linkwatch.sink.config.SinkConfig;
import io.linkwatch.sink.routing.RoutingPlanParser;
import io.linkwatch.streams.config.StreamsAppConfig;
import io.linkwatch.streams.config.StreamsSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The deployable roles and the settings each accepts, from the {@link ConfigDef} each role declares
 * in its own module: the one list that {@code config check}, the generated configuration reference
 * and the manifest tests read, so that none of them keeps a copy of a key.
 */
public enum Role {
  INGEST(
      "ingest",
      "linkwatch ingest",
      "Parsers of the Azure formats and the sources (files, Kafka/Event Hubs, HTTP, agent log)"
          + " that put typed events on the event topics.") {
    @Override
    public ConfigDef definition() {
      return new ConfigDef(IngestConfig.DEFINITION);
    }

    @Override
    public KnownKeys knownKeys() {
      return IngestConfig.knownKeys();
    }

    @Override
    public void validate(Map<String, String> settings) {
      new IngestConfig(settings);
    }
  },
  STREAMS(
      "streams",
      "linkwatch streams",
      "Correlation, windows, rule evaluation and the alert stage (Kafka Streams). Every Kafka"
          + " Streams key (num.standby.replicas, state.dir, num.stream.threads, ...) passes"
          + " through.") {
    @Override
    public ConfigDef definition() {
      return StreamsAppConfig.configDef();
    }

    @Override
    public KnownKeys knownKeys() {
      return StreamsAppConfig.knownKeys();
    }

    @Override
    public void validate(Map<String, String> settings) {
      StreamsSettings.from(new StreamsAppConfig(settings));
    }
  },
  SINK(
      "sink",
      "linkwatch sink",
      "Delivery to Alertmanager, webhooks and the console, and the live dashboard.") {
    @Override
    public ConfigDef definition() {
      return SinkConfig.definition();
    }

    @Override
    public KnownKeys knownKeys() {
      return KnownKeys.of(List.of(SinkConfig.definition()), List.of());
    }

    @Override
    public void validate(Map<String, String> settings) {
      SinkConfig config = new SinkConfig(settings);
      config.pipelineSettings();
      String routing = config.getString(SinkConfig.ROUTING_FILE);
      if (!routing.isBlank()) {
        RoutingPlanParser.parse(Path.of(routing));
      }
    }
  };

  private final String id;
  private final String command;
  private final String description;

  Role(String id, String command, String description) {
    this.id = id;
    this.command = command;
    this.description = description;
  }

  /** The name on the command line ({@code --role streams}). */
  public String id() {
    return id;
  }

  /** The command that runs the role. */
  public String command() {
    return command;
  }

  public String description() {
    return description;
  }

  /** Every key the role declares: the common ones and its own. */
  public abstract ConfigDef definition();

  /** Every key the role accepts: its own and the Kafka keys that pass through. */
  public abstract KnownKeys knownKeys();

  /**
   * Parses the settings as the role does at start, cross-key rules and files it names included.
   *
   * @throws org.apache.kafka.common.config.ConfigException naming the key at fault
   * @throws RuntimeException for a file the settings name that cannot be used
   */
  public abstract void validate(Map<String, String> settings);

  /** The keys of the role's own, beyond the common ones, in declaration order. */
  public List<String> ownKeys() {
    Set<String> common = CommonConfig.define(new ConfigDef()).names();
    List<String> own = new ArrayList<>();
    for (ConfigDef.ConfigKey key : definition().configKeys().values()) {
      if (!common.contains(key.name)) {
        own.add(key.name);
      }
    }
    return own;
  }

  /** The role named {@code id}. */
  public static Role of(String id) {
    for (Role r : values()) {
      if (r.id.equalsIgnoreCase(id.strip())) {
        return r;
      }
    }
    List<String> ids = new ArrayList<>();
    for (Role r : values()) {
      ids.add(r.id);
    }
    throw new IllegalArgumentException(
        "no role '" + id.toLowerCase(Locale.ROOT) + "' (roles: " + String.join(", ", ids) + ")");
  }

  /** The keys any role accepts: what a file several roles share may hold. */
  public static KnownKeys anyRole() {
    List<ConfigDef> defs = new ArrayList<>();
    Set<String> kafka = new LinkedHashSet<>(StreamsConfig.configDef().names());
    for (Role r : values()) {
      defs.add(r.definition());
    }
    return KnownKeys.of(defs, kafka);
  }
}
