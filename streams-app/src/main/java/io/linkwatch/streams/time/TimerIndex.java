package io.linkwatch.streams.time;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
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

  /** Removes and returns the timers due at or before {@code upTo}, in time then subject order. */
  public List<Timer> due(long upTo) {
    if (upTo < earliest) {
      return List.of();
    }
    List<Timer> due = new ArrayList<>();
    String hi = key(upTo, "") + '\uffff';
    try (KeyValueIterator<String, byte[]> it = store.range(key(0, ""), hi)) {
      while (it.hasNext()) {
        KeyValue<String, byte[]> kv = it.next();
        String k = kv.key;
        due.add(new Timer(Long.parseLong(k.substring(0, WIDTH)), k.substring(WIDTH + 1)));
      }
    }
    for (Timer t : due) {
      store.delete(key(t.time(), t.subject()));
    }
    earliest = firstFrom(upTo + 1);
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
