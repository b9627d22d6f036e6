package io.linkwatch.streams.correlate;

import io.linkwatch.avro.AgentEvent;
import io.linkwatch.avro.ConnectionEvent;
import io.linkwatch.avro.Incident;
import io.linkwatch.avro.ProvisioningEvent;
import io.linkwatch.schemas.topic.Topics;
import io.linkwatch.streams.config.StreamsSettings;
import io.linkwatch.streams.metrics.PipelineMetrics;
import io.linkwatch.streams.time.TickGate;
import io.linkwatch.streams.window.RuleChanges;
import io.linkwatch.streams.window.ViewLookup;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/** The correlators' processor suppliers and their stores, for the topology factory. */
public final class CorrelationStage {

  /** Queryable stores of recent incidents, by subject. */
  public static final String DEVICE_INCIDENTS = ConnectionCorrelator.INCIDENTS;

  public static final String REGISTRATION_INCIDENTS = ProvisioningCorrelator.INCIDENTS;
  public static final String MACHINE_INCIDENTS = AgentCorrelator.INCIDENTS;
  public static final String SCOPE_INCIDENTS = ScopeDetector.INCIDENTS;

  public static final Duration INCIDENT_RETENTION = Duration.ofDays(7);

  private CorrelationStage() {}

  private static org.apache.kafka.common.serialization.Serializer<Incident> incidentSerializer(
      Topics topics) {
    return topics.incidents().valueSerde().serializer();
  }

  public static ProcessorSupplier<String, ConnectionEvent, String, Object> connections(
      StreamsSettings s,
      Topics topics,
      RuleChanges changes,
      PipelineMetrics metrics,
      TickGate ticks) {
    return supplier(
        () ->
            shared(
                new ConnectionCorrelator(
                    s, new ViewLookup(s, changes), metrics, incidentSerializer(topics)),
                ticks),
        topics,
        ConnectionCorrelator.TIMERS,
        ConnectionCorrelator.INCIDENTS,
        ConnectionCorrelator.STATE);
  }

  public static ProcessorSupplier<String, ProvisioningEvent, String, Object> provisioning(
      StreamsSettings s,
      Topics topics,
      RuleChanges changes,
      PipelineMetrics metrics,
      TickGate ticks) {
    return supplier(
        () ->
            shared(
                new ProvisioningCorrelator(
                    s, new ViewLookup(s, changes), metrics, incidentSerializer(topics)),
                ticks),
        topics,
        ProvisioningCorrelator.TIMERS,
        ProvisioningCorrelator.INCIDENTS,
        ProvisioningCorrelator.STATE);
  }

  public static ProcessorSupplier<String, AgentEvent, String, Object> agents(
      StreamsSettings s,
      Topics topics,
      RuleChanges changes,
      PipelineMetrics metrics,
      TickGate ticks) {
    return supplier(
        () ->
            shared(
                new AgentCorrelator(
                    s, new ViewLookup(s, changes), metrics, incidentSerializer(topics)),
                ticks),
        topics,
        AgentCorrelator.TIMERS,
        AgentCorrelator.INCIDENTS,
        AgentCorrelator.STATE);
  }

  public static ProcessorSupplier<String, ScopeSignal, String, Object> scopes(
      StreamsSettings s, Topics topics, RuleChanges changes, PipelineMetrics metrics) {
    return supplier(
        () -> new ScopeDetector(s, new ViewLookup(s, changes), metrics, incidentSerializer(topics)),
        topics,
        ScopeDetector.TIMERS,
        ScopeDetector.INCIDENTS,
        ScopeDetector.STATE,
        ScopeDetector.BUCKETS);
  }

  private static <V> Correlator<V> shared(Correlator<V> correlator, TickGate ticks) {
    correlator.shareTicks(ticks);
    return correlator;
  }

  private static <V> ProcessorSupplier<String, V, String, Object> supplier(
      Supplier<Processor<String, V, String, Object>> factory,
      Topics topics,
      String timerStore,
      String incidentStore,
      String... stateStores) {
    return new ProcessorSupplier<>() {
      @Override
      public Processor<String, V, String, Object> get() {
        return factory.get();
      }

      @Override
      public Set<StoreBuilder<?>> stores() {
        Set<StoreBuilder<?>> stores = new LinkedHashSet<>(); // ordered: a stable description
        for (String name : stateStores) {
          stores.add(
              Stores.keyValueStoreBuilder(
                      Stores.persistentKeyValueStore(name), Serdes.String(), Serdes.ByteArray())
                  .withCachingEnabled());
        }
        stores.add(
            Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(timerStore), Serdes.String(), Serdes.ByteArray()));
        stores.add(
            Stores.keyValueStoreBuilder(
                    Stores.persistentKeyValueStore(incidentStore),
                    Serdes.String(),
                    Serdes.ByteArray())
                .withCachingEnabled());
        return stores;
      }
    };
  }
}
