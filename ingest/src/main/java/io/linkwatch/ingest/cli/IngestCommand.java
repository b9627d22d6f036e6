package io.linkwatch.ingest.cli;

import picocli.CommandLine.Command;

/** {@code linkwatch ingest <source>}: one subcommand per kind of source. */
@Command(
    name = "ingest",
    mixinStandardHelpOptions = true,
    description = {
      "Read Azure IoT Hub, DPS and Arc agent logs and put them, as typed Avro events, on the"
          + " event topics; what cannot be parsed goes to the dead-letter topic with the reason.",
    },
    subcommands = {FileCommand.class})
public final class IngestCommand {}
