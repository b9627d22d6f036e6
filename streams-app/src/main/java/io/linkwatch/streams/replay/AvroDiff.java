package io.linkwatch.streams.replay;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;

/** Field-by-field differences between two Avro records of the same schema, as dotted paths. */
final class AvroDiff {

  /** One differing field. */
  record Change(String path, String left, String right) {}

  private static final int MAX_TEXT = 160;

  private AvroDiff() {}

  static List<Change> of(IndexedRecord left, IndexedRecord right) {
    List<Change> out = new ArrayList<>();
    walk("", left, right, out);
    return out;
  }

  private static void walk(String prefix, IndexedRecord a, IndexedRecord b, List<Change> out) {
    for (Schema.Field f : a.getSchema().getFields()) {
      Object x = a.get(f.pos());
      Object y = b.get(f.pos());
      String path = prefix + f.name();
      if (x instanceof IndexedRecord rx
          && y instanceof IndexedRecord ry
          && rx.getSchema().equals(ry.getSchema())) {
        walk(path + ".", rx, ry, out);
      } else if (!equal(x, y)) {
        out.add(new Change(path, text(x), text(y)));
      }
    }
  }

  private static boolean equal(Object x, Object y) {
    return Objects.equals(normal(x), normal(y));
  }

  /** Strings whatever their Avro class (Utf8 or String), maps in key order, NaN equal to NaN. */
  private static Object normal(Object o) {
    if (o instanceof CharSequence c) {
      return c.toString();
    }
    if (o instanceof Map<?, ?> m) {
      Map<String, Object> sorted = new TreeMap<>();
      m.forEach((k, v) -> sorted.put(String.valueOf(k), normal(v)));
      return sorted;
    }
    if (o instanceof List<?> l) {
      return l.stream().map(AvroDiff::normal).toList();
    }
    if (o instanceof IndexedRecord r) {
      List<Object> fields = new ArrayList<>();
      for (Schema.Field f : r.getSchema().getFields()) {
        fields.add(normal(r.get(f.pos())));
      }
      return fields;
    }
    return o;
  }

  private static String text(Object o) {
    String s = String.valueOf(normal(o));
    return s.length() <= MAX_TEXT ? s : s.substring(0, MAX_TEXT - 1) + "…";
  }
}
