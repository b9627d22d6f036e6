package io.linkwatch.streams.replay;

import io.linkwatch.avro.Alert;
import io.linkwatch.avro.AlertRule;
import io.linkwatch.avro.AlertTransition;
import io.linkwatch.avro.DynamicThreshold;
import io.linkwatch.avro.EvidenceEvent;
import io.linkwatch.avro.Hint;
import io.linkwatch.avro.OffsetRange;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The backtest report as one self-contained HTML page (inline CSS and SVG, no script, nothing
 * fetched): a summary table of the candidate rules, the alerts the change adds or removes against
 * the baseline, and per rule its most eventful series charted against the threshold or band with
 * the fired/resolved markers, then every alert with its evidence and hint.
 */
final class BacktestHtml {

  private static final String CSS =
      """
      body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;\
      max-width:1100px;color:#1d2330;padding:0 16px}
      h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:32px 0 4px;border-top:1px solid\
       #dde;padding-top:16px}h3{font-size:15px;margin:18px 0 6px}
      .meta{color:#556;margin:2px 0}.muted{color:#778}
      table{border-collapse:collapse;width:100%;margin:8px 0}th,td{text-align:left;padding:4px 8px;\
      border-bottom:1px solid #e4e6ee;vertical-align:top}th{background:#f4f5f9;font-weight:600}
      td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
      .sev{display:inline-block;padding:0 6px;border-radius:3px;color:#fff;font-size:12px}
      .SEV0{background:#8b0000}.SEV1{background:#c62828}.SEV2{background:#ef6c00}\
      .SEV3{background:#f9a825;color:#222}.SEV4{background:#607d8b}
      .added{color:#b71c1c}.removed{color:#1b5e20}
      figure{margin:8px 0 14px}figcaption{font-size:13px;color:#445;margin-bottom:2px}
      svg.chart{max-width:100%;height:auto;background:#fcfcfe;border:1px solid #e4e6ee}
      svg .grid{stroke:#e8e9f0;stroke-width:1}svg text{font-size:10px;fill:#667}
      svg .value{fill:none;stroke:#1565c0;stroke-width:1.6}svg .dot{fill:#1565c0}
      svg .threshold{stroke:#c62828;stroke-width:1.2;stroke-dasharray:5 4}
      svg .band{fill:#c6282822;stroke:#c6282855}
      svg .marker line{stroke-width:1;stroke-dasharray:2 3}svg .marker circle{stroke:#fff;stroke-width:1.5}
      svg .fired line{stroke:#c62828}svg .fired circle{fill:#c62828}
      svg .resolved line{stroke:#2e7d32}svg .resolved circle{fill:#2e7d32}
      svg .other line{stroke:#6a1b9a}svg .other circle{fill:#6a1b9a}
      details{margin:6px 0}summary{cursor:pointer;color:#1565c0}
      .hint{background:#f6f8fc;border-left:3px solid #90a4ae;padding:4px 8px;margin:4px 0}
      code{font-size:12px;background:#f4f5f9;padding:0 3px;border-radius:2px}
      .legend span{margin-right:14px}.legend i{display:inline-block;width:10px;height:10px;\
      border-radius:5px;margin-right:4px;vertical-align:-1px}
      """;

  private BacktestHtml() {}

