package io.linkwatch.streams.replay.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.linkwatch.avro.Alert;
import io.linkwatch.schemas.json.AvroJson;
import io.linkwatch.streams.replay.ReplayResult;
import io.linkwatch.streams.replay.VerifyReport;
import java.io.PrintWriter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** The summary a replay prints, and the same as JSON ({@code summary.json}). */
final class ReplaySummary {

  private static final int MAX_FINDINGS = 50;

  private ReplaySummary() {}

  static void print(PrintWriter out, ReplayResult r) {
    out.printf(
        Locale.ROOT,
        "Replayed %s .. %s (warm-up %s from %s)%n",
        r.from(),
        r.to(),
        ConsoleProgress.human(r.warmup()),
        r.from().minus(r.warmup()));
    out.printf("  rules      %s: %s%n", r.ruleOrigin(), String.join(", ", r.ruleVersions()));
    r.ruleWarnings().forEach(w -> out.println("  warning    " + w));
    out.printf(
        Locale.ROOT,
        "  input      %,d records (%s) in %.1f s, %,.0f records/s%n",
        r.records(),
        r.inputs().entrySet().stream()
            .map(e -> String.format(Locale.ROOT, "%s %,d", e.getKey(), e.getValue()))
            .collect(Collectors.joining(", ")),
        r.elapsed().toMillis() / 1000.0,
        r.recordsPerSecond());
    out.printf(
        Locale.ROOT,
        "  outputs    %,d incident records (%s), %,d aggregates, %,d alert transitions, %,d dead"
            + " letters%n",
        r.incidentRecords(),
        incidentKinds(r),
        r.aggregates(),
        r.alerts().size(),
        r.deadLetterCount());
    if (!r.warmupOutputs().isEmpty()) {
      out.printf("  warm-up    not reported: %s%n", r.warmupOutputs());
    }
    if (r.watermark() == null) {
      out.println("  watermark  no input in the range");
    } else {
      out.printf(
          "  watermark  %s: windows that close after it (end + grace) are not evaluated%n",
          r.watermark());
      if (r.lastEvaluation() != null) {
        out.printf(
            "  evaluated  up to %s (the window engine's watermark: the smallest upstream one)%n",
            r.lastEvaluation());
      }
    }
    out.printf("  digest     sha256:%s%n", r.digest());
    if (!r.alerts().isEmpty()) {
      out.println("Alert transitions:");
      for (ReplayResult.Emitted<Alert> e : r.alerts()) {
        out.println("  " + line(e.value()));
      }
    }
  }

  static String line(Alert a) {
    return String.format(
        Locale.ROOT,
        "%s %-11s %s %s  %s %s %s  (alert %s #%d, rule v%d)",
        a.getEvaluatedAt().truncatedTo(ChronoUnit.SECONDS),
        a.getTransition(),
        a.getSeverity(),
        a.getFingerprint(),
        number(a.getCondition().getObservedValue()),
        a.getCondition().getOperator(),
        a.getCondition().getThreshold() == null ? "band" : number(a.getCondition().getThreshold()),
        a.getAlertId().toString().substring(0, Math.min(8, a.getAlertId().length())),
        a.getSequence(),
        a.getRuleVersion());
  }

  static void print(PrintWriter out, VerifyReport v) {
    v.print(out, MAX_FINDINGS);
  }

  private static String incidentKinds(ReplayResult r) {
    Map<String, Long> kinds = r.incidentKinds();
    return kinds.isEmpty()
        ? "none"
        : kinds.entrySet().stream()
            .map(e -> e.getKey() + " " + e.getValue())
            .collect(Collectors.joining(", "));
  }

  private static String number(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15
        ? Long.toString((long) v)
        : String.format(Locale.ROOT, "%.4g", v);
  }

  static ObjectNode json(ReplayResult r, VerifyReport v) {
    JsonNodeFactory n = JsonNodeFactory.instance;
    ObjectNode root = n.objectNode();
    root.put("from", r.from().toString());
    root.put("to", r.to().toString());
    root.put("warmup", r.warmup().toString());
    root.put("watermark", r.watermark() == null ? null : r.watermark().toString());
    root.put("lastEvaluation", r.lastEvaluation() == null ? null : r.lastEvaluation().toString());
    root.put("records", r.records());
    ObjectNode inputs = root.putObject("inputs");
    r.inputs().forEach(inputs::put);
    root.put("elapsedSeconds", r.elapsed().toMillis() / 1000.0);
    root.put("recordsPerSecond", Math.round(r.recordsPerSecond()));
    root.put("rules", r.ruleOrigin());
    ArrayNode versions = root.putArray("ruleVersions");
    r.ruleVersions().forEach(versions::add);
    ArrayNode warnings = root.putArray("ruleWarnings");
    r.ruleWarnings().forEach(warnings::add);
    root.put("incidents", r.incidentRecords());
    ObjectNode kinds = root.putObject("incidentKinds");
    r.incidentKinds().forEach(kinds::put);
    root.put("aggregates", r.aggregates());
    root.put("deadLetters", r.deadLetterCount());
    ObjectNode warm = root.putObject("warmupOutputs");
    r.warmupOutputs().forEach(warm::put);
    root.put("digest", "sha256:" + r.digest());
    ArrayNode alerts = root.putArray("alerts");
    r.alerts().forEach(e -> alerts.add(AvroJson.toJson(e.value())));
    if (v != null) {
      ObjectNode verify = root.putObject("verify");
      verify.put("from", v.from().toString());
      verify.put("until", v.until().toString());
      verify.put("live", v.live());
      verify.put("replayed", v.replayed());
      verify.put("identical", v.identical());
      for (VerifyReport.Kind k : VerifyReport.Kind.values()) {
        verify.put(k.name().toLowerCase(Locale.ROOT), v.count(k));
      }
      verify.put("reproduced", v.reproduced());
      ObjectNode skipped = verify.putObject("notCompared");
      v.notCompared().forEach(skipped::put);
      ArrayNode findings = verify.putArray("findings");
      for (VerifyReport.Finding f : v.findings()) {
        ObjectNode o = findings.addObject();
        o.put("kind", f.kind().name());
        o.put("alertId", f.alertId());
        o.put("sequence", f.sequence());
        o.put("fingerprint", f.fingerprint());
        o.put("transition", f.transition());
        o.put("evaluatedAt", f.evaluatedAt().toString());
        o.put("explanation", f.explanation());
        ArrayNode changes = o.putArray("changes");
        for (VerifyReport.Field c : f.changes()) {
          changes.addObject().put("path", c.path()).put("live", c.live()).put("replay", c.replay());
        }
      }
    }
    return root;
  }
}
