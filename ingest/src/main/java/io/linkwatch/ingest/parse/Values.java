package io.linkwatch.ingest.parse;

import io.linkwatch.avro.Level;

/** Small conversions of the exported string values, shared by the parsers. */
final class Values {

  private Values() {}

  /**
   * Azure's level ({@code Information}, {@code Error}; the docs also list {@code Informational},
   * {@code Warning}, {@code Critical}) or the agent's ({@code debug}, {@code info}, {@code fatal},
   * ...); {@code null} when absent.
   */
  static Level level(String s) {
    if (s == null) {
      return null;
    }
    String v = s.strip();
    if (v.isEmpty()) {
      return null;
    }
    if (v.equalsIgnoreCase("Information")
        || v.equalsIgnoreCase("Informational")
        || v.equalsIgnoreCase("info")) {
      return Level.INFORMATIONAL;
    }
    if (v.equalsIgnoreCase("Error") || v.equalsIgnoreCase("err")) {
      return Level.ERROR;
    }
    if (v.equalsIgnoreCase("Warning") || v.equalsIgnoreCase("warn")) {
      return Level.WARNING;
    }
    if (v.equalsIgnoreCase("Critical")
        || v.equalsIgnoreCase("fatal")
        || v.equalsIgnoreCase("panic")) {
      return Level.CRITICAL;
    }
    if (v.equalsIgnoreCase("Verbose")
        || v.equalsIgnoreCase("debug")
        || v.equalsIgnoreCase("trace")) {
      return Level.VERBOSE;
    }
    return Level.UNKNOWN;
  }

  /** The integer the text is made of (surrounding blanks allowed), or {@code null}. */
  static Integer intOrNull(String s) {
    if (s == null) {
      return null;
    }
    int start = 0;
    int end = s.length();
    while (start < end && s.charAt(start) <= ' ') {
      start++;
    }
    while (end > start && s.charAt(end - 1) <= ' ') {
      end--;
    }
    if (start == end || end - start > 9) {
      return null;
    }
    int v = 0;
    for (int i = start; i < end; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return null;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  /** A duration in milliseconds ("226", "12.5", 98), or {@code null} when not a number. */
  static Long durationOrNull(String s) {
    Integer i = intOrNull(s);
    if (i != null) {
      return i.longValue();
    }
    if (s == null || s.isBlank()) {
      return null;
    }
    try {
      double d = Double.parseDouble(s.strip());
      if (Double.isFinite(d) && d >= 0 && d < 9.2e18) {
        return Math.round(d);
      }
    } catch (NumberFormatException e) {
      // not a number: the caller keeps the text
    }
    return null;
  }

  /** An HTTP status in the text: the first run of exactly three digits in 100..599. */
  static Integer httpStatusIn(String s) {
    if (s == null) {
      return null;
    }
    int n = s.length();
    int i = 0;
    while (i < n) {
      if (isDigit(s.charAt(i))) {
        int j = i;
        while (j < n && isDigit(s.charAt(j))) {
          j++;
        }
        if (j - i == 3) {
          int v = Integer.parseInt(s, i, j, 10);
          if (v >= 100 && v <= 599) {
            return v;
          }
        }
        i = j;
      } else {
        i++;
      }
    }
    return null;
  }

  /**
   * A DPS/IoT Hub 6-digit error code in the text: after "errorCode" ({@code "errorCode":401002},
   * {@code ErrorCode:401002}), else the first run of exactly six digits that starts with 4 or 5.
   */
  static Integer errorCodeIn(String s) {
    if (s == null) {
      return null;
    }
    int n = s.length();
    for (int i = 0; i + 9 <= n; i++) {
      if (s.regionMatches(true, i, "errorcode", 0, 9)) {
        int j = i + 9;
        int skipped = 0;
        while (j < n && !isDigit(s.charAt(j)) && skipped < 4) {
          j++;
          skipped++;
        }
        Integer code = sixDigitsAt(s, j);
        if (code != null) {
          return code;
        }
      }
    }
    int i = 0;
    while (i < n) {
      if (isDigit(s.charAt(i))) {
        int j = i;
        while (j < n && isDigit(s.charAt(j))) {
          j++;
        }
        if (j - i == 6 && (s.charAt(i) == '4' || s.charAt(i) == '5')) {
          return Integer.parseInt(s, i, j, 10);
        }
        i = j;
      } else {
        i++;
      }
    }
    return null;
  }

  private static Integer sixDigitsAt(String s, int i) {
    int j = i;
    while (j < s.length() && isDigit(s.charAt(j))) {
      j++;
    }
    return j - i == 6 ? Integer.parseInt(s, i, j, 10) : null;
  }

  static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  /** Null for null, blank or the literal "null"; the text otherwise. */
  static String emptyToNull(String s) {
    return s == null || s.isBlank() || "null".equals(s) ? null : s;
  }
}
