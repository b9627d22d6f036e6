package io.linkwatch.streams.time;

import java.nio.ByteBuffer;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A task's event-time watermark: the task's stream time (the largest record timestamp it has seen;
 * Kafka Streams restores it from the committed offsets after a restart) or, when the input has been
 * idle for {@code idleMs} of wall-clock time, that plus the wall-clock time elapsed since the last
 * record. The idle advance is persisted in the task's store so that a restart does not move time
 * backwards.
 *
 * <p>Determinism: while records keep arriving the watermark depends on the records only, so a
 * replay makes the same decisions; the wall clock matters only once a task has seen nothing for
 * {@code idleMs}, which a replay that keeps records flowing never does.
 */
public final class EventClock {

  private static final String KEY = TimerIndex.RESERVED_PREFIX + "idle-watermark";

  private final long idleMs;
  private ProcessorContext<?, ?> context;
  private KeyValueStore<String, byte[]> store;
  private long idleWatermark = Long.MIN_VALUE;
  private long lastRecordWall;
  private long streamTimeAtLastRecord = Long.MIN_VALUE;

  /** Upstream task id to {its last ticked watermark, wall-clock time of that tick}. */
  private final java.util.Map<String, long[]> upstreams = new java.util.TreeMap<>();

  public EventClock(long idleMs) {
    this.idleMs = idleMs;
  }

  public void init(ProcessorContext<?, ?> context, KeyValueStore<String, byte[]> store) {
    this.context = context;
    this.store = store;
    byte[] persisted = store.get(KEY);
    idleWatermark = persisted == null ? Long.MIN_VALUE : ByteBuffer.wrap(persisted).getLong();
    lastRecordWall = context.currentSystemTimeMs();
    try (var it = store.range(UPSTREAM, UPSTREAM + '\uffff')) {
      while (it.hasNext()) {
        var kv = it.next();
        upstreams.put(
            kv.key.substring(UPSTREAM.length()),
            new long[] {ByteBuffer.wrap(kv.value).getLong(), lastRecordWall});
      }
    }
  }

  private static final String UPSTREAM = TimerIndex.RESERVED_PREFIX + "upstream|";

  /**
   * A tick from an upstream task (see {@link Ticks}): below a repartition, the watermark is the
   * smallest of the upstream tasks' watermarks (as in Flink), so that a task that reads ahead of
   * another upstream task does not close windows the slower one still feeds. An upstream that
   * stopped ticking (its input ended, it moved away) is ignored after {@code 3 x idleMs} of wall
   * clock.
   */
  public void onUpstreamTick(String upstream, long watermark) {
    long[] u = upstreams.computeIfAbsent(upstream, k -> new long[] {Long.MIN_VALUE, 0});
    if (watermark > u[0]) {
      u[0] = watermark;
      store.put(UPSTREAM + upstream, ByteBuffer.allocate(8).putLong(watermark).array());
    }
    u[1] = context.currentSystemTimeMs();
  }

  /** The event time the task's input has reached. */
  private long base() {
    long streamTime = Math.max(context.currentStreamTimeMs(), streamTimeAtLastRecord);
    if (upstreams.isEmpty()) {
      return streamTime;
    }
    long now = context.currentSystemTimeMs();
    long min = Long.MAX_VALUE;
    for (long[] u : upstreams.values()) {
      if (now - u[1] <= 3 * idleMs) {
        min = Math.min(min, u[0]);
      }
    }
    return min == Long.MAX_VALUE ? streamTime : Math.min(min, streamTime);
  }

  /** Called for each record; returns the watermark. */
  public long onRecord() {
    lastRecordWall = context.currentSystemTimeMs();
    streamTimeAtLastRecord = Math.max(streamTimeAtLastRecord, context.currentStreamTimeMs());
    return watermark();
  }

  public long watermark() {
    return Math.max(base(), idleWatermark);
  }

  /**
   * Called from a wall-clock punctuator: advances the watermark when the input has been idle long
   * enough. Returns true when it moved.
   */
  public boolean onWallClock(long nowWall) {
    long idleFor = nowWall - lastRecordWall;
    if (idleFor < idleMs) {
      return false;
    }
    long base = Math.max(Math.max(context.currentStreamTimeMs(), streamTimeAtLastRecord), 0);
    if (base <= 0 && idleWatermark == Long.MIN_VALUE) {
      return false; // nothing seen yet: there is no event time to advance
    }
    long target = Math.max(base, idleWatermark == Long.MIN_VALUE ? base : idleWatermark);
    target = Math.max(target, base + idleFor);
    if (target <= idleWatermark) {
      return false;
    }
    idleWatermark = target;
    store.put(KEY, ByteBuffer.allocate(8).putLong(target).array());
    return true;
  }
}
