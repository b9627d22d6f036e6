package io.linkwatch.ingest.parse;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The decoded {@code properties} of one record: a handful of key/value pairs, looked up by name
 * (ignoring case: Log Analytics and old exports differ), with the pairs nobody asked for kept for
 * the event's {@code extra} map. Reused from record to record.
 */
final class PropertyBag {

  // property names repeat from record to record (and Jackson hands out the same String for a
  // name): their lower-case forms are kept, up to a bound hostile input cannot push past
  private static final int MAX_CACHED_NAMES = 4096;
  private static final java.util.concurrent.ConcurrentHashMap<String, String> LOWER =
      new java.util.concurrent.ConcurrentHashMap<>();

  private String[] keys = new String[16];
  private String[] lowerKeys = new String[16];
  private String[] values = new String[16];
  private boolean[] taken = new boolean[16];
  private int size;

  void clear() {
    Arrays.fill(keys, 0, size, null);
    Arrays.fill(lowerKeys, 0, size, null);
    Arrays.fill(values, 0, size, null);
    Arrays.fill(taken, 0, size, false);
    size = 0;
  }

  int size() {
    return size;
  }

  String key(int i) {
    return keys[i];
  }

  String lowerKey(int i) {
    return lowerKeys[i];
  }

  String value(int i) {
    return values[i];
  }

  /** Adds a pair; a later pair with the same key (any case) replaces the earlier one. */
  void put(String key, String value) {
    int existing = indexOf(key);
    if (existing >= 0) {
      values[existing] = value;
      return;
    }
    if (size == keys.length) {
      keys = Arrays.copyOf(keys, size * 2);
      lowerKeys = Arrays.copyOf(lowerKeys, size * 2);
      values = Arrays.copyOf(values, size * 2);
      taken = Arrays.copyOf(taken, size * 2);
    }
    keys[size] = key;
    lowerKeys[size] = lower(key);
    values[size] = value;
    size++;
  }

  /** Adds a pair unless the key is already there (a flattened column does not beat properties). */
  void putIfAbsent(String key, String value) {
    if (indexOf(key) < 0) {
      put(key, value);
    }
  }

  /**
   * The value of the first of the names present, marked as used; {@code null} when absent, JSON
   * null, blank or the literal "null".
   */
  String take(String... names) {
    for (String name : names) {
      int i = indexOf(name);
      if (i >= 0) {
        taken[i] = true;
        String v = values[i];
        if (v == null || v.isBlank() || "null".equals(v)) {
          return null;
        }
        return v;
      }
    }
    return null;
  }

  /** Whether any of the names is present (even with a null value). */
  boolean has(String name) {
    return indexOf(name) >= 0;
  }

  /** The pairs nobody took, with a value, for the event's extra map. */
  Map<String, String> leftovers(Map<String, String> into) {
    for (int i = 0; i < size; i++) {
      if (!taken[i] && values[i] != null) {
        into.put(keys[i], values[i]);
      }
    }
    return into;
  }

  Map<String, String> leftovers() {
    return leftovers(new LinkedHashMap<>());
  }

  private int indexOf(String name) {
    String wanted = lower(name);
    for (int i = 0; i < size; i++) {
      if (lowerKeys[i].equals(wanted)) {
        return i;
      }
    }
    return -1;
  }

  /** The key in lower case: names are compared ignoring case (Log Analytics and old exports). */
  static String lower(String key) {
    String l = LOWER.get(key);
    if (l == null) {
      l = key.toLowerCase(java.util.Locale.ROOT);
      if (LOWER.size() < MAX_CACHED_NAMES) {
        LOWER.put(key, l);
      }
    }
    return l;
  }
}
