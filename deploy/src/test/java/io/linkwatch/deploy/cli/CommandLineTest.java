package io.linkwatch.deploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/** The command line behaves the same for every command: help, version, and one-line errors. */
class CommandLineTest {

  /** Every command and subcommand, e.g. "topics apply". */
  static List<String> commands() {
    List<String> names = new ArrayList<>();
    collect(
        Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter())),
        "",
        names);
    return names;
  }

  private static void collect(CommandLine cli, String prefix, List<String> names) {
    for (Map.Entry<String, CommandLine> e : cli.getSubcommands().entrySet()) {
      if (e.getValue().getCommand() instanceof CommandLine.HelpCommand) {
        continue;
      }
      String name = (prefix + " " + e.getKey()).strip();
      names.add(name);
      collect(e.getValue(), name, names);
    }
  }

  @ParameterizedTest
  @MethodSource("commands")
  void shouldPrintUsageForHelpOnEveryCommand(String command) {
    CliRun run = CliRun.of(args(command, "--help"));

    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.out()).startsWith("Usage: linkwatch " + command);
  }

  @ParameterizedTest
  @MethodSource("commands")
  void shouldPrintTheVersionOnEveryCommand(String command) {
    CliRun run = CliRun.of(args(command, "--version"));

    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.out()).startsWith("linkwatch ").contains("Apache Kafka 4.");
  }

  @Test
  void shouldListTheExitCodesInTheRootHelp() {
    assertThat(CliRun.of("--help").out()).contains("Exit codes: 0 done", "3 Kafka");
  }

  @Test
  void shouldNameAnUnknownFlagOnOneLineAndExitTwo() {
    CliRun run = CliRun.of("tail", "alerts", "--from-begining");

    assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(run.errLines())
        .singleElement()
        .asString()
        .contains("linkwatch tail", "'--from-begining'", "--from-beginning", "--help");
    assertThat(run.out()).isEmpty();
  }

  @Test
  void shouldNameAnUnknownSettingWithTheClosestKnownOne() {
    CliRun run = CliRun.of("topics", "apply", "--set", "topics.partitons=3");

    assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(run.errLines())
        .singleElement()
        .asString()
        .contains("unknown setting 'topics.partitons'", "did you mean 'topics.partitions'");
  }

  @Test
  void shouldNameAnInvalidValueWithItsKey() {
    CliRun run = CliRun.of("topics", "list", "--set", "topics.replication.factor=0");

    assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(run.errLines()).singleElement().asString().contains("topics.replication.factor");
  }

  @Test
  void shouldNameAMissingConfigFile() {
    CliRun run = CliRun.of("tail", "alerts", "--config", "/nonexistent/app.properties");

    assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(run.errLines())
        .singleElement()
        .asString()
        .contains("config file not found", "/nonexistent/app.properties");
  }

  @Test
  void shouldAskForACommandWhenGivenNone() {
    CliRun run = CliRun.of();

    assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(run.err()).contains("a command is missing");
  }

  @Test
  void shouldRejectAMalformedDuration() {
    CliRun run = CliRun.of("tail", "alerts", "--timeout", "soon");

    assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(run.err()).contains("'soon' is not a duration");
  }

  @Test
  void shouldJoinTheCausesOfAFailureWithoutRepeatingThem() {
    Exception e =
        new IllegalStateException(
            "the Kafka broker did not start: disk full", new RuntimeException("disk full"));

    assertThat(Main.messages(e)).isEqualTo("the Kafka broker did not start: disk full");
  }

  private static String[] args(String command, String flag) {
    List<String> args = new ArrayList<>(List.of(command.split(" ")));
    args.add(flag);
    return args.toArray(String[]::new);
  }
}
