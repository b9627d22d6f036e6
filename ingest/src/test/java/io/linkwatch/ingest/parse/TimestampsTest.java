package io.linkwatch.ingest.parse;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TimestampsTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "2019-07-15T18:00:22.6235064Z, 2019-07-15T18:00:22.6235064Z",
    "2023-09-21T22:33:34Z, 2023-09-21T22:33:34Z",
    "2022-04-02T00:05:51.123Z, 2022-04-02T00:05:51.123Z",
    "2022-04-02T00:05:51, 2022-04-02T00:05:51Z",
    "2022-04-02 00:05:51.5, 2022-04-02T00:05:51.5Z",
    "2022-04-02T02:05:51+02:00, 2022-04-02T00:05:51Z",
    "2022-04-01T20:05:51.000-0400, 2022-04-02T00:05:51Z",
    "' 2022-04-02T00:05:51Z ', 2022-04-02T00:05:51Z",
    "2020-01-17T05:11:45.7515964123Z, 2020-01-17T05:11:45.751596412Z"
  })
  void shouldReadEveryShapeAzureExports(String text, String expected) {
    long nanos = Timestamps.parseEpochNanos(text);

    Instant expectedInstant = Instant.parse(expected);
    assertThat(nanos)
        .isEqualTo(expectedInstant.getEpochSecond() * 1_000_000_000L + expectedInstant.getNano());
  }

  @ParameterizedTest(name = "[{0}]")
  @CsvSource({
    "' UTC timestamp'",
    "2022-02-30T00:00:00Z",
    "2022-04-02T24:00:00Z",
    "2022-04-02T00:05:51.Z",
    "2022-04-02T00:05:51Zjunk",
    "2022/04/02 00:05:51",
    "1969-12-31T23:59:59Z",
    "''"
  })
  void shouldRejectWhatIsNotATimestamp(String text) {
    assertThat(Timestamps.parseEpochNanos(text)).isEqualTo(Timestamps.INVALID);
  }

  @Property(tries = 500)
  void shouldAgreeWithJavaTimeOnAnyInstantInAnyShape(
      @ForAll @LongRange(min = 0, max = 7_258_118_399L) long second,
      @ForAll @LongRange(min = 0, max = 999_999_999) long nano) {
    Instant instant = Instant.ofEpochSecond(second, nano);
    long expected = second * 1_000_000_000L + nano;
    String iso = DateTimeFormatter.ISO_INSTANT.format(instant);
    String sevenDigits =
        DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSS'Z'")
            .withZone(ZoneOffset.UTC)
            .format(instant);

    assertThat(Timestamps.parseEpochNanos(iso)).isEqualTo(expected);
    assertThat(Timestamps.parseEpochNanos(sevenDigits)).isEqualTo(expected - nano % 100);
  }
}
