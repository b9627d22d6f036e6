package io.linkwatch.schemas.topic;

import io.linkwatch.avro.AgentEvent;
import io.linkwatch.avro.Alert;
import io.linkwatch.avro.AlertRule;
import io.linkwatch.avro.ConnectionEvent;
import io.linkwatch.avro.DeadLetter;
import io.linkwatch.avro.Incident;
import io.linkwatch.avro.ProvisioningEvent;
import io.linkwatch.avro.WindowedAggregate;
import java.time.Duration;
import org.apache.avro.specific.SpecificRecord;

/**
 * The topics of the linkwatch topic plan (DESIGN.md, "Topics"): what each one holds, its default
 * name, the config key that renames it, and its retention.
 */
public enum TopicRole {
  CONNECTIONS(
      "linkwatch.events.connections.v1",
      ConnectionEvent.class,
      "device: '<hub>/<deviceId>'",
      Duration.ofDays(7),
      false),
  PROVISIONING(
      "linkwatch.events.provisioning.v1",
      ProvisioningEvent.class,
      "registration: '<dpsInstance>/<registrationId>'",
      Duration.ofDays(7),
      false),
  AGENT("linkwatch.events.agent.v1", AgentEvent.class, "machine", Duration.ofDays(7), false),
  INGEST_DEADLETTER(
      "linkwatch.ingest.deadletter.v1", DeadLetter.class, "source", Duration.ofDays(14), false),
  ALERT_RULES("linkwatch.alert-rules.v1", AlertRule.class, "rule id", null, true),
  INCIDENTS("linkwatch.incidents.v1", Incident.class, "subject", Duration.ofDays(30), false),
  AGGREGATES(
      "linkwatch.aggregates.v1",
      WindowedAggregate.class,
      "signal + dimensions",
      Duration.ofDays(30),
      false),
  ALERTS(
      "linkwatch.alerts.v1",
      Alert.class,
      "alert fingerprint (rule + dimensions)",
      Duration.ofDays(90),
      false),
  SINK_DEADLETTER(
      "linkwatch.sink.deadletter.v1", DeadLetter.class, "receiver", Duration.ofDays(14), false);

  private final String defaultName;
  private final Class<? extends SpecificRecord> valueType;
  private final String keyDescription;
  private final Duration retention;
  private final boolean compacted;

  TopicRole(
      String defaultName,
      Class<? extends SpecificRecord> valueType,
      String keyDescription,
      Duration retention,
      boolean compacted) {
    this.defaultName = defaultName;
    this.valueType = valueType;
    this.keyDescription = keyDescription;
    this.retention = retention;
    this.compacted = compacted;
  }

  /** The name used when the configuration does not rename the topic. */
  public String defaultName() {
    return defaultName;
  }

  /** The configuration key that renames this topic, e.g. {@code topics.connections}. */
  public String configKey() {
    return "topics." + name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }

  public Class<? extends SpecificRecord> valueType() {
    return valueType;
  }

  public String keyDescription() {
    return keyDescription;
  }

  /** Retention of a delete-policy topic; {@code null} for a compacted topic. */
  public Duration retention() {
    return retention;
  }

  public boolean compacted() {
    return compacted;
  }
}
