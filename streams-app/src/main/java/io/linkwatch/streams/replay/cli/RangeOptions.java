package io.linkwatch.streams.replay.cli;

import io.linkwatch.schemas.cli.DurationConverter;
import java.time.Duration;
import java.time.Instant;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** The time range of a replay or a backtest, and its progress bar ({@code @Mixin}). */
final class RangeOptions {

  @Option(
      names = "--from",
      required = true,
      paramLabel = "TIME",
      converter = TimeConverter.class,
      description = "Start of the range: ISO-8601 (2026-03-02T10:00:00Z), or a duration ago (6h).")
  Instant from;

  @Option(
      names = "--to",
      paramLabel = "TIME",
      converter = TimeConverter.class,
      defaultValue = "now",
      description = "End of the range, exclusive (default: now).")
  Instant to;

  @Option(
      names = "--warmup",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "Event time read before --from to rebuild state, not reported (default: the longest"
              + " look-back of the rules and correlations).")
  Duration warmup;

  @Option(
      names = {"-q", "--quiet"},
      description = "No progress bar.")
  boolean quiet;

  /** Checks the range; a usage error names the options. */
  void check(CommandSpec spec) {
    if (!from.isBefore(to)) {
      throw new ParameterException(
          spec.commandLine(), "--from (" + from + ") must be before --to (" + to + ")");
    }
  }

  ConsoleProgress progress(CommandSpec spec) {
    return new ConsoleProgress(spec.commandLine().getErr(), System.console() != null, quiet);
  }
}
