package io.linkwatch.sink;

import io.linkwatch.avro.Alert;
import io.linkwatch.avro.AlertCondition;
import io.linkwatch.avro.AlertEvidence;
import io.linkwatch.avro.AlertTransition;
import io.linkwatch.avro.EvidenceEvent;
import io.linkwatch.avro.Hint;
import io.linkwatch.avro.MonitorCondition;
import io.linkwatch.avro.OffsetRange;
import io.linkwatch.avro.Severity;
import io.linkwatch.avro.ThresholdKind;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Hand-made alert transitions, shaped like the ones the alert stage emits. */
public final class TestAlerts {

  public static final Instant T0 = Instant.parse("2025-06-01T12:00:00Z");

  private TestAlerts() {}

  /** A FIRED transition of rule {@code hub-disconnects} on one hub, with evidence and a hint. */
  public static Alert fired(String hub, Severity severity) {
    return fired("hub-disconnects", hub, severity, T0);
  }

  public static Alert fired(String rule, String hub, Severity severity, Instant at) {
    String fingerprint = rule + "|hub=" + hub;
    return Alert.newBuilder()
        .setAlertId(fingerprint + "@" + at.toEpochMilli())
        .setFingerprint(fingerprint)
        .setSequence(1)
        .setTransition(AlertTransition.FIRED)
        .setMonitorCondition(MonitorCondition.FIRED)
        .setRuleId(rule)
        .setRuleName("Device disconnects on " + "hub")
        .setRuleVersion(3)
        .setDescription(
            "More devices than usual disconnect with 404104 DeviceConnectionClosedRemotely.")
        .setSeverity(severity)
        .setSignal("iothub.disconnects")
        .setTargetResourceIds(
            List.of(
                "/subscriptions/0000/resourceGroups/rg-iot/providers/Microsoft.Devices/IotHubs/"
                    + hub))
        .setDimensions(Map.of("hub", hub, "resultCode", "404104"))
        .setCondition(
            AlertCondition.newBuilder()
                .setAggregation("count")
                .setOperator("GreaterThan")
                .setThreshold(20.0)
                .setThresholdKind(ThresholdKind.STATIC)
                .setObservedValue(57)
                .setWindowStart(at.minus(Duration.ofMinutes(5)))
                .setWindowEnd(at)
                .setWindowSizeMs(Duration.ofMinutes(5).toMillis())
                .setEvaluationFrequencyMs(Duration.ofMinutes(1).toMillis())
                .build())
        .setFiredTime(at)
        .setEvaluatedAt(at)
        .setLabels(Map.of("team", "iot-oncall"))
        .setAnnotations(Map.of())
        .setEvidence(
            AlertEvidence.newBuilder()
                .setSampleEvents(
                    List.of(
                        EvidenceEvent.newBuilder()
                            .setEventId("evt-1")
                            .setTime(at.minusSeconds(42))
                            .setTopic("linkwatch.events.connections.v1")
                            .setPartition(1)
                            .setOffset(1234)
                            .setSummary(
                                "deviceDisconnect 404104 DeviceConnectionClosedRemotely sensor-7")
                            .setCode("404104")
                            .build()))
                .setInputOffsets(
                    List.of(
                        OffsetRange.newBuilder()
                            .setTopic("linkwatch.events.connections.v1")
                            .setPartition(1)
                            .setFromOffset(1200)
                            .setToOffset(1290)
                            .setCount(57)
                            .build()))
                .setLateRecords(2)
                .build())
        .setHint(
            Hint.newBuilder()
                .setProbableCause(
                    "Devices lose their connection: network outage at the site, or the hub closes idle MQTT links.")
                .setSolution(
                    "Check the site's connectivity and the devices' keep-alive; look for a 401003 before the 404104.")
                .setReference(
                    "https://learn.microsoft.com/azure/iot-hub/iot-hub-troubleshoot-error-404104-deviceconnectionclosedremotely")
                .build())
        .build();
  }

  /** The RESOLVED transition that follows {@code fired}. */
  public static Alert resolved(Alert fired, Instant at) {
    return Alert.newBuilder(fired)
        .setSequence(fired.getSequence() + 1)
        .setTransition(AlertTransition.RESOLVED)
        .setMonitorCondition(MonitorCondition.RESOLVED)
        .setResolvedTime(at)
        .setEvaluatedAt(at)
        .setCondition(AlertCondition.newBuilder(fired.getCondition()).setObservedValue(3).build())
        .build();
  }

  /** The same alert, explained by another one: recorded, not paged. */
  public static Alert inhibited(Alert fired, String by) {
    return Alert.newBuilder(fired)
        .setSequence(fired.getSequence() + 1)
        .setTransition(AlertTransition.INHIBITED)
        .setInhibited(true)
        .setInhibitedBy(by)
        .build();
  }
}
