package io.linkwatch.streams.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SvgChartTest {

  private static final Instant T0 = Instant.parse("2026-03-02T00:07:00Z");

  @Test
  void shouldLabelTheTimeAxisOnRoundUtcTimes() {
    String svg = new SvgChart(T0, T0.plus(Duration.ofMinutes(100))).render("series");

    assertThat(svg).contains(">03-02 00:30<", ">03-02 01:00<", ">03-02 01:30<");
    assertThat(svg).doesNotContain(">03-02 00:07<");
    assertThat(SvgChart.timeStep(Duration.ofMinutes(30).toMillis()))
        .isEqualTo(Duration.ofMinutes(5).toMillis());
    assertThat(SvgChart.timeStep(Duration.ofDays(1).toMillis()))
        .isEqualTo(Duration.ofHours(6).toMillis());
  }

  @Test
  void shouldWriteValuesAsAPersonWould() {
    assertThat(SvgChart.number(0.5)).isEqualTo("0.5");
    assertThat(SvgChart.number(0.125)).isEqualTo("0.125");
    assertThat(SvgChart.number(12)).isEqualTo("12");
    assertThat(SvgChart.number(1.25)).isEqualTo("1.25");
    assertThat(SvgChart.number(Double.NaN)).isEqualTo("no data");
    assertThat(SvgChart.number(Double.POSITIVE_INFINITY)).isEqualTo("∞");
  }
}
