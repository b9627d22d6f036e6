package io.linkwatch.ingest.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.linkwatch.ingest.testing.Cli;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What a user sees from the commands before any broker is involved. */
class IngestCommandsTest {

  @ParameterizedTest
  @ValueSource(
      strings = {"ingest file", "ingest kafka", "ingest http", "ingest agent-log", "simulate"})
  void shouldDescribeEveryCommandInItsHelp(String command) {
    Cli.Run run = Cli.run((command + " --help").split(" "));

    assertThat(run.exit()).isZero();
    assertThat(run.out()).startsWith("Usage: linkwatch " + command).contains("--bootstrap-servers");
  }

  @Test
  void shouldNameAnUnknownSettingWithTheClosestKnownOne(@TempDir Path dir) {
    Cli.Run run = Cli.run("ingest", "file", dir.toString(), "--set", "ingest.flush.intervall.ms=5");

    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err())
        .contains("unknown setting 'ingest.flush.intervall.ms'")
        .contains("did you mean 'ingest.flush.interval.ms'");
  }

  @Test
  void shouldNameASettingWhoseValueIsWrong(@TempDir Path dir) {
    Cli.Run run = Cli.run("ingest", "http", "--set", "ingest.http.port=eighty");

    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err()).contains("ingest.http.port");
  }

  @Test
  void shouldReportAnUnreachableBrokerInOneLineWithExitThree(@TempDir Path dir) {
    Cli.Run run =
        Cli.run(
            "ingest",
            "file",
            dir.toString(),
            "-b",
            "127.0.0.1:1",
            "--no-checkpoint",
            "--set",
            "ingest.startup.timeout.ms=1500",
            "--set",
            "ingest.health.port=0");

    assertThat(run.exit()).isEqualTo(3);
    assertThat(run.err().strip().lines()).hasSize(1);
    assertThat(run.err()).contains("linkwatch ingest file").contains("127.0.0.1:1");
  }

  @Test
  void shouldRefuseAnUnknownScenarioAndABadDurationNamingThem(@TempDir Path dir) {
    Cli.Run scenario = Cli.run("simulate", "--out", dir + "/", "--scenario", "hub-outtage");
    Cli.Run duration = Cli.run("simulate", "--out", dir + "/", "--duration", "six hours");
    Cli.Run nowhere = Cli.run("simulate");

    assertThat(scenario.exit()).isEqualTo(2);
    assertThat(scenario.err()).contains("no scenario 'hub-outtage'").contains("hub-outage");
    assertThat(duration.exit()).isEqualTo(2);
    assertThat(duration.err()).contains("six hours");
    assertThat(nowhere.exit()).isEqualTo(2);
    assertThat(nowhere.err()).contains("--out FILE|DIR or --produce raw|events");
  }
}
