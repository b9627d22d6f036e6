package io.linkwatch.streams.time;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * Event-time ticks across a repartition. A task downstream of a repartition sees event time move
 * only when records reach its partition; a partition that gets few (the DPS instance that throttled
 * once, a quiet rule series) would keep its windows open until the wall-clock idle close. So each
 * upstream task broadcasts a tick (key {@value #KEY}) to every partition when its watermark enters
 * a new tick interval; the downstream watermark is the smallest upstream one, so that it follows
 * the slowest input (a replay of pre-loaded topics reads some partitions far ahead of others). The
 * cost: one record per partition per upstream task per interval of event time.
 */
public final class Ticks {

  /** The key of a tick record. */
  public static final String KEY = "~tick";

  /** Event time between two ticks of an upstream task. */
  public static final long INTERVAL_MS = 5_000;

  private Ticks() {}

  /**
   * Partitions a repartition topic like the default partitioner (murmur2 of the UTF-8 key), except
   * that ticks go to every partition.
   */
  public static <V> StreamPartitioner<String, V> partitioner(Predicate<V> isTick) {
    return (topic, key, value, numPartitions) -> {
      if (value != null && isTick.test(value)) {
        Set<Integer> all = new HashSet<>();
        for (int i = 0; i < numPartitions; i++) {
          all.add(i);
        }
        return Optional.of(all);
      }
      if (key == null) {
        return Optional.empty();
      }
      byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
      return Optional.of(Set.of(Utils.toPositive(Utils.murmur2(bytes)) % numPartitions));
    };
  }
}
