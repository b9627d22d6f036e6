package io.linkwatch.deploy.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.linkwatch.avro.Alert;
import io.linkwatch.avro.AlertTransition;
import io.linkwatch.avro.Incident;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The simulator's ground truth (one JSON line per injected incident) compared with what the
 * pipeline found: per scenario, how many injected incidents have a matching incident on the topic
 * (same kind, same subject, overlapping in event time), and which alerts fired on its subjects.
 */
final class GroundTruth {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> IDENTITY =
      List.of("hub", "deviceId", "dpsInstance", "registrationId", "machine");

  /** How far an incident may start before or end after what was injected and still match. */
  private static final Duration SLACK = Duration.ofMinutes(20);

  /**
   * How long after its scenario ends an alert that fires still belongs to it: a window, the grace
   * period and the evaluation frequency can add up to an hour for the longer rules.
   */
  private static final Duration ALERT_SLACK = Duration.ofMinutes(60);

  /** One injected incident. */
  record Injected(
      String scenario,
      String kind,
      boolean benign,
      String subject,
      Map<String, String> identity,
      Instant start,
      Instant end) {}

  /**
   * The comparison for one scenario.
   *
   * @param injectedByKind incidents injected, by kind
   * @param foundByKind of those, how many have a matching incident on the topic
   * @param benign whether every incident of the scenario is benign (no alert expected)
   * @param alertsFired alerts on the scenario's subjects, of the signals its kinds feed
   */
  record ScenarioResult(
      String scenario,
      Map<String, Integer> injectedByKind,
      Map<String, Integer> foundByKind,
      boolean benign,
      List<Alert> alertsFired,
      Set<String> resolvedFingerprints,
      boolean lastsToTheEnd) {

    boolean allFound() {
      return injectedByKind.equals(foundByKind);
    }
  }

  private final List<Injected> injected;

  private GroundTruth(List<Injected> injected) {
    this.injected = injected;
  }

