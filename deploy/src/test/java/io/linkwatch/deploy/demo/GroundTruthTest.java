package io.linkwatch.deploy.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.linkwatch.avro.Alert;
import io.linkwatch.avro.AlertTransition;
import io.linkwatch.avro.Incident;
import io.linkwatch.avro.IncidentKind;
import io.linkwatch.avro.MonitorCondition;
import io.linkwatch.avro.Severity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo's comparison of the simulator's ground truth with what the pipeline found. */
class GroundTruthTest {

  private static final Instant T = Instant.parse("2026-03-01T10:00:00Z");

  @TempDir Path dir;

  @Test
  void shouldMatchAnInjectedIncidentBySubjectKindAndTime() throws Exception {
    GroundTruth truth =
        truth(
            line(
                "revoked-credentials",
                "AUTH_FAILURE",
                false,
                "hub-1/dev-7",
                "hub-1",
                "dev-7",
                0,
                20),
            line("token-renewal", "TOKEN_RENEWAL", true, "hub-1/dev-8", "hub-1", "dev-8", 5, 6));

    List<GroundTruth.ScenarioResult> results =
        truth.compare(
            List.of(
                incident(IncidentKind.AUTH_FAILURE, "hub-1/dev-7", "hub-1", "dev-7", 2, 3),
                // a renewal of another device, and one two hours away: neither matches
                incident(IncidentKind.TOKEN_RENEWAL, "hub-1/dev-9", "hub-1", "dev-9", 5, 6),
                incident(IncidentKind.TOKEN_RENEWAL, "hub-1/dev-8", "hub-1", "dev-8", 125, 126)),
            List.of(
                alert("iothub.auth_failures", AlertTransition.FIRED, "hub-1", "dev-7", 15),
                alert("iothub.auth_failures", AlertTransition.RESOLVED, "hub-1", "dev-7", 15)));

    GroundTruth.ScenarioResult revoked = results.get(0);
    assertThat(revoked.scenario()).isEqualTo("revoked-credentials");
    assertThat(revoked.allFound()).isTrue();
    assertThat(revoked.alertsFired()).hasSize(1);
    assertThat(revoked.resolvedFingerprints()).contains("fp-dev-7");
    GroundTruth.ScenarioResult renewal = results.get(1);
    assertThat(renewal.benign()).isTrue();
    assertThat(renewal.foundByKind()).containsEntry("TOKEN_RENEWAL", 0);
    assertThat(renewal.alertsFired()).isEmpty();
  }

  @Test
  void shouldCallAnAuthAlertOnARenewingDeviceAFalseAlarm() throws Exception {
    GroundTruth truth =
        truth(line("token-renewal", "TOKEN_RENEWAL", true, "hub-1/dev-8", "hub-1", "dev-8", 0, 1));

    List<GroundTruth.ScenarioResult> results =
        truth.compare(
            List.of(),
            List.of(alert("iothub.auth_failures", AlertTransition.FIRED, "hub-1", "dev-8", 5)));

    assertThat(results.get(0).alertsFired()).hasSize(1);
    assertThat(
            truth.unexplained(
                List.of(
                    alert("arc.connection_failures", AlertTransition.FIRED, "hub-2", "dev-1", 5))))
        .hasSize(1);
  }

  @Test
  void shouldNotCallTheAlertOfARevokedDeviceAFalseAlarmOfItsEarlierRenewals() throws Exception {
    GroundTruth truth =
        truth(
            line("token-renewal", "TOKEN_RENEWAL", true, "hub-1/dev-7", "hub-1", "dev-7", 0, 1),
            line(
                "revoked-credentials",
                "AUTH_FAILURE",
                false,
                "hub-1/dev-7",
                "hub-1",
                "dev-7",
                2,
                30));

    List<GroundTruth.ScenarioResult> results =
        truth.compare(
            List.of(),
            List.of(alert("iothub.auth_failures", AlertTransition.FIRED, "hub-1", "dev-7", 10)));

    assertThat(results.get(0).scenario()).isEqualTo("token-renewal");
    assertThat(results.get(0).alertsFired()).isEmpty();
    assertThat(results.get(1).alertsFired()).hasSize(1);
  }

  private GroundTruth truth(String... lines) throws Exception {
    Path file = dir.resolve("truth.jsonl");
    Files.write(file, List.of(lines));
    return GroundTruth.read(file);
  }

  private static String line(
      String scenario,
      String kind,
      boolean benign,
      String subject,
      String hub,
      String device,
      int from,
      int to) {
    return "{\"scenario\":\""
        + scenario
        + "\",\"kind\":\""
        + kind
        + "\",\"benign\":"
        + benign
        + ",\"subject\":\""
        + subject
        + "\",\"hub\":\""
        + hub
        + "\",\"deviceId\":\""
        + device
        + "\",\"dpsInstance\":null,\"start\":\""
        + T.plusSeconds(60L * from)
        + "\",\"end\":\""
        + T.plusSeconds(60L * to)
        + "\",\"events\":3}";
  }

  private static Incident incident(
      IncidentKind kind, String subject, String hub, String device, int from, int to) {
    return Incident.newBuilder()
        .setIncidentId(kind + subject + from)
        .setKind(kind)
        .setBenign(kind == IncidentKind.TOKEN_RENEWAL)
        .setSubject(subject)
        .setHub(hub)
        .setDeviceId(device)
        .setStartTime(T.plusSeconds(60L * from))
        .setEndTime(T.plusSeconds(60L * to))
        .setSummary("s")
        .setEventCount(3)
        .build();
  }

  private static Alert alert(
      String signal, AlertTransition t, String hub, String device, int firedAt) {
    // only what the comparison reads; the builder would insist on the evidence too
    Alert a = new Alert();
    a.setAlertId("id-" + device);
    a.setFingerprint("fp-" + device);
    a.setTransition(t);
    a.setMonitorCondition(
        t == AlertTransition.FIRED ? MonitorCondition.FIRED : MonitorCondition.RESOLVED);
    a.setRuleName("Rule");
    a.setSeverity(Severity.SEV2);
    a.setSignal(signal);
    a.setDimensions(Map.of("hub", hub, "deviceId", device));
    a.setFiredTime(T.plusSeconds(60L * firedAt));
    return a;
  }
}
