package io.linkwatch.ingest.sim;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes the ground truth (one JSON line per injected incident, see docs/formats.md) and the
 * summary (per scenario: time range, what it hit, how many incidents and records; the fleet; the
 * record counts) that tests and the rules engineer turn into expected incidents and alerts.
 */
public final class SimulationReport {

  private SimulationReport() {}

  static void writeTruth(List<Truth> truth, Path file) throws IOException {
    createParent(file);
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (Truth t : truth) {
        w.write(t.toJson());
        w.write('\n');
      }
    }
  }

  static String summary(FleetSimulator.Result result, SimOptions o, String output, Path truthFile) {
    Fleet f = result.fleet();
    List<String> hubs = new ArrayList<>();
    f.hubs.forEach(h -> hubs.add(h.name()));
    List<String> dps = new ArrayList<>();
    List<String> groups = new ArrayList<>();
    f.dps.forEach(
        d -> {
          dps.add(d.name());
          d.groups().forEach(g -> groups.add(g.id()));
        });
    List<String> machines = new ArrayList<>();
    f.machines.forEach(m -> machines.add(m.name()));
    String fleet =
        Json.object()
            .raw("devices", Integer.toString(f.devices.size()))
            .raw("hubs", Json.strings(hubs))
            .raw("dpsInstances", Json.strings(dps))
            .raw("enrollmentGroups", Json.strings(groups))
            .raw("machines", Json.strings(machines))
            .str("subscriptionId", f.subscriptionId)
            .end();
    Json categories = Json.object();
    result.byCategory().forEach((k, v) -> categories.raw(k, Long.toString(v)));
    String records =
        Json.object()
            .raw("azure", Long.toString(result.records() - result.agentLines()))
            .raw("agentLines", Long.toString(result.agentLines()))
            .raw("deliveredTwice", Long.toString(result.repeats()))
            .raw("late", Long.toString(result.late()))
            .raw("byCategory", categories.end())
            .end();
    List<String> scenarios = new ArrayList<>();
    for (Scenario s : Scenario.values()) {
      if (!o.has(s)) {
        continue;
      }
      FleetSimulator.ScenarioSummary ss = result.scenarios().get(s);
      Json j = Json.object().str("scenario", s.id()).str("description", s.description());
      if (ss == null || ss.incidents == 0) {
        j.raw("incidents", "0")
            .str("note", ss == null || ss.note == null ? "did not occur in this run" : ss.note);
      } else {
        List<String> kinds = new ArrayList<>();
        ss.kinds.forEach(k -> kinds.add(k.name()));
        j.raw("kinds", Json.strings(kinds))
            .str("start", Instant.ofEpochMilli(ss.start).toString())
            .str("end", Instant.ofEpochMilli(ss.end).toString())
            .raw("incidents", Integer.toString(ss.incidents))
            .raw("events", Integer.toString(ss.events))
            .raw("hubs", Json.strings(ss.hubs))
            .raw("dpsInstances", Json.strings(ss.dpsInstances))
            .raw("machines", Json.strings(ss.machines))
            .raw("enrollmentGroups", Json.strings(ss.enrollmentGroups))
            .raw("subjects", Integer.toString(ss.devices.size()))
            .strIfPresent("note", ss.note);
      }
      scenarios.add(j.end());
    }
    Map<String, Integer> byKind = new TreeMap<>();
    result.truth().forEach(t -> byKind.merge(t.kind.name(), 1, Integer::sum));
    Json kinds = Json.object();
    byKind.forEach((k, v) -> kinds.raw(k, Integer.toString(v)));
    return Json.object()
            .str("generator", "linkwatch simulate")
            .raw("seed", Long.toString(o.seed()))
            .str("start", o.start().toString())
            .str("end", o.end().toString())
            .str("format", o.format().name().toLowerCase(Locale.ROOT))
            .str("output", output)
            .raw("fleet", fleet)
            .raw("records", records)
            .raw("scenarios", Json.array(scenarios))
            .raw(
                "truth",
                Json.object()
                    .str("file", truthFile == null ? null : truthFile.toString())
                    .raw("incidents", Integer.toString(result.truth().size()))
                    .raw("byKind", kinds.end())
                    .end())
            .end()
        + "\n";
  }

  static void writeSummary(String summary, Path file) throws IOException {
    createParent(file);
    Files.writeString(file, summary, StandardCharsets.UTF_8);
  }

  private static void createParent(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
  }
}
