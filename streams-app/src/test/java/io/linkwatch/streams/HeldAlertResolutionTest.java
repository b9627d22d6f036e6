package io.linkwatch.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.linkwatch.avro.Alert;
import io.linkwatch.avro.AlertRule;
import io.linkwatch.avro.DpsResultType;
import io.linkwatch.avro.Level;
import io.linkwatch.streams.rules.RuleLoader;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A rule that holds its alert after the condition clears ({@code keepFiringFor}) resolves when the
 * hold is over, on the clean windows that follow, and not as a stale series half an hour later: the
 * DPS throttling rule of the default pack holds 15 minutes at a 1-minute frequency, longer than the
 * window engine used to report a series without data (10 evaluations), so its alert ended only
 * through {@code MissingSeries}, about an hour after the throttling stopped.
 */
class HeldAlertResolutionTest {

  private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");
  private final TopologyFixture f =
      new TopologyFixture(Map.of("streams.grace.ms", 60_000L, "streams.idle.close.ms", 600_000L));

  @AfterEach
  void close() {
    f.close();
  }

  @Test
  void shouldResolveTheDpsThrottlingAlertWhenItsHoldIsOverNotAsAMissingSeries() throws Exception {
    AlertRule rule =
        RuleLoader.loadDefaultPack().alertRules().stream()
            .filter(r -> r.getId().equals("dps-throttling"))
            .findFirst()
            .orElseThrow();
    rule.setVersion(1);
    f.rules.pipeInput(rule.getId(), rule, T0);
    Instant lastThrottle = T0.plus(Duration.ofMinutes(12));
    for (int i = 0; i < 24; i++) {
      f.send(
          Events.dps("dps1", "reg" + i, T0.plus(Duration.ofMinutes(10)).plusSeconds(5L * i))
              .setResultType(DpsResultType.FAILURE)
              .setHttpStatus(429)
              .setLevel(Level.ERROR)
              .build());
    }
    // the fleet goes on: event time moves a minute at a time for an hour and a half
    for (int m = 13; m <= 100; m++) {
      f.advanceTo(T0.plus(Duration.ofMinutes(m)));
    }

    List<Alert> alerts = f.alerts.readValuesToList();
    assertThat(alerts)
        .extracting(a -> a.getTransition() + " " + a.getRuleId())
        .containsExactly("FIRED dps-throttling", "RESOLVED dps-throttling");
    Alert resolved = alerts.get(1);
    assertThat(resolved.getStateReason()).as("why it resolved").isNotEqualTo("MissingSeries");
    // clean from the first window without the burst (12:00 + 5 min), then held 15 minutes
    Instant end = resolved.getCondition().getWindowEnd();
    assertThat(end)
        .as("end of the window that resolved it")
        .isBetween(
            lastThrottle.plus(Duration.ofMinutes(15)), lastThrottle.plus(Duration.ofMinutes(25)));
  }
}
