package io.linkwatch.streams.replay;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.linkwatch.avro.AlertRule;
import io.linkwatch.schemas.json.AvroJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Writes a backtest report: {@code backtest.json} (every transition the rules would have produced,
 * per-rule counts, time firing, the charted values, the comparison with the baseline) and {@code
 * backtest.html} (the same for a person, self-contained).
 */
public final class BacktestFiles {

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private BacktestFiles() {}

  /** Writes both files into {@code dir} (created if needed); returns the HTML file. */
  public static Path write(BacktestReport report, Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(
        dir.resolve("backtest.json"),
        JSON.writeValueAsString(json(report)) + "\n",
        StandardCharsets.UTF_8);
    Path html = dir.resolve("backtest.html");
    Files.writeString(html, BacktestHtml.render(report), StandardCharsets.UTF_8);
    return html;
  }

  static ObjectNode json(BacktestReport report) {
    JsonNodeFactory n = JsonNodeFactory.instance;
    ReplayResult r = report.candidate().result();
    Instant end = r.watermark() == null ? r.to() : r.watermark();
    ObjectNode root = n.objectNode();
    root.put("from", r.from().toString());
    root.put("to", r.to().toString());
    root.put("warmup", r.warmup().toString());
    root.put("lastEvent", r.watermark() == null ? null : r.watermark().toString());
    root.put("records", r.records());
    run(root.putObject("candidate"), report.candidate());
    if (report.baseline() != null) {
      run(root.putObject("baseline"), report.baseline());
    }
    ArrayNode rules = root.putArray("rules");
    for (BacktestReport.RuleOutcome o : report.rules()) {
      AlertRule rule = o.rule();
      ObjectNode x = rules.addObject();
      x.put("id", rule.getId().toString());
      x.put("version", rule.getVersion());
      x.put("name", rule.getName().toString());
      x.put("severity", rule.getSeverity().name());
      x.put("condition", RuleText.condition(rule));
      x.put("series", o.series());
      x.put("evaluations", o.evaluations());
      x.put("fired", o.fired());
      x.put("resolved", o.resolved());
      x.put("flapping", o.flapping());
      x.put("firingSeconds", o.firing().toSeconds());
      ObjectNode t = x.putObject("transitions");
      o.transitions().forEach(t::put);
      ArrayNode episodes = x.putArray("alerts");
      o.episodes().forEach(e -> episode(episodes.addObject(), e, end));
      ArrayNode charted = x.putArray("charted");
      for (BacktestReport.SeriesChart c : o.charted()) {
        ObjectNode s = charted.addObject();
        s.put("series", c.seriesKey());
        ArrayNode points = s.putArray("values");
        for (ReplayResult.ResultPoint p : c.points()) {
          ObjectNode v = points.addObject();
          v.put("windowStart", p.windowStart().toString());
          v.put("windowEnd", p.windowEnd().toString());
          if (Double.isNaN(p.value())) {
            v.putNull("value");
          } else {
            v.put("value", p.value());
          }
          v.put("count", p.count());
          v.put("revision", p.revision());
        }
      }
    }
    ArrayNode transitions = root.putArray("transitions");
    r.alerts().forEach(e -> transitions.add(AvroJson.toJson(e.value())));
    if (report.baseline() != null) {
      ObjectNode cmp = root.putObject("comparison");
      ArrayNode added = cmp.putArray("added");
      report.added().forEach(e -> episode(added.addObject(), e, end));
      ArrayNode removed = cmp.putArray("removed");
      report.removedByChangedRules().forEach(e -> episode(removed.addObject(), e, end));
      // "removed" only because the candidate does not define their rule
      ArrayNode absent = cmp.putArray("ofRulesNotInCandidate");
      report.removedByAbsentRules().forEach(e -> episode(absent.addObject(), e, end));
      cmp.put("unchanged", report.unchanged().size());
    }
    return root;
  }

  private static void run(ObjectNode o, BacktestReport.Run run) {
    o.put("rules", run.origin());
    ArrayNode versions = o.putArray("ruleVersions");
    run.result().ruleVersions().forEach(versions::add);
    o.put("alertTransitions", run.result().alerts().size());
    o.put("incidents", run.result().incidentRecords());
    o.put("aggregates", run.result().aggregates());
    o.put("elapsedSeconds", run.result().elapsed().toMillis() / 1000.0);
    o.put("digest", "sha256:" + run.result().digest());
  }

  private static void episode(ObjectNode o, BacktestReport.Episode e, Instant end) {
    o.put("alertId", e.alertId());
    o.put("rule", e.ruleId());
    o.put("fingerprint", e.fingerprint());
    ObjectNode dims = o.putObject("dimensions");
    e.dimensions().forEach(dims::put);
    o.put("firedAt", e.firedAt().toString());
    o.put("resolvedAt", e.resolvedAt() == null ? null : e.resolvedAt().toString());
    o.put("firingSeconds", e.duration(end).toSeconds());
    o.put("flapped", e.flapped());
    o.put("inhibited", e.inhibited());
  }
}
