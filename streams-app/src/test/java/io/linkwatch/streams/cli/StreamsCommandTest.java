package io.linkwatch.streams.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class StreamsCommandTest {

  @TempDir Path dir;

  private final StringWriter out = new StringWriter();

  private final StringWriter err = new StringWriter();

  private CommandLine command() {
    CommandLine cmd = new CommandLine(new StreamsCommand());
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    return cmd;
  }

  @Test
  void shouldExplainItselfWithHelp() {
    int code = command().execute("--help");
    assertThat(code).isZero();
    assertThat(out.toString())
        .contains("--describe")
        .contains("--config")
        .contains("/api/aggregates");
  }

  @Test
  void shouldDescribeTheTopologyWithoutABroker() {
    int code =
        command()
            .execute("--describe", "--set", "state.dir=" + dir, "--set", "streams.http.port=0");
    assertThat(code).isZero();
    assertThat(out.toString())
        .contains("linkwatch-connections-correlate")
        .contains("linkwatch-window-engine")
        .contains("alert-evaluate");
  }

  @Test
  void shouldRejectAnUnknownSettingByName() throws Exception {
    Path file = dir.resolve("streams.properties");
    Files.writeString(file, "streams.grace.msec=1000\n");
    int code = command().execute("--config", file.toString(), "--describe");
    assertThat(code).isNotZero();
    assertThat(err.toString())
        .contains(ConfigException.class.getSimpleName())
        .contains("unknown setting 'streams.grace.msec'")
        .contains("did you mean 'streams.grace.ms'");
  }

  @Test
  void shouldRejectAWindowAdvanceThatDoesNotDivideTheSize() {
    int code =
        command()
            .execute(
                "--describe",
                "--set",
                "streams.window.size.ms=300000",
                "--set",
                "streams.window.advance.ms=70000");
    assertThat(code).isNotZero();
    assertThat(err.toString()).contains("streams.window.advance.ms").contains("must divide");
  }
}
