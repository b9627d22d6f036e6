package io.linkwatch.streams.dedup;

import io.linkwatch.streams.metrics.PipelineMetrics;
import io.linkwatch.streams.time.TimerIndex;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Drops repeated deliveries of the same input record (Event Hubs and file exports are
 * at-least-once). The {@code eventId} is stable across deliveries, and a repeat carries the same
 * event time, so one point lookup of (time bucket, eventId) recognises it. Keys start with the
 * zero-padded bucket, so the ids older than the retention (event time behind the task's stream
 * time) are one range delete at the front of the store, once per bucket. A repeat that arrives
 * later than the retention is let through: it cannot be told apart any more.
 *
 * <p>A key-value store rather than a window store: under exactly-once, Kafka Streams 4.3 wiped and
 * restored tasks with persistent window stores after every clean restart (see {@code RecentIndex}).
 */
public final class Dedup {

  private Dedup() {}

  /** The store name for an input, e.g. {@code linkwatch-dedup-connections}. */
  public static String storeName(String input) {
    return "linkwatch-dedup-" + input;
  }

  public static StoreBuilder<KeyValueStore<String, byte[]>> store(String input) {
    return Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(storeName(input)), Serdes.String(), Serdes.ByteArray())
        .withCachingEnabled();
  }

  public static <V> ProcessorSupplier<String, V, String, V> processor(
      String input,
      Function<V, String> eventId,
      ToLongFunction<V> eventTime,
      long retentionMs,
      PipelineMetrics metrics) {
    long bucketMs = Math.max(1000, retentionMs / 4);
    return () ->
        new Processor<>() {
          private static final byte[] SEEN = new byte[0];
          private ProcessorContext<String, V> context;
          private KeyValueStore<String, byte[]> seen;
          private long prunedBelow = 0;

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
            long horizon = context.currentStreamTimeMs() - retentionMs;
            prune(Math.floorDiv(horizon, bucketMs) * bucketMs);
            if (t < horizon) {
              context.forward(record); // older than what the store remembers
              return;
            }
            String key = TimerIndex.pad(Math.floorDiv(t, bucketMs) * bucketMs) + '|' + id;
            if (seen.get(key) != null) {
              metrics.duplicate(input);
              return;
            }
            seen.put(key, SEEN);
            context.forward(record);
          }

          /** Deletes the buckets that start before {@code below}. */
          private void prune(long below) {
            if (below <= prunedBelow) {
              return;
            }
            List<String> doomed = new ArrayList<>();
            try (KeyValueIterator<String, byte[]> it =
                seen.range(TimerIndex.pad(0), TimerIndex.pad(below - 1) + '|' + '\uffff')) {
              while (it.hasNext()) {
                doomed.add(it.next().key);
              }
            }
            doomed.forEach(seen::delete);
            prunedBelow = below;
          }
        };
  }
}
