package io.linkwatch.ingest.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Runs the ingest commands on their own ({@code java -cp ... io.linkwatch.ingest.cli.IngestMain
 * ingest file ...}); the {@code linkwatch} command registers the same subcommands.
 */
@Command(
    name = "linkwatch",
    mixinStandardHelpOptions = true,
    subcommands = {IngestCommand.class, SimulateCommand.class},
    description = "linkwatch ingest role.")
public final class IngestMain {

  private IngestMain() {}

  /** The root command object, for a {@link CommandLine} of one's own (tests, tools). */
  public static Object command() {
    return new IngestMain();
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new IngestMain()).execute(args));
  }
}
