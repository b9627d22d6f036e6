package io.linkwatch.streams.time;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event-time watermark of one processor: the largest timestamp of the records that processor
 * has read, or, when its input has been idle for {@code idleMs} of wall-clock time, that plus the
 * wall-clock time elapsed since its last record. Below a repartition it is also bounded by the
 * slowest upstream task (see {@link #onUpstreamTick}). Both are persisted in the processor's store
 * so that a restart does not move time backwards.
 *
 * <p>Not the task's stream time: a task reads one partition of each of its input topics, and Kafka
 * Streams' stream time is the largest timestamp over all of them. When one topic's partition runs
 * ahead of another's (it was produced or fetched first, a paced feed that pauses), the task's
 * stream time would pass the deadlines of the lagging topic's subjects before their own records
 * were read: a token renewal whose reconnect had not been read yet became an authentication
 * failure. Each processor's watermark follows its own input, whose records for one subject are in
 * one partition, in order.
 *
 * <p>Determinism: while records keep arriving the watermark depends on the processor's records
 * only, so a replay makes the same decisions whatever the interleaving of the task's partitions;
 * the wall clock matters only once the input has been idle for {@code idleMs}, which a replay that
 * keeps records flowing never is.
 */
public final class EventClock {

  private static final String KEY = TimerIndex.RESERVED_PREFIX + "idle-watermark";
  private static final String OWN = TimerIndex.RESERVED_PREFIX + "own-time";

  private static final Logger LOG = LoggerFactory.getLogger(EventClock.class);

  private final long idleMs;
  private final int expectedUpstreams;
  private ProcessorContext<?, ?> context;
  private long initWall;
  private boolean missingReported;
  private KeyValueStore<String, byte[]> store;
  private long idleWatermark = Long.MIN_VALUE;
  private long lastRecordWall;

  /** The largest timestamp of the records this processor has read. */
  private long ownTime = Long.MIN_VALUE;

  /** Upstream task id to {its last ticked watermark, wall-clock time of that tick}. */
  private final Map<String, long[]> upstreams = new TreeMap<>();

  public EventClock(long idleMs) {
    this(idleMs, 0);
  }

  /**
   * @param expectedUpstreams below a repartition, how many upstream tasks send ticks (0: not known,
   *     do not wait for absent ones). Until each of them has ticked, the watermark does not move,
   *     for at most {@code 3 x idleMs} of wall clock from the start: without this, the first
   *     upstream task to tick in a catch-up of pre-loaded partitions carries the watermark past the
   *     records of the tasks that have not started yet, and they all arrive late.
   */
  public EventClock(long idleMs, int expectedUpstreams) {
    this.idleMs = idleMs;
    this.expectedUpstreams = expectedUpstreams;
  }

  public void init(ProcessorContext<?, ?> context, KeyValueStore<String, byte[]> store) {
    this.context = context;
    this.store = store;
    byte[] persisted = store.get(KEY);
    idleWatermark = persisted == null ? Long.MIN_VALUE : ByteBuffer.wrap(persisted).getLong();
    byte[] own = store.get(OWN);
    ownTime = own == null ? Long.MIN_VALUE : ByteBuffer.wrap(own).getLong();
    lastRecordWall = context.currentSystemTimeMs();
    initWall = lastRecordWall;
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

  /** The event time the processor's input has reached. */
  private long base() {
    long streamTime = ownTime;
    long now = context.currentSystemTimeMs();
    if (upstreams.size() < expectedUpstreams) {
      if (now - initWall <= 3 * idleMs) {
        return Long.MIN_VALUE; // an upstream task has not ticked yet: wait for it
      }
      if (!missingReported) {
        missingReported = true;
        LOG.warn(
            "Task {}: {} of {} upstream tasks have sent event-time ticks since the start {} s ago"
                + " (heard from {}); the watermark no longer waits for the others, whose records"
                + " may now arrive late (counted in linkwatch.streams.late.records). An event"
                + " topic partition without records or a task that cannot start explains it.",
            context.taskId(),
            upstreams.size(),
            expectedUpstreams,
            (now - initWall) / 1000,
            upstreams.keySet());
      }
    }
    if (upstreams.isEmpty()) {
      return streamTime;
    }
    long min = Long.MAX_VALUE;
    for (long[] u : upstreams.values()) {
      if (now - u[1] <= 3 * idleMs) {
        min = Math.min(min, u[0]);
      }
    }
    // every upstream silent: the input stopped everywhere, and the wall-clock close moves on from
    // the furthest upstream
    return min == Long.MAX_VALUE ? streamTime : Math.min(min, streamTime);
  }

  /** Called for each record with its timestamp; returns the watermark. */
  public long onRecord(long timestamp) {
    lastRecordWall = context.currentSystemTimeMs();
    if (timestamp > ownTime) {
      // persisted to the second: a restart may start up to a second behind, never ahead
      if (ownTime == Long.MIN_VALUE || timestamp / 1000 > ownTime / 1000) {
        store.put(OWN, ByteBuffer.allocate(8).putLong(timestamp / 1000 * 1000).array());
      }
      ownTime = timestamp;
    }
    return watermark();
  }

  /**
   * The watermark. Below a repartition it may move back when an upstream joins or comes back behind
   * the others (a task that starts late in a replay of pre-loaded topics): what was decided stays
   * decided, but that upstream's records are then not late.
   */
  public long watermark() {
    return Math.max(base(), idleWatermark);
  }

  /** Whether the processor has read no record for {@code idleMs} of wall clock. */
  public boolean idle(long nowWall) {
    return nowWall - lastRecordWall >= idleMs;
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
    // from the watermark (below a repartition, the slowest upstream), not from the largest
    // timestamp read: ticks of a fast upstream must not carry a slower one's windows away when
    // the task sits idle for a moment (a loaded machine, a paused feed)
    long base = Math.max(base(), 0);
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
