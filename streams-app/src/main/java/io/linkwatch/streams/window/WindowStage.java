package io.linkwatch.streams.window;

import io.linkwatch.schemas.topic.Topics;
import io.linkwatch.streams.config.StreamsSettings;
import io.linkwatch.streams.metrics.PipelineMetrics;
import java.time.Duration;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/** The window engine's processor supplier and stores, for the topology factory. */
public final class WindowStage {

  /** The queryable store of emitted aggregates, by subject (hub, device, dps, enrollment...). */
  public static final String RECENT_AGGREGATES = WindowEngine.RECENT;

  public static final Duration RECENT_RETENTION = Duration.ofHours(24);

  private WindowStage() {}

  public static ProcessorSupplier<String, ViewObservation, String, Object> engine(
      StreamsSettings settings, Topics topics, RuleChanges changes, PipelineMetrics metrics) {
    return new ProcessorSupplier<>() {
      @Override
      public Processor<String, ViewObservation, String, Object> get() {
        return new WindowEngine(
            settings,
            new ViewLookup(settings, changes),
            metrics,
            topics.aggregates().valueSerde().serializer());
      }

      @Override
      public Set<StoreBuilder<?>> stores() {
        return new java.util.LinkedHashSet<>( // ordered: a stable topology description
            java.util.List.of(
                Stores.keyValueStoreBuilder(
                    Stores.persistentKeyValueStore(WindowEngine.SERIES),
                    Serdes.String(),
                    Serdes.ByteArray()),
                Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(WindowEngine.BUCKETS),
                        Serdes.String(),
                        Serdes.ByteArray())
                    .withCachingEnabled(),
                Stores.keyValueStoreBuilder(
                    Stores.persistentKeyValueStore(WindowEngine.TIMERS),
                    Serdes.String(),
                    Serdes.ByteArray()),
                Stores.keyValueStoreBuilder(
                    Stores.persistentKeyValueStore(WindowEngine.VIEW_SERIES),
                    Serdes.String(),
                    Serdes.Integer()),
                Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(WindowEngine.RECENT),
                        Serdes.String(),
                        Serdes.ByteArray())
                    .withCachingEnabled()));
      }
    };
  }
}
