package io.linkwatch.streams.rules.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class RulesCommandTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cmd = new CommandLine(new RulesCommand());
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    // as the linkwatch root command does: one line, exit code 3 for an unreachable cluster
    cmd.setExecutionExceptionHandler(
        (e, c, parsed) -> {
          c.getErr().println(c.getCommandName() + ": " + e.getMessage());
          return e instanceof io.linkwatch.schemas.cli.KafkaUnreachableException ? 3 : 1;
        });
    return cmd.execute(args);
  }

  @Test
  void shouldSayHowManyRulesAreValid(@TempDir Path dir) throws Exception {
    Files.writeString(
        dir.resolve("a.yaml"),
        "rules:\n  - {id: a, signal: iothub.auth_failures, operator: '>', threshold: 0}\n"
            + "  - {id: b, signal: iothub.connects, operator: '<', threshold: 1}\n");

    int code = run("validate", dir.toString());

    assertThat(code).isZero();
    assertThat(out.toString()).contains("2 rules in 1 file: valid");
  }

  @Test
  void shouldListEveryProblemAndExitWithOne(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("bad.yaml");
    Files.writeString(
        file,
        "rules:\n  - {id: a, signal: iothub.nope, operator: '>', threshold: 0, severity: 9}\n");

    int code = run("validate", file.toString());

    assertThat(code).isEqualTo(1);
    assertThat(err.toString())
        .contains("2 problems:")
        .contains(file + ":2: rule 'a': field 'signal': unknown signal 'iothub.nope'")
        .contains("field 'severity': '9' is not allowed");
  }

  @Test
  void shouldValidateTheDefaultPack() {
    assertThat(run("validate", "--default-pack")).isZero();
    assertThat(out.toString()).contains("rules in 4 files: valid");
  }

  @Test
  void shouldAskForAFileWhenGivenNothing() {
    assertThat(run("validate")).isEqualTo(1);
    assertThat(err.toString()).contains("give a rule file or folder, or --default-pack");
  }

  @Test
  void shouldPrintTheSignalsWithTheirDimensions() {
    assertThat(run("signals")).isZero();
    assertThat(out.toString())
        .contains("iothub.auth_failures")
        .contains("dimensions: hub, deviceId")
        .contains("dps.attestation_failures")
        .contains("distinct:   registrations");
  }

  @Test
  void shouldHaveHelpOnEveryCommand() {
    for (String sub : new String[] {"validate", "apply", "list", "signals"}) {
      StringWriter help = new StringWriter();
      CommandLine cmd = new CommandLine(new RulesCommand());
      cmd.setOut(new PrintWriter(help, true));
      assertThat(cmd.execute(sub, "--help")).isZero();
      assertThat(help.toString()).contains("Usage: rules " + sub);
    }
  }

  @Test
  void shouldSayWhenTheBrokerCannotBeReached(@TempDir Path dir) throws Exception {
    Files.writeString(
        dir.resolve("a.yaml"),
        "id: a\nsignal: iothub.auth_failures\noperator: '>'\nthreshold: 0\n");

    int code = run("apply", dir.toString(), "-b", "127.0.0.1:1", "--timeout", "2");

    assertThat(code).isEqualTo(3);
    assertThat(err.toString()).contains("apply: cannot reach Kafka at 127.0.0.1:1");
  }
}
