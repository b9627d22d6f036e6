package io.linkwatch.streams.correlate;

import java.util.HashMap;
import java.util.Map;

/** Dimension maps of observations: null values become empty strings, never absent keys. */
final class Dims {

  private Dims() {}

  static Map<String, String> of(String... keyValues) {
    Map<String, String> m = new HashMap<>(keyValues.length);
    for (int i = 0; i + 1 < keyValues.length; i += 2) {
      String v = keyValues[i + 1];
      m.put(keyValues[i], v == null ? "" : v);
    }
    return m;
  }

  static String str(Object o) {
    return o == null ? "" : o.toString();
  }
}
