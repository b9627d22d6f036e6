package io.linkwatch.ingest.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code linkwatch ingest <source>}: one subcommand per kind of source. */
@Command(
    name = "ingest",
    mixinStandardHelpOptions = true,
    description = {
      "Read Azure IoT Hub, DPS and Arc agent logs and put them, as typed Avro events, on the"
          + " event topics; what cannot be parsed goes to the dead-letter topic with the reason.",
    },
    subcommands = {KafkaCommand.class, FileCommand.class, HttpCommand.class, AgentLogCommand.class})
public final class IngestCommand implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "a source is missing, e.g. 'linkwatch ingest file PATH'");
  }
}
