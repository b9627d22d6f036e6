package io.linkwatch.ingest.sim;

/**
 * Writes the JSON the simulator emits by hand (no object mapper: hours of a large fleet must take
 * seconds), with the escaping JSON needs, so that a JSON-encoded string inside a JSON-encoded
 * string (IoT Hub's authType inside properties) comes out exactly as Azure writes it.
 */
final class Json {

  private final StringBuilder b = new StringBuilder(1024);
  private boolean first = true;

  static Json object() {
    Json j = new Json();
    j.b.append('{');
    return j;
  }

  /** A string member; {@code null} writes JSON null. */
  Json str(String key, String value) {
    key(key);
    if (value == null) {
      b.append("null");
    } else {
      quote(b, value);
    }
    return this;
  }

  /** A string member, left out when the value is {@code null}. */
  Json strIfPresent(String key, String value) {
    return value == null ? this : str(key, value);
  }

  /** A member whose value is raw JSON (a number, an object). */
  Json raw(String key, String json) {
    key(key);
    b.append(json);
    return this;
  }

  /** A JSON array of strings. */
  static String strings(java.util.Collection<String> values) {
    StringBuilder b = new StringBuilder("[");
    for (String v : values) {
      if (b.length() > 1) {
        b.append(',');
      }
      quote(b, v);
    }
    return b.append(']').toString();
  }

  /** A JSON array of values that are JSON already. */
  static String array(java.util.Collection<String> jsonValues) {
    return "[" + String.join(",", jsonValues) + "]";
  }

  String end() {
    b.append('}');
    return b.toString();
  }

  private void key(String key) {
    if (!first) {
      b.append(',');
    }
    first = false;
    quote(b, key);
    b.append(':');
  }

  /** Appends {@code s} as a JSON string literal. */
  static void quote(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
