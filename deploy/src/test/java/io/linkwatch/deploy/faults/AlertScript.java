package io.linkwatch.deploy.faults;

import io.linkwatch.avro.Alert;
import io.linkwatch.avro.AlertCondition;
import io.linkwatch.avro.AlertEvidence;
import io.linkwatch.avro.AlertTransition;
import io.linkwatch.avro.Hint;
import io.linkwatch.avro.MonitorCondition;
import io.linkwatch.avro.Severity;
import io.linkwatch.avro.ThresholdKind;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Alert transitions as the alert stage writes them, for the sink's fault tests: series {@code
 * <run>-rule|hub=hub-<i>} that fire and later resolve, in the order a test plays them. Times are
 * the wall clock's, as on a live pipeline, so that Alertmanager takes a fired alert as firing.
 */
final class AlertScript {

  private final String run;
  private final List<Alert> played = new ArrayList<>();
  private final Map<String, Alert> firing = new LinkedHashMap<>();

  AlertScript(String run) {
    this.run = run;
  }

  /** A new series fires. */
  Alert fire(int series) {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    String hub = run + "-hub-" + series;
    String fingerprint = run + "-rule|hub=" + hub;
    Alert a =
        Alert.newBuilder()
            .setAlertId(fingerprint + "@" + now.toEpochMilli())
            .setFingerprint(fingerprint)
            .setSequence(1)
            .setTransition(AlertTransition.FIRED)
            .setMonitorCondition(MonitorCondition.FIRED)
            .setRuleId(run + "-rule")
            .setRuleName("Device disconnects on a hub (" + run + ")")
            .setRuleVersion(1)
            .setDescription("More devices than usual disconnect with 404104.")
            .setSeverity(Severity.SEV1)
            .setSignal("iothub.disconnects")
            .setTargetResourceIds(
                List.of(
                    "/subscriptions/0000/resourceGroups/rg-iot/providers/Microsoft.Devices/IotHubs/"
                        + hub))
            .setDimensions(Map.of("hub", hub))
            .setCondition(
                AlertCondition.newBuilder()
                    .setAggregation("count")
                    .setOperator("GreaterThan")
                    .setThreshold(20.0)
                    .setThresholdKind(ThresholdKind.STATIC)
                    .setObservedValue(40 + series)
                    .setWindowStart(now.minus(Duration.ofMinutes(5)))
                    .setWindowEnd(now)
                    .setWindowSizeMs(Duration.ofMinutes(5).toMillis())
                    .setEvaluationFrequencyMs(Duration.ofMinutes(1).toMillis())
                    .build())
            .setFiredTime(now)
            .setEvaluatedAt(now)
            .setLabels(Map.of("team", "iot-oncall"))
            .setAnnotations(Map.of())
            .setEvidence(AlertEvidence.newBuilder().build())
            .setHint(
                Hint.newBuilder()
                    .setProbableCause("The hub closes the devices' connections.")
                    .setSolution("Look for a 401003 before the 404104.")
                    .setReference("https://learn.microsoft.com/azure/iot-hub/")
                    .build())
            .build();
    firing.put(fingerprint, a);
    played.add(a);
    return a;
  }

  /** The oldest firing series resolves. */
  Alert resolveOldest() {
    Alert fired = firing.values().iterator().next();
    firing.remove(fired.getFingerprint());
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    Alert a =
        Alert.newBuilder(fired)
            .setSequence(fired.getSequence() + 1)
            .setTransition(AlertTransition.RESOLVED)
            .setMonitorCondition(MonitorCondition.RESOLVED)
            .setResolvedTime(now)
            .setEvaluatedAt(now)
            .setCondition(
                AlertCondition.newBuilder(fired.getCondition()).setObservedValue(3).build())
            .build();
    played.add(a);
    return a;
  }

  boolean anyFiring() {
    return !firing.isEmpty();
  }

  /** Every transition played so far, in order. */
  List<Alert> played() {
    return List.copyOf(played);
  }

  /** The idempotency keys of every transition played, in order. */
  List<String> keys() {
    return played.stream().map(AlertScript::key).toList();
  }

  /** What a receiver should hold as firing now: alert id to the sequence of its transition. */
  Map<String, String> firingNow() {
    Map<String, String> out = new java.util.TreeMap<>();
    firing.values().forEach(a -> out.put(a.getAlertId(), Long.toString(a.getSequence())));
    return out;
  }

  static String key(Alert a) {
    return a.getAlertId() + ":" + a.getSequence();
  }
}
