package io.linkwatch.streams.rules;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them in rule files: {@code 30s}, {@code 5m}, {@code 1h30m}, {@code 1d},
 * {@code 500ms}, or ISO-8601 ({@code PT5M}, as in Azure Monitor's ARM templates).
 */
public final class Durations {

  private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d)");

  private Durations() {}

  /**
   * Parses a duration.
   *
   * @throws IllegalArgumentException with a message saying what forms are accepted
   */
  public static Duration parse(String text) {
    String s = text.strip();
    if (s.isEmpty()) {
      throw new IllegalArgumentException("empty duration");
    }
    if (s.toUpperCase(Locale.ROOT).startsWith("P")) {
      try {
        return Duration.parse(s.toUpperCase(Locale.ROOT));
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException(invalid(text));
      }
    }
    Matcher m = PART.matcher(s.toLowerCase(Locale.ROOT));
    Duration total = Duration.ZERO;
    int end = 0;
    while (m.find()) {
      if (m.start() != end) {
        throw new IllegalArgumentException(invalid(text));
      }
      long n = Long.parseLong(m.group(1));
      total =
          total.plus(
              switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
              });
      end = m.end();
    }
    if (end == 0 || end != s.length()) {
      throw new IllegalArgumentException(invalid(text));
    }
    return total;
  }

  /** The short form, e.g. {@code 5m}, {@code 1h30m}, {@code 0s}. */
  public static String format(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    StringBuilder out = new StringBuilder();
    long ms = d.toMillis();
    long[] units = {86_400_000L, 3_600_000L, 60_000L, 1000L, 1L};
    String[] names = {"d", "h", "m", "s", "ms"};
    for (int i = 0; i < units.length; i++) {
      if (ms >= units[i]) {
        out.append(ms / units[i]).append(names[i]);
        ms %= units[i];
      }
    }
    return out.toString();
  }

  private static String invalid(String text) {
    return "'"
        + text
        + "' is not a duration (use e.g. 30s, 5m, 1h30m, 1d, 500ms, or ISO-8601 like PT5M)";
  }
}
