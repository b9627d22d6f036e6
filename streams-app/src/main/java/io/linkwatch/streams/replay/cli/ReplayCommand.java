package io.linkwatch.streams.replay.cli;

import io.linkwatch.schemas.cli.ClientOptions;
import io.linkwatch.streams.config.StreamsAppConfig;
import io.linkwatch.streams.replay.Replay;
import io.linkwatch.streams.replay.ReplayResult;
import io.linkwatch.streams.replay.VerifyReport;
import io.linkwatch.streams.rules.RuleValidationException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code linkwatch replay}: reproduces the incidents, aggregates and alerts of a time range from
 * the retained events with the live topology, in process, and optionally verifies them against the
 * alerts topic.
 */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    description = {
      "Reproduce the incidents, aggregates and alerts of a time range from the retained events,"
          + " with the very same topology, in this process: nothing is written to the cluster and"
          + " no consumer group is used, so the live application is not disturbed.",
      "With --verify, compare the replayed alert transitions with those the alerts topic holds,"
          + " transition by transition (alert id, sequence, values), and explain each difference.",
      "Settings: the streams role's (-c app.properties), so the topology is configured as live.",
      "Exit: 0 done (with --verify: reproduced), 1 not reproduced or failed, 2 bad option or rule"
          + " file, 3 Kafka unreachable."
    },
    footer = {
      "",
      "Examples:",
      "  linkwatch replay -c app.properties --from 2026-03-02T10:00Z \\",
      "      --to 2026-03-02T12:00Z --verify",
      "  linkwatch replay --from 6h --rules rules/ --output /tmp/replay"
    })
public final class ReplayCommand implements Callable<Integer> {

  @Mixin private ClientOptions client;

  @Mixin private RangeOptions range;

  @Spec private CommandSpec spec;

  @ArgGroup(exclusive = true)
  private RuleChoice rules = new RuleChoice();

  static final class RuleChoice {
    @Option(
        names = "--rules",
        paramLabel = "FILE|DIR",
        description =
            "Replay with these rules (validated as 'linkwatch rules validate' does) instead of the"
                + " versions the rules topic held during the range.")
    Path path;

    @Option(names = "--default-pack", description = "Replay with the default rule pack.")
    boolean defaultPack;

    Replay.Rules choice() {
      return ReplayCommand.choice(path, defaultPack);
    }
  }

  @Option(
      names = "--verify",
      description = "Compare the replayed alert transitions with the alerts topic.")
  private boolean verify;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "DIR",
      description =
          "Write alerts, incidents, aggregates and dead letters as JSON lines, and summary.json.")
  private Path output;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Map<String, String> settings = client.settings(StreamsAppConfig.knownKeys());
    range.check(spec);
    Replay.Request request =
        new Replay.Request(range.from, range.to, range.warmup, rules.choice(), false);
    ConsoleProgress progress = range.progress(spec);
    OutputFiles files = output == null ? null : new OutputFiles(output);
    ReplayResult result;
    VerifyReport report = null;
    try {
      if (verify) {
        Replay.Verified v = Replay.verify(settings, request, progress, files);
        result = v.result();
        report = v.report();
      } else {
        result = Replay.run(settings, request, progress, files);
      }
    } catch (RuleValidationException e) {
      return RuleProblems.print(err, e);
    } finally {
      if (files != null) {
        files.close();
      }
    }
    ReplaySummary.print(out, result);
    if (report != null) {
      ReplaySummary.print(out, report);
    }
    if (files != null) {
      Path summary = files.dir().resolve("summary.json");
      Files.writeString(
          summary,
          Json.MAPPER.writeValueAsString(ReplaySummary.json(result, report)),
          StandardCharsets.UTF_8);
      out.println("Written to " + files.dir().toAbsolutePath());
    }
    return report == null || report.reproduced() ? 0 : 1;
  }

  /** The rules the options ask for. */
  static Replay.Rules choice(Path path, boolean defaultPack) {
    if (path != null) {
      return new Replay.Rules.FromFiles(path);
    }
    return defaultPack ? new Replay.Rules.DefaultPack() : new Replay.Rules.AsTheyWere();
  }
}
