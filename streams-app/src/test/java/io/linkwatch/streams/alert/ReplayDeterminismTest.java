package io.linkwatch.streams.alert;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReplayDeterminismTest {

  @Test
  void shouldProduceByteIdenticalAlertsWhenTheSameInputIsReplayed() {
    List<byte[]> first = run();
    List<byte[]> second = run();

    assertThat(first).hasSizeGreaterThan(8);
    assertThat(second).hasSameSizeAs(first);
    for (int i = 0; i < first.size(); i++) {
      assertThat(second.get(i)).as("alert #%d", i).isEqualTo(first.get(i));
    }
  }

  private static List<byte[]> run() {
    try (AlertStageHarness lw = new AlertStageHarness()) {
      lw.rules(
          """
          id: outage
          signal: iothub.outages
          splitBy: [hub]
          window: 1m
          frequency: 1m
          operator: '>'
          threshold: 0
          inhibits: [{rules: [dev], equal: [hub]}]
          """,
          """
          id: dev
          signal: iothub.disconnects
          splitBy: [hub, deviceId]
          window: 2m
          frequency: 1m
          operator: '>='
          threshold: 2
          failingPeriods: 2 of 3
          flap: {transitions: 4, window: 10m}
          annotations: {summary: '{{ $value }} disconnects on {{ .deviceId }}'}
          """);
      lw.rule(
          """
          id: renewals
          signal: iothub.token_renewals
          splitBy: [hub]
          window: 1m
          frequency: 1m
          operator: '>'
          dynamic: {sensitivity: high, warmup: 4}
          """);
      double[] renewals = {10, 11, 10, 12, 10, 40, 11, 10, 10, 10, 10, 10};
      double[] dev = {3, 3, 0, 3, 3, 0, 0, 3, 3, 0, 0, 0};
      for (int m = 1; m <= 12; m++) {
        lw.at("renewals", m).dim("hub", "h1").value(renewals[m - 1]);
        lw.at("dev", m)
            .dim("hub", "h1")
            .dim("deviceId", "d1")
            .sample("e" + m, "404104")
            .value(dev[m - 1]);
        lw.at("outage", m).dim("hub", "h1").value(m >= 4 && m <= 6 ? 1 : 0);
        if (m == 5) {
          lw.at("dev", 4).dim("hub", "h1").dim("deviceId", "d1").revision(1).late(2).value(5);
        }
      }
      return lw.alerts().stream()
          .map(a -> lw.alertSerde().serializer().serialize("alerts", a))
          .toList();
    }
  }
}
