package io.linkwatch.ingest.sim;

import io.linkwatch.ingest.parse.AgentLogParser;
import io.linkwatch.ingest.parse.AzureLogParser;
import io.linkwatch.ingest.parse.ParseOutput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.apache.kafka.clients.producer.Producer;

/**
 * Runs a simulation to one destination and writes its ground truth and summary: files (a file or a
 * folder, optionally in the Storage export layout), the raw export topics, or the event topics.
 */
public final class Simulation {

  /**
   * What was written.
   *
   * @param records simulated records (Azure records and agent lines, repeats not counted)
   * @param units units written: envelopes, lines, rows
   * @param incidents ground-truth incidents
   * @param truth the ground-truth file, or {@code null}
   * @param summaryFile the summary file, or {@code null}
   * @param summary the summary (JSON)
   * @param topics raw topics written, when producing the raw export
   */
  public record Outcome(
      long records,
      long units,
      int incidents,
      Path truth,
      Path summaryFile,
      String summary,
      Set<String> topics) {}

  /** Where a file output puts things. */
  public record Layout(Path records, Path storageRoot, Path agents, Path truth, Path summary) {

    /**
     * A folder ({@code records.jsonl} or the Storage layout, {@code agents/}, {@code truth.jsonl},
     * {@code summary.json}) when {@code out} is a folder, ends with '/' or has no extension; else a
     * file with {@code <file>.truth.jsonl}, {@code <file>.summary.json} and {@code <file>.agents/}
     * beside it.
     */
    public static Layout of(Path out, String given, boolean storage) {
      String name = out.getFileName() == null ? "" : out.getFileName().toString();
      boolean dir = Files.isDirectory(out) || given.endsWith("/") || !name.contains(".") || storage;
      if (dir) {
        return new Layout(
            storage ? null : out.resolve("records.jsonl"),
            storage ? out : null,
            out.resolve("agents"),
            out.resolve("truth.jsonl"),
            out.resolve("summary.json"));
      }
      return new Layout(
          out,
          null,
          out.resolveSibling(name + ".agents"),
          out.resolveSibling(name + ".truth.jsonl"),
          out.resolveSibling(name + ".summary.json"));
    }
  }

  private Simulation() {}

  /** Writes the simulation to files. */
  public static Outcome toFiles(SimOptions o, Layout layout, double speed, double rate) {
    FleetSimulator sim = new FleetSimulator(o);
    FileOutput out =
        new FileOutput(
            o.format(),
            sim.fleet().tenantId,
            new Pacer(speed, rate),
            layout.records(),
            layout.storageRoot(),
            layout.agents());
    FleetSimulator.Result result;
    try (out) {
      result = sim.run(out);
    }
    String where =
        layout.storageRoot() != null
            ? layout.storageRoot() + " (Storage layout)"
            : layout.records().toString();
    return finish(o, result, out.written(), where, layout.truth(), layout.summary(), Set.of());
  }

  /** Produces the raw export (insights-logs-* and the agent topic). */
  public static Outcome toRawTopics(
      SimOptions o,
      Producer<byte[], byte[]> producer,
      Path truth,
      Path summary,
      double speed,
      double rate) {
    FleetSimulator sim = new FleetSimulator(o);
    KafkaRawOutput out =
        new KafkaRawOutput(o.format(), sim.fleet().tenantId, new Pacer(speed, rate), producer);
    FleetSimulator.Result result;
    try (out) {
      result = sim.run(out);
    }
    return finish(
        o, result, out.written(), "raw topics " + out.topics(), truth, summary, out.topics());
  }

  /** Parses the simulation with the ingest parsers into {@code sink} (the event topics). */
  public static Outcome toEvents(
      SimOptions o,
      AzureLogParser azure,
      AgentLogParser agent,
      ParseOutput sink,
      Path truth,
      Path summary,
      double speed,
      double rate) {
    FleetSimulator sim = new FleetSimulator(o);
    EventsOutput out =
        new EventsOutput(
            o.format(),
            sim.fleet().tenantId,
            new Pacer(speed, rate),
            azure,
            agent,
            sink,
            "simulator");
    FleetSimulator.Result result;
    try (out) {
      result = sim.run(out);
    }
    return finish(o, result, out.written(), "event topics", truth, summary, Set.of());
  }

  private static Outcome finish(
      SimOptions o,
      FleetSimulator.Result result,
      long units,
      String where,
      Path truth,
      Path summary,
      Set<String> topics) {
    String json = SimulationReport.summary(result, o, where, truth);
    try {
      if (truth != null) {
        SimulationReport.writeTruth(result.truth(), truth);
      }
      if (summary != null) {
        SimulationReport.writeSummary(json, summary);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Outcome(
        result.records(), units, result.truth().size(), truth, summary, json, topics);
  }
}
