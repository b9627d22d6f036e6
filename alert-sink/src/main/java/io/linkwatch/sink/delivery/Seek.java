package io.linkwatch.sink.delivery;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;

/** Positions a consumer by time, the way both the delivery loops and the dashboard feed start. */
public final class Seek {

  private Seek() {}

  /**
   * Seeks each partition to its first record at or after the given timestamp, or to its end when it
   * has none that recent.
   */
  public static void toTimestamps(Consumer<?, ?> consumer, Map<TopicPartition, Long> timestamps) {
    Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(timestamps);
    List<TopicPartition> toEnd = new ArrayList<>();
    for (TopicPartition tp : timestamps.keySet()) {
      OffsetAndTimestamp o = found.get(tp);
      if (o == null) {
        toEnd.add(tp);
      } else {
        consumer.seek(tp, o.offset());
      }
    }
    if (!toEnd.isEmpty()) {
      consumer.seekToEnd(toEnd);
    }
  }
}