  static String render(BacktestReport report) {
    ReplayResult r = report.candidate().result();
    Instant end = r.watermark() == null ? r.to() : r.watermark();
    StringBuilder h = new StringBuilder(64 * 1024);
    h.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">")
        .append("<title>linkwatch backtest: ")
        .append(Html.escape(report.candidate().origin()))
        .append("</title><style>")
        .append(CSS)
        .append("</style></head><body>");
    h.append("<h1>Backtest: ").append(Html.escape(report.candidate().origin())).append("</h1>");
    h.append("<p class=\"meta\">Events from <b>")
        .append(r.from())
        .append("</b> to <b>")
        .append(r.to())
        .append("</b> (warm-up ")
        .append(human(r.warmup()))
        .append(", not reported), ")
        .append(String.format(Locale.ROOT, "%,d", r.records()))
        .append(" input records, last event at ")
        .append(r.watermark() == null ? "none" : r.watermark())
        .append(". Same engine as the live role (the linkwatch topology and alert stage).</p>");
    if (report.baseline() != null) {
      h.append("<p class=\"meta\">Compared with <b>")
          .append(Html.escape(report.baseline().origin()))
          .append("</b>: <span class=\"added\">")
          .append(plural(report.added().size(), "alert"))
          .append(" added</span>, <span class=\"removed\">")
          .append(report.removedByChangedRules().size())
          .append(" removed</span>, ")
          .append(report.unchanged().size())
          .append(" unchanged");
      int absent = report.removedByAbsentRules().size();
      if (absent > 0) {
        h.append("; ")
            .append(plural(absent, "alert"))
            .append(" of baseline rules the candidate does not define");
      }
      h.append(".</p>");
    }
    List<BacktestReport.RuleOutcome> rules = new ArrayList<>(report.rules());
    // what fired first, then what was evaluated, then the rest
    rules.sort(
        java.util.Comparator.comparingLong((BacktestReport.RuleOutcome o) -> -o.fired())
            .thenComparingLong(o -> -o.evaluations())
            .thenComparing(o -> o.rule().getId().toString()));
    summary(h, rules);
    if (report.baseline() != null) {
      comparison(h, report, end);
    }
    List<String> idle = new ArrayList<>();
    for (BacktestReport.RuleOutcome rule : rules) {
      if (rule.evaluations() == 0 && rule.episodes().isEmpty()) {
        idle.add(rule.rule().getId().toString());
      } else {
        rule(h, rule, r.from(), end);
      }
    }
    if (!idle.isEmpty()) {
      h.append("<h2>Not evaluated in the range</h2><p class=\"meta\">No input of their signal")
          .append(" arrived: ")
          .append(Html.escape(String.join(", ", idle)))
          .append(".</p>");
    }
    h.append("<p class=\"muted\">linkwatch backtest. Times are UTC. Values are the window results")
        .append(" the alert stage judged; a dynamic band is drawn as documented (median ± kσ of")
        .append(" the series' previous values), the markers are the stage's own decisions.</p>")
        .append("</body></html>\n");
    return h.toString();
  }

  private static void summary(StringBuilder h, List<BacktestReport.RuleOutcome> rules) {
    h.append("<h2>Rules</h2><table><thead><tr><th>rule</th><th>severity</th><th>condition</th>")
        .append("<th class=\"n\">series</th><th class=\"n\">evaluations</th>")
        .append("<th class=\"n\">fired</th><th class=\"n\">resolved</th>")
        .append(
            "<th class=\"n\">flapping</th><th class=\"n\">time firing</th></tr></thead><tbody>");
    for (BacktestReport.RuleOutcome o : rules) {
      AlertRule rule = o.rule();
      h.append("<tr><td><a href=\"#rule-")
          .append(Html.escape(rule.getId()))
          .append("\">")
          .append(Html.escape(rule.getId()))
          .append("</a> <span class=\"muted\">v")
          .append(rule.getVersion())
          .append("</span></td><td>")
          .append(severity(rule.getSeverity().name()))
          .append("</td><td>")
          .append(Html.escape(RuleText.condition(rule)))
          .append("</td>")
          .append(num(o.series()))
          .append(num(o.evaluations()))
          .append(num(o.fired()))
          .append(num(o.resolved()))
          .append(num(o.flapping()))
          .append("<td class=\"n\">")
          .append(human(o.firing()))
          .append("</td></tr>");
    }
    h.append("</tbody></table>");
  }

  private static void comparison(StringBuilder h, BacktestReport report, Instant end) {
    h.append("<h2>Against the baseline</h2>");
    episodes(h, "Alerts the candidate adds", report.added(), end, "added");
    episodes(h, "Alerts the candidate removes", report.removedByChangedRules(), end, "removed");
    List<BacktestReport.Episode> absent = report.removedByAbsentRules();
    if (!absent.isEmpty()) {
      h.append("<details><summary>");
      episodesTitle(h, "Alerts of baseline rules the candidate does not define", absent);
      h.append("</summary>");
      episodesTable(h, absent, end, "muted");
      h.append("</details>");
    }
  }

  private static void episodes(
      StringBuilder h, String title, List<BacktestReport.Episode> list, Instant end, String cls) {
    h.append("<h3>");
    episodesTitle(h, title, list);
    h.append("</h3>");
    if (list.isEmpty()) {
      h.append("<p class=\"muted\">none</p>");
      return;
    }
    episodesTable(h, list, end, cls);
  }

  private static void episodesTitle(
      StringBuilder h, String title, List<BacktestReport.Episode> list) {
    h.append(title).append(" (").append(list.size()).append(")");
  }

  private static void episodesTable(
      StringBuilder h, List<BacktestReport.Episode> list, Instant end, String cls) {
    h.append("<table><thead><tr><th>fired</th><th>resolved</th><th class=\"n\">firing</th>")
        .append("<th>series</th></tr></thead><tbody>");
    for (BacktestReport.Episode e : list) {
      h.append("<tr class=\"")
          .append(cls)
          .append("\"><td>")
          .append(time(e.firedAt()))
          .append("</td><td>")
          .append(e.resolvedAt() == null ? "still firing" : time(e.resolvedAt()))
          .append("</td><td class=\"n\">")
          .append(human(e.duration(end)))
          .append("</td><td><code>")
          .append(Html.escape(e.fingerprint()))
          .append("</code></td></tr>");
    }
    h.append("</tbody></table>");
  }

  private static void rule(
      StringBuilder h, BacktestReport.RuleOutcome o, Instant from, Instant end) {
    AlertRule rule = o.rule();
    h.append("<h2 id=\"rule-")
        .append(Html.escape(rule.getId()))
        .append("\">")
        .append(Html.escape(rule.getName()))
        .append(" <span class=\"muted\">")
        .append(Html.escape(rule.getId()))
        .append(" v")
        .append(rule.getVersion())
        .append("</span> ")
        .append(severity(rule.getSeverity().name()))
        .append("</h2><p class=\"meta\">")
        .append(Html.escape(RuleText.condition(rule)))
        .append("</p><p class=\"meta\">")
        .append(o.series())
        .append(" series, ")
        .append(o.evaluations())
        .append(" evaluations; ")
        .append(o.fired())
        .append(" fired, ")
        .append(o.resolved())
        .append(" resolved, ")
        .append(o.flapping())
        .append(" flapping; firing for ")
        .append(human(o.firing()))
        .append(". Transitions: ")
        .append(
            o.transitions().isEmpty()
                ? "none"
                : Html.escape(
                    o.transitions().entrySet().stream()
                        .map(e -> e.getKey() + " " + e.getValue())
                        .collect(Collectors.joining(", "))))
        .append(".</p>");
    if (o.charted().isEmpty()) {
      h.append("<p class=\"muted\">No window of this rule was evaluated in the range.</p>");
    } else {
      h.append("<p class=\"legend muted\"><span><i style=\"background:#1565c0\"></i>value</span>")
          .append("<span><i style=\"background:#c62828\"></i>fired / threshold</span>")
          .append("<span><i style=\"background:#2e7d32\"></i>resolved</span>")
          .append("<span><i style=\"background:#6a1b9a\"></i>other transition</span></p>");
      for (BacktestReport.SeriesChart chart : o.charted()) {
        h.append("<figure><figcaption>")
            .append(Html.escape(dims(chart.dimensions())))
            .append("</figcaption>")
            .append(chart(rule, chart, from, end))
            .append("</figure>");
      }
    }
    if (!o.episodes().isEmpty()) {
      h.append("<h3>Alerts (").append(o.episodes().size()).append(")</h3>");
      h.append("<table><thead><tr><th>fired</th><th>resolved</th><th class=\"n\">firing</th>")
          .append("<th>series</th><th class=\"n\">value</th><th>flags</th></tr></thead><tbody>");
      for (BacktestReport.Episode e : o.episodes()) {
        Alert first = e.transitions().get(0);
        List<String> flags = new ArrayList<>();
        if (e.flapped()) {
          flags.add("flapping");
        }
        if (e.inhibited()) {
          flags.add("inhibited");
        }
        h.append("<tr><td>")
            .append(time(e.firedAt()))
            .append("</td><td>")
            .append(e.resolvedAt() == null ? "still firing" : time(e.resolvedAt()))
            .append("</td><td class=\"n\">")
            .append(human(e.duration(end)))
            .append("</td><td>")
            .append(Html.escape(dims(e.dimensions())))
            .append("</td><td class=\"n\">")
            .append(SvgChart.number(first.getCondition().getObservedValue()))
            .append("</td><td>")
            .append(String.join(", ", flags))
            .append("</td></tr><tr><td colspan=\"6\">");
        hint(h, first.getHint());
        h.append("<details><summary>")
            .append(plural(e.transitions().size(), "transition"))
            .append(" and their evidence</summary>");
        for (Alert a : e.transitions()) {
          transition(h, a);
        }
        h.append("</details></td></tr>");
      }
      h.append("</tbody></table>");
    }
  }

  private static String chart(
      AlertRule rule, BacktestReport.SeriesChart chart, Instant from, Instant end) {
    SvgChart svg = new SvgChart(from, end);
    List<ReplayResult.ResultPoint> points = chart.points();
    // for count-like aggregations an empty window is 0 (the stage judges it so); else a gap
    boolean countLike =
        switch (rule.getAggregation()) {
          case COUNT, TOTAL, DISTINCT_DEVICES -> true;
          default -> false;
        };
    double[] values = new double[points.size()];
    for (int i = 0; i < points.size(); i++) {
      ReplayResult.ResultPoint p = points.get(i);
      values[i] = !p.hasData() && countLike ? 0 : p.value();
      svg.point(p.windowEnd().toEpochMilli(), values[i]);
    }
    DynamicThreshold dynamic = rule.getDynamicThreshold();
    if (dynamic != null) {
      band(svg, rule, dynamic, points, values);
    } else if (rule.getThreshold() != null) {
      svg.threshold(rule.getThreshold(), "threshold " + RuleText.operator(rule));
    }
    for (Alert a : chart.transitions()) {
      String kind =
          a.getTransition() == AlertTransition.FIRED
              ? "fired"
              : a.getTransition() == AlertTransition.RESOLVED ? "resolved" : "other";
      svg.marker(
          a.getCondition().getWindowEnd().toEpochMilli(),
          a.getCondition().getObservedValue(),
          kind,
          a.getTransition()
              + " at "
              + a.getEvaluatedAt()
              + ": value "
              + SvgChart.number(a.getCondition().getObservedValue())
              + (a.getStateReason() == null ? "" : " (" + a.getStateReason() + ")"));
    }
    return svg.render(rule.getId() + " " + dims(chart.dimensions()));
  }

  /**
   * The documented dynamic band (median ± k·σ of the previous values, σ = max(1.4826·MAD, 10 % of
   * the median, floor)), drawn once the warm-up is reached.
   */
  private static void band(
      SvgChart svg,
      AlertRule rule,
      DynamicThreshold dynamic,
      List<ReplayResult.ResultPoint> points,
      double[] values) {
    int size = 60;
    int warmup = Math.max(3, dynamic.getWarmupEvaluations());
    double k =
        switch (dynamic.getSensitivity()) {
          case HIGH -> 2.0;
          case LOW -> 4.0;
          default -> 3.0;
        };
    double floor = rule.getAggregation() == io.linkwatch.avro.Aggregation.RATIO ? 0.01 : 1.0;
    List<Double> past = new ArrayList<>();
    for (int i = 0; i < points.size(); i++) {
      if (past.size() >= warmup) {
        double[] v = past.stream().mapToDouble(Double::doubleValue).toArray();
        double median = median(v);
        double[] dev = Arrays.stream(v).map(x -> Math.abs(x - median)).toArray();
        double sigma = Math.max(Math.max(1.4826 * median(dev), 0.1 * Math.abs(median)), floor);
        svg.band(points.get(i).windowEnd().toEpochMilli(), median - k * sigma, median + k * sigma);
      }
      if (!Double.isNaN(values[i])) {
        past.add(values[i]);
        if (past.size() > size) {
          past.remove(0);
        }
      }
    }
  }

  private static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }

  private static void transition(StringBuilder h, Alert a) {
    h.append("<p><b>")
        .append(a.getTransition())
        .append("</b> #")
        .append(a.getSequence())
        .append(" at ")
        .append(time(a.getEvaluatedAt()))
        .append(": value ")
        .append(SvgChart.number(a.getCondition().getObservedValue()))
        .append(" over ")
        .append(time(a.getCondition().getWindowStart()))
        .append(" – ")
        .append(time(a.getCondition().getWindowEnd()));
    if (a.getStateReason() != null) {
      h.append(" (").append(Html.escape(a.getStateReason())).append(')');
    }
    if (a.getInhibitedBy() != null) {
      h.append(", muted by <code>").append(Html.escape(a.getInhibitedBy())).append("</code>");
    }
    h.append("</p><ul>");
    for (EvidenceEvent e : a.getEvidence().getSampleEvents()) {
      h.append("<li>")
          .append(time(e.getTime()))
          .append(" <code>")
          .append(Html.escape(e.getCode()))
          .append("</code> ")
          .append(Html.escape(e.getSummary()))
          .append(" <span class=\"muted\">")
          .append(Html.escape(e.getTopic()))
          .append('-')
          .append(e.getPartition())
          .append('@')
          .append(e.getOffset())
          .append("</span></li>");
    }
    h.append("</ul>");
    if (!a.getEvidence().getInputOffsets().isEmpty()) {
      h.append("<p class=\"muted\">input: ");
      List<String> ranges = new ArrayList<>();
      for (OffsetRange r : a.getEvidence().getInputOffsets()) {
        ranges.add(
            r.getTopic()
                + "-"
                + r.getPartition()
                + " offsets "
                + r.getFromOffset()
                + "–"
                + r.getToOffset()
                + " ("
                + r.getCount()
                + ")");
      }
      h.append(Html.escape(String.join("; ", ranges)));
      if (a.getEvidence().getLateRecords() > 0) {
        h.append("; ").append(a.getEvidence().getLateRecords()).append(" late records");
      }
      h.append("</p>");
    }
  }

  private static void hint(StringBuilder h, Hint hint) {
    if (hint == null) {
      return;
    }
    h.append("<div class=\"hint\"><b>Probable cause:</b> ")
        .append(Html.escape(hint.getProbableCause()))
        .append("<br><b>Solution:</b> ")
        .append(Html.escape(hint.getSolution()));
    if (hint.getReference() != null && !hint.getReference().isEmpty()) {
      h.append("<br><span class=\"muted\">")
          .append(Html.escape(hint.getReference()))
          .append("</span>");
    }
    h.append("</div>");
  }

  private static String severity(String sev) {
    String label = "Sev" + sev.substring(sev.length() - 1);
    return "<span class=\"sev " + Html.escape(sev) + "\">" + label + "</span>";
  }

  private static String plural(long n, String what) {
    return n + " " + what + (n == 1 ? "" : "s");
  }

  private static String num(long n) {
    return "<td class=\"n\">" + String.format(Locale.ROOT, "%,d", n) + "</td>";
  }

  private static String dims(Map<String, String> dims) {
    return dims.isEmpty()
        ? "(all)"
        : dims.entrySet().stream()
            .sorted(Map.Entry.comparingByKey())
            .map(e -> e.getKey() + "=" + e.getValue())
            .collect(Collectors.joining(" "));
  }

  private static String time(Instant t) {
    return t == null ? "" : t.truncatedTo(ChronoUnit.SECONDS).toString().replace('T', ' ');
  }

  static String human(Duration d) {
    long s = d.toSeconds();
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return (s / 60) + "m";
    }
    if (s < 86400) {
      return (s / 3600) + "h" + ((s % 3600) / 60 == 0 ? "" : (s % 3600) / 60 + "m");
    }
    return (s / 86400) + "d" + ((s % 86400) / 3600 == 0 ? "" : (s % 86400) / 3600 + "h");
  }
}
