package io.linkwatch.streams.rules.cli;

import io.linkwatch.schemas.config.CommonConfig;
import io.linkwatch.schemas.config.KnownKeys;
import java.util.List;
import org.apache.kafka.common.config.ConfigDef;
import picocli.CommandLine.Command;

/**
 * {@code linkwatch rules}: validate rule files, publish them to the rules topic, list what it
 * holds, and list the signals rules can name.
 */
@Command(
    name = "rules",
    mixinStandardHelpOptions = true,
    description =
        "Alert rules: validate YAML rule files, apply them to the rules topic, list them.",
    subcommands = {
      ValidateCommand.class,
      ApplyCommand.class,
      ListCommand.class,
      SignalsCommand.class
    })
public final class RulesCommand implements Runnable {

  @picocli.CommandLine.Spec private picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The settings a rules command accepts: the common ones and every Kafka client key. */
  static KnownKeys knownKeys() {
    return KnownKeys.of(List.of(CommonConfig.define(new ConfigDef())), List.of());
  }
}