  static GroundTruth read(Path file) {
    List<Injected> out = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (line.isBlank()) {
          continue;
        }
        JsonNode n = JSON.readTree(line);
        Map<String, String> identity = new LinkedHashMap<>();
        for (String field : IDENTITY) {
          JsonNode v = n.get(field);
          if (v != null && !v.isNull()) {
            identity.put(field, v.asText());
          }
        }
        out.add(
            new Injected(
                n.get("scenario").asText(),
                n.get("kind").asText(),
                n.path("benign").asBoolean(false),
                n.path("subject").asText(""),
                identity,
                Instant.parse(n.get("start").asText()),
                Instant.parse(n.get("end").asText())));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the ground truth " + file, e);
    }
    return new GroundTruth(out);
  }

  int size() {
    return injected.size();
  }

  /** Per scenario, in the order the ground truth names them. */
  List<ScenarioResult> compare(List<Incident> incidents, List<Alert> transitions) {
    Instant end = injected.stream().map(Injected::end).max(Instant::compareTo).orElse(Instant.MIN);
    Map<String, List<Injected>> byScenario = new LinkedHashMap<>();
    injected.forEach(i -> byScenario.computeIfAbsent(i.scenario(), s -> new ArrayList<>()).add(i));
    // paged: fired, or firing once the alert that inhibited it resolved
    List<Alert> fired =
        transitions.stream()
            .filter(
                a ->
                    a.getTransition() == AlertTransition.FIRED
                        || a.getTransition() == AlertTransition.UNINHIBITED)
            .toList();
    Set<String> resolved =
        new java.util.HashSet<>(
            transitions.stream()
                .filter(a -> a.getTransition() == AlertTransition.RESOLVED)
                .map(Alert::getFingerprint)
                .toList());
    List<ScenarioResult> results = new ArrayList<>();
    for (Map.Entry<String, List<Injected>> e : byScenario.entrySet()) {
      List<Injected> list = e.getValue();
      Map<String, Integer> injectedByKind = new LinkedHashMap<>();
      Map<String, Integer> foundByKind = new LinkedHashMap<>();
      for (Injected i : list) {
        injectedByKind.merge(i.kind(), 1, Integer::sum);
        foundByKind.merge(
            i.kind(), incidents.stream().anyMatch(inc -> matches(i, inc)) ? 1 : 0, Integer::sum);
      }
      boolean benign = list.stream().allMatch(Injected::benign);
      List<Alert> alerts = new ArrayList<>();
      for (Alert a : fired) {
        // on a benign scenario, an alert that a real incident of the same subject explains (the
        // revoked device renewed its token too, before) is no false alarm
        if (list.stream().anyMatch(i -> concerns(i, a))
            && !(benign && injected.stream().anyMatch(i -> !i.benign() && concerns(i, a)))) {
          alerts.add(a);
        }
      }
      // an incident still going on when the simulated span ends keeps its alert firing, rightly
      boolean lastsToTheEnd =
          list.stream().anyMatch(i -> !i.benign() && !i.end().isBefore(end.minus(SLACK)));
      results.add(
          new ScenarioResult(
              e.getKey(), injectedByKind, foundByKind, benign, alerts, resolved, lastsToTheEnd));
    }
    return results;
  }

  /** Alerts that fired on no injected subject. */
  List<Alert> unexplained(List<Alert> transitions) {
    return transitions.stream()
        .filter(a -> a.getTransition() == AlertTransition.FIRED)
        .filter(a -> injected.stream().noneMatch(i -> concerns(i, a)))
        .toList();
  }

  private static boolean matches(Injected i, Incident inc) {
    if (!inc.getKind().name().equals(i.kind())) {
      return false;
    }
    boolean sameSubject = inc.getSubject().equals(i.subject()) || sameIdentity(i, identity(inc));
    return sameSubject
        && !inc.getStartTime().isAfter(i.end().plus(SLACK))
        && !inc.getEndTime().isBefore(i.start().minus(SLACK));
  }

  /** Whether an alert is about the subject of an injected incident, while it happened. */
  private static boolean concerns(Injected i, Alert a) {
    if (a.getFiredTime() == null) {
      return false;
    }
    Instant fired = a.getFiredTime();
    if (fired.isBefore(i.start().minus(Duration.ofMinutes(5)))
        || fired.isAfter(i.end().plus(ALERT_SLACK))) {
      return false;
    }
    String signal = a.getSignal().toString();
    if (SIGNALS.getOrDefault(i.kind(), List.of()).stream().noneMatch(signal::startsWith)) {
      return false;
    }
    Map<String, String> dims = new LinkedHashMap<>();
    a.getDimensions().forEach((k, v) -> dims.put(k.toString(), v == null ? null : v.toString()));
    // fleet-wide rules split by 'scope': a hub or a DPS instance
    String scope = dims.get("scope");
    if (scope != null) {
      dims.putIfAbsent("hub", scope);
      dims.putIfAbsent("dpsInstance", scope);
    }
    return sameIdentity(i, dims);
  }

  /**
   * The signals an incident of each kind feeds: an alert on the subject of an injected incident is
   * about it only if it watches one of these (for a benign kind, such an alert is a false alarm).
   */
  private static final Map<String, List<String>> SIGNALS =
      Map.ofEntries(
          Map.entry("TOKEN_RENEWAL", List.of("iothub.auth_failures")),
          Map.entry("AUTH_FAILURE", List.of("iothub.auth_failures", "iothub.disconnects")),
          Map.entry(
              "HUB_OUTAGE",
              List.of("iothub.outages", "iothub.server_errors", "iothub.disconnects")),
          Map.entry("SECONDARY_DISCONNECT", List.of("iothub.disconnects")),
          Map.entry("THROTTLED", List.of("iothub.throttling", "dps.throttling", "dps.attestation")),
          Map.entry("ATTESTATION_FAILURE", List.of("dps.attestation")),
          Map.entry("REPROVISIONED", List.of("dps.assignment_flaps")),
          Map.entry("ASSIGNMENT_FLAPPING", List.of("dps.assignment_flaps")),
          Map.entry("LEGACY_SDK", List.of("devices.legacy_sdk")),
          Map.entry("AGENT_CONNECTION_FAILURE", List.of("arc.")));

  /** Every identity field both sides have agrees, and they share at least one. */
  private static boolean sameIdentity(Injected i, Map<String, String> other) {
    int shared = 0;
    for (Map.Entry<String, String> e : i.identity().entrySet()) {
      String theirs = other.get(e.getKey());
      if (theirs == null) {
        continue;
      }
      if (!Objects.equals(theirs, e.getValue())) {
        return false;
      }
      shared++;
    }
    return shared > 0;
  }

  private static Map<String, String> identity(Incident inc) {
    Map<String, String> m = new LinkedHashMap<>();
    put(m, "hub", inc.getHub());
    put(m, "deviceId", inc.getDeviceId());
    put(m, "dpsInstance", inc.getDpsInstance());
    put(m, "registrationId", inc.getRegistrationId());
    put(m, "machine", inc.getMachine());
    return m;
  }

  private static void put(Map<String, String> m, String k, CharSequence v) {
    if (v != null) {
      m.put(k, v.toString());
    }
  }
}
