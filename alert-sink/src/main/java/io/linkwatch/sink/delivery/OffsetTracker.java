package io.linkwatch.sink.delivery;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Which offsets of one receiver's consumer may be committed: per partition, everything below the
 * oldest record not yet handled (delivered, dead-lettered, or decided not to send). Records finish
 * out of order (a group waits while later single alerts go out), so the commit point is the lowest
 * pending offset, never simply the last one read.
 */
final class OffsetTracker {

  private static final class PartitionState {
    final TreeSet<Long> pending = new TreeSet<>();
    long next = -1;
    long committed = -1;
  }

  private final Map<TopicPartition, PartitionState> partitions = new HashMap<>();
  private int pendingCount;

  /** A record was read and must be handled before its offset is committed. */
  void read(TopicPartition tp, long offset) {
    PartitionState s = partitions.computeIfAbsent(tp, p -> new PartitionState());
    if (s.pending.add(offset)) {
      pendingCount++;
    }
    s.next = Math.max(s.next, offset + 1);
  }

  /** A record was handled. Unknown partitions (revoked meanwhile) are ignored. */
  void done(TopicPartition tp, long offset) {
    PartitionState s = partitions.get(tp);
    if (s != null && s.pending.remove(offset)) {
      pendingCount--;
    }
  }

  /** Offsets that may be committed now and were not yet. */
  Map<TopicPartition, OffsetAndMetadata> committable() {
    Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
    partitions.forEach(
        (tp, s) -> {
          if (s.next < 0) {
            return;
          }
          long candidate = s.pending.isEmpty() ? s.next : s.pending.first();
          if (candidate > s.committed) {
            out.put(tp, new OffsetAndMetadata(candidate));
          }
        });
    return out;
  }

  void committed(Map<TopicPartition, OffsetAndMetadata> offsets) {
    offsets.forEach(
        (tp, o) -> {
          PartitionState s = partitions.get(tp);
          if (s != null) {
            s.committed = Math.max(s.committed, o.offset());
          }
        });
  }

  /** Forget partitions this consumer no longer owns. */
  void revoke(Collection<TopicPartition> revoked) {
    for (TopicPartition tp : revoked) {
      PartitionState s = partitions.remove(tp);
      if (s != null) {
        pendingCount -= s.pending.size();
      }
    }
  }

  boolean owns(TopicPartition tp) {
    return partitions.containsKey(tp);
  }

  /** Records read and not yet handled, over all partitions (the memory bound is on this). */
  int pending() {
    return pendingCount;
  }
}
