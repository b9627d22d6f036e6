package io.linkwatch.streams;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.linkwatch.avro.AgentEvent;
import io.linkwatch.avro.ConnectionEvent;
import io.linkwatch.avro.DeadLetter;
import io.linkwatch.avro.Incident;
import io.linkwatch.avro.IncidentKind;
import io.linkwatch.avro.ProvisioningEvent;
import io.linkwatch.ingest.parse.AgentLogParser;
import io.linkwatch.ingest.parse.AzureLogParser;
import io.linkwatch.ingest.parse.ParseOutput;
import io.linkwatch.ingest.sim.SimOptions;
import io.linkwatch.ingest.sim.Simulation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The ingest module's fleet simulator run through the ingest parsers: the typed events in the order
 * they reach the event topics (late and repeated deliveries included) and the simulator's ground
 * truth, plus the scoring of incidents against it.
 */
final class SimulatedFleet {

  /** One event for one of the event topics, in arrival order. */
  record Event(String topic, String key, Object value, long time) {}

  /** One line of the ground truth. */
  record Truth(IncidentKind kind, String subject, boolean benign) {}

  final List<Event> events = new ArrayList<>();
  final List<Truth> truth = new ArrayList<>();
  int deadLetters;

  static SimulatedFleet run(SimOptions options, Path dir) {
    SimulatedFleet fleet = new SimulatedFleet();
    ParseOutput sink =
        new ParseOutput() {
          @Override
          public void connection(String key, ConnectionEvent e) {
            fleet.events.add(new Event("connections", key, e, e.getTime().toEpochMilli()));
          }

          @Override
          public void provisioning(String key, ProvisioningEvent e) {
            fleet.events.add(new Event("provisioning", key, e, e.getTime().toEpochMilli()));
          }

          @Override
          public void agent(String key, AgentEvent e) {
            fleet.events.add(new Event("agent", key, e, e.getTime().toEpochMilli()));
          }

          @Override
          public void deadLetter(String key, DeadLetter d) {
            fleet.deadLetters++;
          }
        };
    Path truthFile = dir.resolve("truth.jsonl");
    Simulation.toEvents(
        options,
        new AzureLogParser(1 << 20, 1 << 16, () -> 0L),
        new AgentLogParser(1 << 16, 1 << 16, () -> 0L),
        sink,
        truthFile,
        dir.resolve("summary.json"),
        0,
        0);
    ObjectMapper json = new ObjectMapper();
    try {
      for (String line : Files.readAllLines(truthFile)) {
        if (line.isBlank()) {
          continue;
        }
        JsonNode n = json.readTree(line);
        fleet.truth.add(
            new Truth(
                IncidentKind.valueOf(n.get("kind").asText()),
                n.get("subject").asText(),
                n.get("benign").asBoolean()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return fleet;
  }

  /** Default fleet options over recent event times (the event topics keep 7 days). */
  static SimOptions options(long seed, Duration span, int devices) {
    SimOptions d =
        SimOptions.defaults(
            seed,
            Instant.now()
                .truncatedTo(java.time.temporal.ChronoUnit.HOURS)
                .minus(span)
                .minus(Duration.ofHours(2)));
    return new SimOptions(
        d.seed(),
        d.start(),
        span,
        devices,
        d.hubs(),
        d.dpsInstances(),
        d.machines(),
        d.scenarios(),
        d.format(),
        d.duplicateRate(),
        d.lateRate());
  }

  /** Precision and recall per kind, by (kind, subject); prints them and returns the report. */
  static Map<IncidentKind, double[]> score(
      Collection<Truth> truth, Collection<Incident> found, String label) {
    Set<Truth> expected = new HashSet<>(truth);
    Set<Truth> got = new HashSet<>();
    for (Incident i : found) {
      got.add(new Truth(i.getKind(), i.getSubject(), i.getBenign()));
    }
    Map<IncidentKind, double[]> report = new TreeMap<>();
    Set<IncidentKind> kinds = new HashSet<>();
    expected.forEach(t -> kinds.add(t.kind()));
    got.forEach(t -> kinds.add(t.kind()));
    StringBuilder out = new StringBuilder(label + ": precision / recall by kind (kind+subject)\n");
    long tpAll = 0;
    for (IncidentKind k : kinds) {
      long e = expected.stream().filter(t -> t.kind() == k).count();
      long g = got.stream().filter(t -> t.kind() == k).count();
      long tp = got.stream().filter(t -> t.kind() == k && expected.contains(t)).count();
      tpAll += tp;
      double p = g == 0 ? 1.0 : (double) tp / g;
      double r = e == 0 ? 1.0 : (double) tp / e;
      report.put(k, new double[] {p, r, e, g});
      out.append(
          String.format(
              "  %-26s expected %5d found %5d  precision %.3f recall %.3f%n", k, e, g, p, r));
    }
    out.append(
        String.format(
            "  %-26s expected %5d found %5d  precision %.3f recall %.3f%n",
            "ALL",
            expected.size(),
            got.size(),
            got.isEmpty() ? 1.0 : (double) tpAll / got.size(),
            expected.isEmpty() ? 1.0 : (double) tpAll / expected.size()));
    Map<IncidentKind, Long> lines = new TreeMap<>();
    truth.forEach(t -> lines.merge(t.kind(), 1L, Long::sum));
    Map<IncidentKind, Long> emitted = new TreeMap<>();
    found.stream()
        .filter(i -> i.getRevision() == 0)
        .forEach(i -> emitted.merge(i.getKind(), 1L, Long::sum));
    out.append("  occurrences (truth lines / incidents at revision 0): ");
    kinds.stream()
        .sorted()
        .forEach(
            k ->
                out.append(k)
                    .append(' ')
                    .append(lines.getOrDefault(k, 0L))
                    .append('/')
                    .append(emitted.getOrDefault(k, 0L))
                    .append("; "));
    out.append('\n');
    System.out.print(out);
    return report;
  }
}
