package io.linkwatch.schemas.topic;

import io.linkwatch.avro.AgentEvent;
import io.linkwatch.avro.Alert;
import io.linkwatch.avro.AlertRule;
import io.linkwatch.avro.ConnectionEvent;
import io.linkwatch.avro.DeadLetter;
import io.linkwatch.avro.Incident;
import io.linkwatch.avro.ProvisioningEvent;
import io.linkwatch.avro.WindowedAggregate;
import io.linkwatch.schemas.serde.AvroSerdes;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The typed topics of one linkwatch deployment, built once from the topic names and a serde
 * factory. Keys are UTF-8 strings everywhere (device, registration, machine, rule id, fingerprint),
 * so that any Kafka tool can read them; values are Avro.
 */
public final class Topics {

  private final Map<TopicRole, String> names;
  private final AvroSerdes serdes;

  private Topics(Map<TopicRole, String> names, AvroSerdes serdes) {
    this.names = names;
    this.serdes = serdes;
  }

  /**
   * Builds the topics.
   *
   * @param names topic name per role; roles absent from the map use their default name
   * @param serdes the serde factory (single-object encoding or schema registry)
   */
  public static Topics create(Map<TopicRole, String> names, AvroSerdes serdes) {
    Objects.requireNonNull(serdes, "serdes");
    Map<TopicRole, String> all = new EnumMap<>(TopicRole.class);
    for (TopicRole role : TopicRole.values()) {
      all.put(role, names.getOrDefault(role, role.defaultName()));
    }
    return new Topics(all, serdes);
  }

  /** Topics with their default names. */
  public static Topics withDefaultNames(AvroSerdes serdes) {
    return create(Map.of(), serdes);
  }

  public String name(TopicRole role) {
    return names.get(role);
  }

  public Map<TopicRole, String> names() {
    return Map.copyOf(names);
  }

  public AvroSerdes serdes() {
    return serdes;
  }

  public Topic<String, ConnectionEvent> connections() {
    return topic(TopicRole.CONNECTIONS, ConnectionEvent.class);
  }

  public Topic<String, ProvisioningEvent> provisioning() {
    return topic(TopicRole.PROVISIONING, ProvisioningEvent.class);
  }

  public Topic<String, AgentEvent> agent() {
    return topic(TopicRole.AGENT, AgentEvent.class);
  }

  public Topic<String, DeadLetter> ingestDeadLetter() {
    return topic(TopicRole.INGEST_DEADLETTER, DeadLetter.class);
  }

  public Topic<String, AlertRule> alertRules() {
    return topic(TopicRole.ALERT_RULES, AlertRule.class);
  }

  public Topic<String, Incident> incidents() {
    return topic(TopicRole.INCIDENTS, Incident.class);
  }

  public Topic<String, WindowedAggregate> aggregates() {
    return topic(TopicRole.AGGREGATES, WindowedAggregate.class);
  }

  public Topic<String, Alert> alerts() {
    return topic(TopicRole.ALERTS, Alert.class);
  }

  public Topic<String, DeadLetter> sinkDeadLetter() {
    return topic(TopicRole.SINK_DEADLETTER, DeadLetter.class);
  }

  private <V extends org.apache.avro.specific.SpecificRecord> Topic<String, V> topic(
      TopicRole role, Class<V> type) {
    Serde<String> keys = Serdes.String();
    return new Topic<>(names.get(role), keys, serdes.valueSerde(type));
  }
}
