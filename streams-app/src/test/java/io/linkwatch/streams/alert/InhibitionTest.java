package io.linkwatch.streams.alert;

import static org.assertj.core.api.Assertions.assertThat;

import io.linkwatch.avro.Alert;
import io.linkwatch.avro.MonitorCondition;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class InhibitionTest {

  private static final String OUTAGE =
      """
      id: outage
      name: Hub outage
      signal: iothub.outages
      splitBy: [hub]
      window: 1m
      frequency: 1m
      operator: '>'
      threshold: 0
      severity: Sev1
      inhibits: [{rules: [device-errors], equal: [hub]}]
      """;

  private static final String DEVICE =
      """
      id: device-errors
      name: Device sees server errors
      signal: iothub.server_errors
      splitBy: [hub, deviceId]
      window: 1m
      frequency: 1m
      operator: '>'
      threshold: 0
      severity: Sev3
      """;

  private static List<String> seen(List<Alert> alerts) {
    return alerts.stream()
        .map(
            a ->
                a.getTransition()
                    + " "
                    + a.getFingerprint()
                    + (a.getInhibited() ? " muted by " + a.getInhibitedBy() : "")
                    + " #"
                    + a.getSequence())
        .toList();
  }

  @Test
  void shouldMuteTargetsOfTheSameHubWhileTheSourceFiresAndRecordIt() {
    try (AlertStageHarness lw = new AlertStageHarness()) {
      lw.rules(OUTAGE, DEVICE);

      lw.at("device-errors", 1).dim("hub", "h1").dim("deviceId", "d1").value(3);
      lw.at("device-errors", 1).dim("hub", "h2").dim("deviceId", "d2").value(3);
      lw.at("outage", 1).dim("hub", "h1").value(1);
      lw.at("outage", 2).dim("hub", "h1").value(1);
      lw.at("device-errors", 2).dim("hub", "h1").dim("deviceId", "d1").value(3);
      lw.at("outage", 3).dim("hub", "h1").value(0);
      lw.at("device-errors", 3).dim("hub", "h1").dim("deviceId", "d1").value(3);
      lw.at("device-errors", 4).dim("hub", "h1").dim("deviceId", "d1").value(0);
      lw.at("outage", 5).dim("hub", "h1").value(0);

      List<Alert> alerts = lw.alerts();
      assertThat(seen(alerts))
          .containsExactly(
              "FIRED outage|hub=h1 #1",
              "INHIBITED device-errors|deviceId=d1|hub=h1 muted by outage|hub=h1 #1",
              "FIRED device-errors|deviceId=d2|hub=h2 #1",
              "RESOLVED outage|hub=h1 #2",
              "UNINHIBITED device-errors|deviceId=d1|hub=h1 #2",
              "RESOLVED device-errors|deviceId=d1|hub=h1 #3");
      Alert muted = alerts.get(1);
      assertThat(muted.getMonitorCondition()).isEqualTo(MonitorCondition.FIRED);
      assertThat(muted.getStateReason()).isEqualTo("InhibitedBy");
      assertThat(alerts.get(4).getStateReason()).isEqualTo("SourceResolved");
      assertThat(alerts.get(4).getAlertId()).isEqualTo(muted.getAlertId());
    }
  }

  @Test
  void shouldInhibitATargetThatFiredBeforeItsSource() {
    try (AlertStageHarness lw = new AlertStageHarness()) {
      lw.rules(OUTAGE, DEVICE);

      lw.at("device-errors", 1).dim("hub", "h1").dim("deviceId", "d1").value(3);
      lw.at("outage", 1).dim("hub", "h1").value(0);
      lw.at("device-errors", 2).dim("hub", "h1").dim("deviceId", "d1").value(3);
      lw.at("outage", 2).dim("hub", "h1").value(1);
      lw.at("outage", 3).dim("hub", "h1").value(1);

      assertThat(seen(lw.alerts()))
          .containsExactly(
              "FIRED device-errors|deviceId=d1|hub=h1 #1",
              "FIRED outage|hub=h1 #1",
              "INHIBITED device-errors|deviceId=d1|hub=h1 muted by outage|hub=h1 #2");
    }
  }

  @Test
  void shouldGiveTheSameResultWhateverOrderSourceAndTargetArriveIn() {
    Consumer<AlertStageHarness> targetFirst =
        lw -> {
          lw.at("device-errors", 1).dim("hub", "h1").dim("deviceId", "d1").value(3);
          lw.at("outage", 1).dim("hub", "h1").value(1);
          lw.at("outage", 2).dim("hub", "h1").value(1);
        };
    Consumer<AlertStageHarness> sourceFirst =
        lw -> {
          lw.at("outage", 1).dim("hub", "h1").value(1);
          lw.at("device-errors", 1).dim("hub", "h1").dim("deviceId", "d1").value(3);
          lw.at("outage", 2).dim("hub", "h1").value(1);
        };

    List<String> a = run(targetFirst);
    List<String> b = run(sourceFirst);

    assertThat(a).filteredOn(s -> s.startsWith("INHIBITED")).hasSize(1);
    assertThat(a.stream().filter(s -> s.contains("device-errors")).toList())
        .isEqualTo(b.stream().filter(s -> s.contains("device-errors")).toList());
  }

  @Test
  void shouldKeepATargetsTransitionsInOrderWhenOneAlertResolvesAndTheNextFiresAtTheSameWatermark() {
    try (AlertStageHarness lw = new AlertStageHarness()) {
      lw.rules(OUTAGE, DEVICE);
      lw.at("device-errors", 1).dim("hub", "h1").dim("deviceId", "d1").value(3);
      // windows 2 and 3 are closed together, at the same engine watermark
      lw.at("device-errors", 2)
          .dim("hub", "h1")
          .dim("deviceId", "d1")
          .grace(Duration.ofSeconds(90))
          .value(0);
      lw.at("device-errors", 3)
          .dim("hub", "h1")
          .dim("deviceId", "d1")
          .grace(Duration.ofSeconds(30))
          .value(3);
      lw.at("outage", 5).dim("hub", "h1").value(0);

      List<Alert> alerts = lw.alerts();
      assertThat(alerts)
          .extracting(a -> a.getTransition() + " #" + a.getSequence())
          .containsExactly("FIRED #1", "RESOLVED #2", "FIRED #1");
      assertThat(alerts.get(1).getAlertId()).isEqualTo(alerts.get(0).getAlertId());
      assertThat(alerts.get(2).getAlertId()).isNotEqualTo(alerts.get(0).getAlertId());
    }
  }

  @Test
  void shouldReleaseBufferedTargetsWhenTheEvaluatingPartitionFallsSilent() {
    try (AlertStageHarness lw = new AlertStageHarness()) {
      lw.rules(OUTAGE, DEVICE);
      lw.at("device-errors", 1).dim("hub", "h1").dim("deviceId", "d1").value(3);
      assertThat(lw.alerts()).isEmpty();

      // a pause shorter than the silence allowed (evaluatingWait, 1 min by default) holds it:
      // a partition is not left out because a slow machine or a failover paused it
      lw.advanceWallClock(Duration.ofSeconds(31));
      assertThat(lw.alerts()).isEmpty();

      lw.advanceWallClock(Duration.ofSeconds(60));
      assertThat(seen(lw.alerts())).containsExactly("FIRED device-errors|deviceId=d1|hub=h1 #1");
    }
  }

  private static List<String> run(Consumer<AlertStageHarness> feed) {
    try (AlertStageHarness lw = new AlertStageHarness()) {
      lw.rules(OUTAGE, DEVICE);
      feed.accept(lw);
      return seen(lw.alerts());
    }
  }
}
