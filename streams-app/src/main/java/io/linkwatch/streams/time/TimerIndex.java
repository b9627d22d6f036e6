package io.linkwatch.streams.time;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Event-time timers in a key-value store: key = zero-padded due time, '|', subject. Firing the due
 * timers is one range scan up to the watermark, never a scan of every subject (a million devices
 * cost nothing while none is due). The earliest due time is cached in memory so that a record that
 * makes nothing due costs no store access at all.
 */
public final class TimerIndex {

  private static final int WIDTH = 19;
  static final String RESERVED_PREFIX = "~";

  private final KeyValueStore<String, byte[]> store;
  private long earliest;

  /** A timer that came due. */
  public record Timer(long time, String subject) {}

  public TimerIndex(KeyValueStore<String, byte[]> store) {
    this.store = store;
    this.earliest = firstFrom(0);
  }

  public static String key(long time, String subject) {
    return pad(time) + '|' + subject;
  }

  /** A non-negative time, zero-padded to 19 digits so that string order is time order. */
  public static String pad(long time) {
    String t = Long.toString(Math.max(0, time));
    StringBuilder b = new StringBuilder(WIDTH);
    for (int i = t.length(); i < WIDTH; i++) {
      b.append('0');
    }
    return b.append(t).toString();
  }

  public void add(long time, String subject) {
    store.put(key(time, subject), new byte[0]);
    earliest = Math.min(earliest, Math.max(0, time));
  }

  public void remove(long time, String subject) {
    store.delete(key(time, subject));
  }

  /** The earliest time a timer may be due (a lower bound). */
  public long earliest() {
    return earliest;
  }

  /**
   * Removes and returns the timers of the earliest due time, if it is at or before {@code upTo}, in
   * subject order; callers loop until nothing is due. One due time at a time: a timer that firing
   * schedules (the next window of a series, the next half-window of a scope) may be due before
   * timers of later due times that were already waiting, and must fire first. Firing a whole range
   * at once, when the watermark jumped over several periods (a catch-up, the ticks of several
   * upstream tasks), sent one series' results for 01:10, 01:11, ... after another series' result
   * for 01:15: the alert stage's event time then ran ahead of results still to come, and the
   * inhibition step ordered them differently from run to run.
   */
  public List<Timer> due(long upTo) {
    if (upTo < earliest) {
      return List.of();
    }
    List<Timer> due = new ArrayList<>();
    String hi = key(upTo, "") + '\uffff';
    long at = Long.MIN_VALUE;
    try (KeyValueIterator<String, byte[]> it = store.range(key(0, ""), hi)) {
      while (it.hasNext()) {
        String k = it.next().key;
        long time = Long.parseLong(k.substring(0, WIDTH));
        if (at != Long.MIN_VALUE && time != at) {
          break;
        }
        at = time;
        due.add(new Timer(time, k.substring(WIDTH + 1)));
      }
    }
    for (Timer t : due) {
      store.delete(key(t.time(), t.subject()));
    }
    earliest = at == Long.MIN_VALUE ? firstFrom(upTo + 1) : firstFrom(at + 1);
    return due;
  }

  private long firstFrom(long from) {
    try (KeyValueIterator<String, byte[]> it =
        store.range(key(from, ""), key(Long.MAX_VALUE, "") + '\uffff')) {
      if (it.hasNext()) {
        return Long.parseLong(it.next().key.substring(0, WIDTH));
      }
    }
    return Long.MAX_VALUE;
  }
}
