package io.linkwatch.deploy.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The root of the {@code linkwatch} command. Each role registers its subcommand here, one line
 * each, in the order {@code --help} lists them; the subcommand classes live in their modules.
 */
@Command(
    name = "linkwatch",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Correlated incidents, windowed aggregates and stateful alerts from the diagnostic logs of"
          + " Azure IoT Hub, DPS and Arc agents, on Apache Kafka.",
      ""
    },
    footer = ExitCode.HELP,
    subcommands = {
      io.linkwatch.deploy.demo.DemoCommand.class,
      BrokerCommand.class,
      TopicsCommand.class,
      TailCommand.class,
      io.linkwatch.ingest.cli.IngestCommand.class,
      io.linkwatch.ingest.cli.SimulateCommand.class,
      io.linkwatch.streams.cli.StreamsCommand.class,
      io.linkwatch.streams.rules.cli.RulesCommand.class,
      io.linkwatch.streams.replay.cli.ReplayCommand.class,
      io.linkwatch.streams.replay.cli.BacktestCommand.class,
      io.linkwatch.sink.cli.SinkCommand.class,
      io.linkwatch.deploy.config.ConfigCommand.class,
      CommandLine.HelpCommand.class,
    })
public final class LinkwatchCommand implements Runnable {

  @Spec private CommandSpec spec;

  private boolean verbose;

  @Option(
      names = {"-v", "--verbose"},
      scope = ScopeType.INHERIT,
      description = "Debug logs, Kafka's own logs, and the stack trace of an error.")
  void verbose(boolean verbose) {
    this.verbose = verbose;
    if (verbose) {
      LogLevels.verbose();
    }
  }

  boolean isVerbose() {
    return verbose;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "a command is missing, e.g. 'linkwatch broker'");
  }
}
