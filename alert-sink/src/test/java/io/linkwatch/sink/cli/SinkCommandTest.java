package io.linkwatch.sink.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class SinkCommandTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = new CommandLine(new SinkCommand());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  void shouldExplainItselfWithHelp() {
    assertThat(run("--help")).isZero();

    assertThat(out.toString())
        .contains("Deliver alerts to Alertmanager, webhooks and the console")
        .contains("--routing")
        .contains("--check")
        .contains("--bootstrap-servers");
  }

  @Test
  void shouldValidateAndPrintTheRoutingPlanWithCheck(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("sink.yaml");
    Files.writeString(
        file,
        """
        receivers:
          - {name: oncall, type: alertmanager, url: 'http://127.0.0.1:49093'}
          - {name: console, type: console}
        routes:
          - {matchers: ['severity="Sev0"'], receivers: [oncall]}
        default: {receivers: [console]}
        """);

    assertThat(run("--routing", file.toString(), "--check")).isZero();

    assertThat(out.toString())
        .contains("Routing plan is valid.")
        .contains("oncall (alertmanager http://127.0.0.1:49093)")
        .contains("default -> [console]");
  }

  @Test
  void shouldNameTheWrongFieldOfTheRoutingFileAndFail(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("sink.yaml");
    Files.writeString(file, "receivers:\n  - {name: oncall, type: alertmanager}\n");

    assertThat(run("--routing", file.toString(), "--check")).isEqualTo(2);

    assertThat(err.toString())
        .isEqualTo(
            "linkwatch sink: "
                + file
                + ": receivers[0].url: is required for a receiver of type alertmanager"
                + System.lineSeparator());
  }

  @Test
  void shouldRejectAnUnknownSettingByName() {
    assertThat(run("--set", "sink.retry.max.atempts=3", "--check")).isEqualTo(2);

    assertThat(err.toString())
        .contains("unknown setting 'sink.retry.max.atempts'")
        .contains("did you mean 'sink.retry.max.attempts'?");
  }

  @Test
  void shouldRejectABadValueNamingTheKey() {
    assertThat(run("--set", "sink.start=yesterday", "--check")).isEqualTo(2);

    assertThat(err.toString()).contains("sink.start").contains("'yesterday' is not a duration");
  }
}
