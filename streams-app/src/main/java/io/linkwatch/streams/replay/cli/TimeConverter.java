package io.linkwatch.streams.replay.cli;

import io.linkwatch.schemas.cli.DurationConverter;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A point in time as an operator writes it: an ISO-8601 instant ({@code 2026-03-02T10:15:00Z}, or
 * with an offset {@code +01:00}), a date-time or a date without zone (read as UTC), {@code now}, or
 * a duration ago ({@code 2h}, {@code 90m}, {@code 1d}, {@code PT30M}).
 */
final class TimeConverter implements ITypeConverter<Instant> {

  private final Clock clock;

  TimeConverter() {
    this(Clock.systemUTC());
  }

  TimeConverter(Clock clock) {
    this.clock = clock;
  }

  /** The current time to the second: a range is read and printed in whole seconds. */
  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.SECONDS);
  }

  @Override
  public Instant convert(String value) {
    String v = value.strip();
    if (v.equalsIgnoreCase("now")) {
      return now();
    }
    try {
      return OffsetDateTime.parse(v).toInstant();
    } catch (DateTimeParseException notWithOffset) {
      // next form
    }
    try {
      return LocalDateTime.parse(v).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException notLocal) {
      // next form
    }
    try {
      return LocalDate.parse(v).atStartOfDay().toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException notDate) {
      // next form
    }
    try {
      return now().minus(DurationConverter.parse(v));
    } catch (TypeConversionException notDuration) {
      throw new TypeConversionException(
          "'"
              + value
              + "' is not a time: give an ISO-8601 instant (2026-03-02T10:15:00Z), a UTC date-time"
              + " (2026-03-02T10:15), a date, 'now', or a duration ago (2h, 90m, 1d)");
    }
  }
}
