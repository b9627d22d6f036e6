package io.linkwatch.schemas.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class DurationConverterTest {

  @Test
  void shouldReadDurationsAsPeopleWriteThem() {
    assertThat(DurationConverter.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(DurationConverter.parse("10s")).isEqualTo(Duration.ofSeconds(10));
    assertThat(DurationConverter.parse("5m")).isEqualTo(Duration.ofMinutes(5));
    assertThat(DurationConverter.parse("2h")).isEqualTo(Duration.ofHours(2));
    assertThat(DurationConverter.parse("1d")).isEqualTo(Duration.ofDays(1));
    assertThat(DurationConverter.parse("PT1M30S")).isEqualTo(Duration.ofSeconds(90));
    assertThat(DurationConverter.parse("pt10s")).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void shouldNameTheValueAndTheAcceptedFormsWhenItCannotRead() {
    assertThatThrownBy(() -> DurationConverter.parse("ten seconds"))
        .isInstanceOf(TypeConversionException.class)
        .hasMessageContaining("'ten seconds' is not a duration")
        .hasMessageContaining("10s");
  }
}
