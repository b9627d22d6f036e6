package io.linkwatch.streams.replay.cli;

import io.linkwatch.schemas.cli.ClientOptions;
import io.linkwatch.streams.config.StreamsAppConfig;
import io.linkwatch.streams.replay.Backtest;
import io.linkwatch.streams.replay.BacktestFiles;
import io.linkwatch.streams.replay.BacktestReport;
import io.linkwatch.streams.replay.Replay;
import io.linkwatch.streams.rules.RuleValidationException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code linkwatch backtest}: what candidate rules would have done over retained events, with the
 * same engine, as an HTML page and a JSON file.
 */
@Command(
    name = "backtest",
    mixinStandardHelpOptions = true,
    description = {
      "Run candidate rules over a range of retained events with the live engine (the same"
          + " topology and alert stage, in this process, nothing written to the cluster) and write"
          + " a report: backtest.html (per rule: observed value per series against the threshold"
          + " or band, fired/resolved markers, every alert with its evidence and hint) and"
          + " backtest.json (every transition, per-rule counts, time firing).",
      "The candidate rules are validated exactly as 'linkwatch rules validate' does. With"
          + " --baseline, the report also lists the alerts the candidate adds and removes.",
      "Exit: 0 done, 1 failed, 2 bad option or invalid rules, 3 Kafka unreachable."
    },
    footer = {
      "",
      "Examples:",
      "  linkwatch backtest -c app.properties --rules candidate.yaml \\",
      "      --from 1d --baseline live",
      "  linkwatch backtest --rules rules/ --from 2026-03-01 --to 2026-03-02 \\",
      "      --report /tmp/bt"
    })
public final class BacktestCommand implements Callable<Integer> {

  @Mixin private ClientOptions client;

  @Mixin private RangeOptions range;

  @Spec private CommandSpec spec;

  @Option(
      names = "--rules",
      required = true,
      paramLabel = "FILE|DIR",
      description = "The candidate rules: a YAML file or a folder of them.")
  private Path rules;

  @Option(
      names = "--baseline",
      paramLabel = "FILE|DIR|live|default-pack",
      description =
          "Compare with these rules: a file or folder, 'live' (the versions the rules topic held"
              + " during the range) or 'default-pack'.")
  private String baseline;

  @Option(
      names = {"-o", "--report"},
      paramLabel = "DIR",
      defaultValue = "backtest-report",
      description = "Where to write backtest.html and backtest.json (default: ${DEFAULT-VALUE}).")
  private Path report;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Map<String, String> settings = client.settings(StreamsAppConfig.knownKeys());
    range.check(spec);
    Backtest.Request request =
        new Backtest.Request(
            range.from,
            range.to,
            range.warmup,
            new Replay.Rules.FromFiles(rules),
            baseline(baseline));
    BacktestReport result;
    try {
      result = Backtest.run(settings, request, range.progress(spec));
    } catch (RuleValidationException e) {
      return RuleProblems.print(err, e);
    }
    Path html = BacktestFiles.write(result, report);
    print(out, result);
    out.println("Report: " + html.toAbsolutePath());
    out.println("        " + report.resolve("backtest.json").toAbsolutePath());
    return 0;
  }

  private static Replay.Rules baseline(String value) {
    if (value == null) {
      return null;
    }
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "live" -> new Replay.Rules.AsTheyWere();
      case "default-pack" -> new Replay.Rules.DefaultPack();
      default -> new Replay.Rules.FromFiles(Path.of(value));
    };
  }

  private static void print(PrintWriter out, BacktestReport r) {
    var run = r.candidate().result();
    out.printf(
        Locale.ROOT,
        "Backtest of %s over %s .. %s: %,d records, %.1f s%n",
        r.candidate().origin(),
        run.from(),
        run.to(),
        run.records(),
        run.elapsed().toMillis() / 1000.0);
    out.printf(
        Locale.ROOT,
        "  %-36s %8s %11s %6s %8s %8s %10s%n",
        "rule",
        "series",
        "evaluations",
        "fired",
        "resolved",
        "flapping",
        "firing");
    for (BacktestReport.RuleOutcome o : r.rules()) {
      out.printf(
          Locale.ROOT,
          "  %-36s %8d %11d %6d %8d %8d %10s%n",
          o.rule().getId() + " v" + o.rule().getVersion(),
          o.series(),
          o.evaluations(),
          o.fired(),
          o.resolved(),
          o.flapping(),
          ConsoleProgress.human(o.firing()));
    }
    if (r.baseline() != null) {
      List<BacktestReport.Episode> absent = r.removedByAbsentRules();
      out.printf(
          "Against %s: %d alerts added, %d removed, %d unchanged%n",
          r.baseline().origin(),
          r.added().size(),
          r.removedByChangedRules().size(),
          r.unchanged().size());
      if (!absent.isEmpty()) {
        out.printf(
            "  and %d alerts of %d baseline rules the candidate does not define: %s%n",
            absent.size(),
            absent.stream().map(BacktestReport.Episode::ruleId).distinct().count(),
            absent.stream()
                .map(BacktestReport.Episode::ruleId)
                .distinct()
                .sorted()
                .collect(Collectors.joining(", ")));
      }
    }
  }
}
