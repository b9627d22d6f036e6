package io.linkwatch.ingest.parse;

import java.time.DateTimeException;
import java.time.LocalDate;

/**
 * Parses the timestamp shapes Azure exports: {@code 2019-07-15T18:00:22.6235064Z} (7-digit
 * fraction), {@code 2023-09-21T22:33:34Z} (no fraction), {@code 2022-04-02T00:05:51.123Z}, with an
 * offset ({@code +02:00}) or none (taken as UTC), and a space instead of the {@code T}. Hand-rolled
 * because it runs once per record on the hot path: no formatter, no exception on the happy path.
 */
public final class Timestamps {

  /** Returned by {@link #parseEpochNanos} when the text is not a timestamp. */
  public static final long INVALID = Long.MIN_VALUE;

  private static final long NANOS_PER_SECOND = 1_000_000_000L;
  private static final long SECONDS_PER_DAY = 86_400L;
  // Epoch nanos in a long end in 2262; Azure records before 1970 or after 2200 are not real.
  private static final int MIN_YEAR = 1970;
  private static final int MAX_YEAR = 2200;

  private Timestamps() {}

  /**
   * The instant the text denotes, in nanoseconds since the epoch (full precision, so that two
   * shapes of the same instant compare equal), or {@link #INVALID}.
   */
  public static long parseEpochNanos(CharSequence s) {
    if (s == null) {
      return INVALID;
    }
    int start = 0;
    int end = s.length();
    while (start < end && s.charAt(start) == ' ') {
      start++;
    }
    while (end > start && s.charAt(end - 1) == ' ') {
      end--;
    }
    // yyyy-MM-ddTHH:mm:ss is 19 characters
    if (end - start < 19) {
      return INVALID;
    }
    int i = start;
    int year = digits(s, i, 4);
    int month = digits(s, i + 5, 2);
    int day = digits(s, i + 8, 2);
    int hour = digits(s, i + 11, 2);
    int minute = digits(s, i + 14, 2);
    int second = digits(s, i + 17, 2);
    char sep = s.charAt(i + 10);
    if (year < 0
        || month < 0
        || day < 0
        || hour < 0
        || minute < 0
        || second < 0
        || s.charAt(i + 4) != '-'
        || s.charAt(i + 7) != '-'
        || (sep != 'T' && sep != 't' && sep != ' ')
        || s.charAt(i + 13) != ':'
        || s.charAt(i + 16) != ':'
        || year < MIN_YEAR
        || year > MAX_YEAR
        || hour > 23
        || minute > 59
        || second > 60) {
      return INVALID;
    }
    i += 19;
    long nanos = 0;
    if (i < end && (s.charAt(i) == '.' || s.charAt(i) == ',')) {
      i++;
      int fractionDigits = 0;
      while (i < end && isDigit(s.charAt(i))) {
        if (fractionDigits < 9) {
          nanos = nanos * 10 + (s.charAt(i) - '0');
        }
        fractionDigits++;
        i++;
      }
      if (fractionDigits == 0) {
        return INVALID;
      }
      for (int k = Math.min(fractionDigits, 9); k < 9; k++) {
        nanos *= 10;
      }
    }
    int offsetSeconds = 0;
    if (i < end) {
      char zone = s.charAt(i);
      if ((zone == 'Z' || zone == 'z') && i + 1 == end) {
        i++;
      } else if ((zone == '+' || zone == '-') && (end - i == 6 || end - i == 5)) {
        int oh = digits(s, i + 1, 2);
        int om = end - i == 6 ? digits(s, i + 4, 2) : digits(s, i + 3, 2);
        if (oh < 0 || om < 0 || oh > 18 || om > 59 || (end - i == 6 && s.charAt(i + 3) != ':')) {
          return INVALID;
        }
        offsetSeconds = (oh * 3600 + om * 60) * (zone == '-' ? -1 : 1);
        i = end;
      } else {
        return INVALID;
      }
    }
    if (i != end) {
      return INVALID;
    }
    long epochDay;
    try {
      epochDay = LocalDate.of(year, month, day).toEpochDay();
    } catch (DateTimeException e) {
      return INVALID;
    }
    // a leap second (ss = 60) is folded into the next second, as java.time does
    long epochSecond =
        epochDay * SECONDS_PER_DAY + hour * 3600L + minute * 60L + second - offsetSeconds;
    return epochSecond * NANOS_PER_SECOND + nanos;
  }

  /** Milliseconds since the epoch of a value returned by {@link #parseEpochNanos}. */
  public static long toEpochMillis(long epochNanos) {
    return Math.floorDiv(epochNanos, 1_000_000L);
  }

  private static int digits(CharSequence s, int from, int count) {
    int value = 0;
    for (int k = 0; k < count; k++) {
      char c = s.charAt(from + k);
      if (!isDigit(c)) {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }
}
