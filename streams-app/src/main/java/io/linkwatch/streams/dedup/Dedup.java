package io.linkwatch.streams.dedup;

import io.linkwatch.streams.metrics.PipelineMetrics;
import java.time.Duration;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * Drops repeated deliveries of the same input record (Event Hubs and file exports are
 * at-least-once): the {@code eventId} is stable across deliveries and a repeat carries the same
 * event time, so a window store keyed by eventId and stamped with the event time recognises it with
 * one point lookup. The store keeps ids for the configured retention of event time; a repeat that
 * arrives later than that is let through (and counted by nothing: it cannot be told apart).
 */
public final class Dedup {

  private Dedup() {}

  /** The store name for an input, e.g. {@code linkwatch-dedup-connections}. */
  public static String storeName(String input) {
    return "linkwatch-dedup-" + input;
  }

  public static StoreBuilder<WindowStore<String, Long>> store(String input, Duration retention) {
    return Stores.windowStoreBuilder(
        Stores.persistentWindowStore(storeName(input), retention, Duration.ofMillis(1), false),
        Serdes.String(),
        Serdes.Long());
  }

  public static <V> ProcessorSupplier<String, V, String, V> processor(
      String input,
      Function<V, String> eventId,
      ToLongFunction<V> eventTime,
      PipelineMetrics metrics) {
    return () ->
        new Processor<>() {
          private ProcessorContext<String, V> context;
          private WindowStore<String, Long> seen;

          @Override
          public void init(ProcessorContext<String, V> context) {
            this.context = context;
            seen = context.getStateStore(storeName(input));
          }

          @Override
          public void process(Record<String, V> record) {
            V value = record.value();
            if (value == null) {
              return;
            }
            String id = eventId.apply(value);
            if (id == null || id.isEmpty()) {
              context.forward(record);
              return;
            }
            long t = eventTime.applyAsLong(value);
            try (WindowStoreIterator<Long> it = seen.fetch(id, t, t)) {
              if (it.hasNext()) {
                metrics.duplicate(input);
                return;
              }
            }
            seen.put(id, 1L, t);
            context.forward(record);
          }
        };
  }
}
