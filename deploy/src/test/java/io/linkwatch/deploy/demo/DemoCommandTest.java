package io.linkwatch.deploy.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.linkwatch.deploy.cli.ExitCode;
import io.linkwatch.deploy.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo refuses what it cannot run, in one line, before it starts anything. */
class DemoCommandTest {

  @TempDir Path dir;

  @Test
  void shouldNameTheTakenPortAndTheFlagThatPicksAnother() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      String[] run =
          run(
              "demo",
              "--data-dir",
              dir.toString(),
              "--dashboard-port",
              Integer.toString(taken.getLocalPort()));

      assertThat(run[0]).isEqualTo(Integer.toString(ExitCode.FAILED));
      assertThat(run[1].lines())
          .filteredOn(l -> l.startsWith("demo: port"))
          .contains(
              "demo: port "
                  + taken.getLocalPort()
                  + " for the dashboard is in use on 127.0.0.1; choose another with"
                  + " --dashboard-port (e.g. --dashboard-port "
                  + (taken.getLocalPort() + 20000 <= 65534
                      ? taken.getLocalPort() + 20000
                      : taken.getLocalPort() - 1000)
                  + ")");
      assertThat(dir).isEmptyDirectory();
    }
  }

  @Test
  void shouldRefuseASpanTooShortForTheScenarios() {
    String[] run = run("demo", "--data-dir", dir.toString(), "--duration", "30m");

    assertThat(run[0]).isEqualTo(Integer.toString(ExitCode.USAGE));
    assertThat(run[1]).contains("--duration must be at least 2h, not 30m");
  }

  @Test
  void shouldRefuseASettingNoRoleOfTheDemoReads() {
    String[] run = run("demo", "--data-dir", dir.toString(), "--set", "streams.grase.ms=1");

    assertThat(run[0]).isEqualTo(Integer.toString(ExitCode.USAGE));
    assertThat(run[1])
        .contains("--set streams.grase.ms: not a setting of the streams or sink role");
  }

  @Test
  void shouldEndTheSimulatedSpanWhenTheReplayEnds() {
    DemoCommand demo = new DemoCommand();
    demo.duration = java.time.Duration.ofHours(6);
    demo.seed = 1;
    demo.devices = 10;
    demo.hubs = 1;
    java.time.Instant now = java.time.Instant.parse("2026-03-01T12:00:00Z");

    var simulation = demo.simulation(now);

    assertThat(demo.effectiveSpeed()).isEqualTo(240.0);
    // six hours replayed in 90 s: the last event is due when the replay ends, 90 s from now
    assertThat(simulation.end()).isEqualTo(now.plusSeconds(90));
  }

  private static String[] run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream stream = new PrintStream(out, true, StandardCharsets.UTF_8);
    int code = Main.run(stream, stream, args);
    return new String[] {Integer.toString(code), out.toString(StandardCharsets.UTF_8)};
  }
}
