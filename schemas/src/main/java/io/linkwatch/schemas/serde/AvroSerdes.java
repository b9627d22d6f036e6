package io.linkwatch.schemas.serde;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.Serde;

/**
 * The one serde factory of linkwatch. Two encodings of the same generated Avro classes:
 *
 * <ul>
 *   <li>{@link Encoding#SINGLE_OBJECT} (the embedded default): Avro single-object encoding, a
 *       2-byte marker and the 8-byte CRC-64-AVRO fingerprint of the writer schema, then the Avro
 *       binary. Needs no server: every schema, current and historical, ships in this module.
 *   <li>{@link Encoding#CONFLUENT} when {@code schema.registry.url} is set: the Confluent wire
 *       format (magic byte 0, 4-byte big-endian schema id, Avro binary) against a schema registry
 *       (Confluent Schema Registry, Apicurio's compatible API, Karapace, Redpanda).
 * </ul>
 *
 * Serdes are cached per type; the factory is thread-safe.
 */
public final class AvroSerdes implements AutoCloseable {

  /** Config key of the schema registry; when absent, single-object encoding is used. */
  public static final String SCHEMA_REGISTRY_URL = SchemaRegistryClient.URL;

  /**
   * Whether writers register their schema under {@code <topic>-value} on first use (default true);
   * when false the schema must be registered already.
   */
  public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";

  /** The wire encoding of the values. */
  public enum Encoding {
    SINGLE_OBJECT,
    CONFLUENT
  }

  private final Encoding encoding;
  private final Map<String, ?> config;
  private final Map<Class<?>, Serde<?>> valueSerdes = new ConcurrentHashMap<>();
  private final SchemaRegistryClient registry;

  private AvroSerdes(Encoding encoding, Map<String, ?> config) {
    this.encoding = encoding;
    this.config = Map.copyOf(config);
    this.registry = encoding == Encoding.CONFLUENT ? SchemaRegistryClient.fromConfig(config) : null;
  }

  /** The embedded default: single-object encoding, no server. */
  public static AvroSerdes singleObject() {
    return new AvroSerdes(Encoding.SINGLE_OBJECT, Map.of());
  }

  /**
   * Chooses the encoding from the configuration: the Confluent wire format when {@value
   * #SCHEMA_REGISTRY_URL} is set and not blank, single-object encoding otherwise.
   */
  public static AvroSerdes fromConfig(Map<String, ?> config) {
    Objects.requireNonNull(config, "config");
    Object url = config.get(SCHEMA_REGISTRY_URL);
    if (url != null && !url.toString().isBlank()) {
      return new AvroSerdes(Encoding.CONFLUENT, config);
    }
    return new AvroSerdes(Encoding.SINGLE_OBJECT, config);
  }

  public Encoding encoding() {
    return encoding;
  }

  /** The serde of record values of the given generated type. */
  @SuppressWarnings("unchecked")
  public <T extends SpecificRecord> Serde<T> valueSerde(Class<T> type) {
    return (Serde<T>) valueSerdes.computeIfAbsent(type, t -> create(type));
  }

  private <T extends SpecificRecord> Serde<T> create(Class<T> type) {
    return switch (encoding) {
      case SINGLE_OBJECT -> SingleObjectSerde.forType(type);
      case CONFLUENT -> ConfluentSerde.forType(type, registry, autoRegister());
    };
  }

  private boolean autoRegister() {
    Object value = config.get(AUTO_REGISTER_SCHEMAS);
    if (value == null || value.toString().isBlank()) {
      return true;
    }
    String v = value.toString().strip();
    if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
      throw new ConfigException(AUTO_REGISTER_SCHEMAS, value, "must be true or false");
    }
    return Boolean.parseBoolean(v);
  }

  @Override
  public void close() {
    valueSerdes.values().forEach(Serde::close);
    if (registry != null) {
      registry.close();
    }
  }
}
