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

  /** How long after its scenario ends an alert that fires still belongs to it. */
  private static final Duration ALERT_SLACK = Duration.ofMinutes(30);

  /** One injected incident. */
  record Injected(
      String scenario,
      String kind,
      boolean benign,
      String subject,
      Map<String, String> identity,
      Instant start,
      Instant end) {}

  /** The comparison for one scenario. */
  record ScenarioResult(
      String scenario,
      String kind,
      boolean benign,
      int injected,
      int found,
      List<Alert> alertsFired,
      Set<String> resolvedFingerprints) {

    boolean allFound() {
      return found == injected;
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
    Map<String, List<Injected>> byScenario = new LinkedHashMap<>();
    injected.forEach(i -> byScenario.computeIfAbsent(i.scenario(), s -> new ArrayList<>()).add(i));
    List<Alert> fired =
        transitions.stream().filter(a -> a.getTransition() == AlertTransition.FIRED).toList();
    Set<String> resolved =
        new java.util.HashSet<>(
            transitions.stream()
                .filter(a -> a.getTransition() == AlertTransition.RESOLVED)
                .map(Alert::getFingerprint)
                .toList());
    List<ScenarioResult> results = new ArrayList<>();
    for (Map.Entry<String, List<Injected>> e : byScenario.entrySet()) {
      List<Injected> list = e.getValue();
      int found = 0;
      for (Injected i : list) {
        if (incidents.stream().anyMatch(inc -> matches(i, inc))) {
          found++;
        }
      }
      List<Alert> alerts = new ArrayList<>();
      for (Alert a : fired) {
        if (list.stream().anyMatch(i -> concerns(i, a))) {
          alerts.add(a);
        }
      }
      Injected first = list.get(0);
      results.add(
          new ScenarioResult(
              e.getKey(), first.kind(), first.benign(), list.size(), found, alerts, resolved));
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
    Map<String, String> dims = new LinkedHashMap<>();
    a.getDimensions().forEach((k, v) -> dims.put(k.toString(), v == null ? null : v.toString()));
    // a benign pattern is judged by device-level alerts only: a hub-wide alert in the same hour
    // is about something else
    if (i.benign() && !dims.containsKey("deviceId")) {
      return false;
    }
    return sameIdentity(i, dims);
  }

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
