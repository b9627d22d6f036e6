package io.linkwatch.streams.recent;

import io.linkwatch.streams.time.TimerIndex;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Recent outputs by subject, for interactive queries, in a plain key-value store: key = subject,
 * NUL, zero-padded event time, NUL, id; value = the serialized record. Entries expire a retention
 * after their event time through an index kept in the same store (keys starting with \u0001, which
 * no subject does), range-scanned up to the watermark.
 *
 * <p>A key-value store rather than a window store on purpose: with Kafka Streams 4.3 under
 * exactly-once, a persistent window store was reported as "not empty without checkpoint offsets"
 * after every clean restart, so its task was wiped and restored from the changelog each time;
 * key-value stores manage their own changelog offsets and restart cleanly.
 */
public final class RecentIndex {

  private static final char SEP = '\u0000';
  private static final String INDEX = "\u0001";

  private final KeyValueStore<String, byte[]> store;
  private final long retentionMs;
  private long earliest;

  public RecentIndex(KeyValueStore<String, byte[]> store, long retentionMs) {
    this.store = store;
    this.retentionMs = retentionMs;
    this.earliest = firstExpiry();
  }

  public static String key(String subject, long time, String id) {
    return subject + SEP + TimerIndex.pad(time) + SEP + id;
  }

  /** Stores (or replaces) an entry; a later revision with the same id and time replaces it. */
  public void put(String subject, long time, String id, byte[] value) {
    String key = key(subject, time, id);
    if (store.get(key) == null) {
      long expiry = time + retentionMs;
      store.put(INDEX + TimerIndex.pad(expiry) + SEP + key, new byte[0]);
      earliest = Math.min(earliest, expiry);
    }
    store.put(key, value);
  }

  /** Deletes the entries whose retention ended at the watermark. */
  public void expire(long watermark) {
    if (watermark < earliest) {
      return;
    }
    List<String> doomed = new ArrayList<>();
    try (KeyValueIterator<String, byte[]> it =
        store.range(INDEX + TimerIndex.pad(0), INDEX + TimerIndex.pad(watermark) + '\uffff')) {
      while (it.hasNext()) {
        doomed.add(it.next().key);
      }
    }
    for (String indexKey : doomed) {
      store.delete(indexKey);
      store.delete(indexKey.substring(INDEX.length() + 20));
    }
    earliest = firstExpiry();
  }

  private long firstExpiry() {
    try (KeyValueIterator<String, byte[]> it =
        store.range(INDEX + TimerIndex.pad(0), INDEX + '\uffff')) {
      if (it.hasNext()) {
        String k = it.next().key;
        return Long.parseLong(k.substring(INDEX.length(), INDEX.length() + 19));
      }
    }
    return Long.MAX_VALUE;
  }

  /** The values of the subjects starting with {@code subjectPrefix}, with event time in range. */
  public static List<byte[]> query(
      ReadOnlyKeyValueStore<String, byte[]> store,
      String subjectPrefix,
      boolean exactSubject,
      long from,
      long to) {
    List<byte[]> out = new ArrayList<>();
    String lo = exactSubject ? subjectPrefix + SEP : subjectPrefix;
    String hi = exactSubject ? subjectPrefix + SEP + '\uffff' : subjectPrefix + '\uffff';
    try (KeyValueIterator<String, byte[]> it = store.range(lo, hi)) {
      while (it.hasNext()) {
        KeyValue<String, byte[]> kv = it.next();
        int a = kv.key.indexOf(SEP, exactSubject ? subjectPrefix.length() : 0);
        if (a < 0 || kv.key.length() < a + 20) {
          continue;
        }
        long t = Long.parseLong(kv.key.substring(a + 1, a + 20));
        if (t >= from && t <= to) {
          out.add(kv.value);
        }
      }
    }
    return out;
  }
}
