package io.linkwatch.deploy.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.linkwatch.deploy.cli.ExitCode;
import io.linkwatch.deploy.cli.Main;
import io.linkwatch.testkit.KafkaCluster;
import io.linkwatch.testkit.KafkaTestCluster;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code linkwatch config check} against a real cluster: a checklist an operator can act on. */
@KafkaCluster
class ConfigCheckIT {

  @TempDir Path dir;

  @Test
  void shouldNameTheMissingTopicsThenPassOnceTheyAreApplied(KafkaTestCluster kafka)
      throws Exception {
    String prefix = kafka.uniqueName("check");
    Path config =
        write(
            "app.properties",
            "bootstrap.servers=" + kafka.bootstrapServers(),
            "topics.alerts=" + prefix + ".alerts",
            "topics.replication.factor=1");

    Run before = run("config", "check", "-c", config.toString(), "--role", "sink");
    assertThat(before.code).as(before.out).isEqualTo(ExitCode.FAILED);
    assertThat(before.out)
        .contains("ok    kafka", kafka.brokerCount() + " broker")
        .containsPattern("FAIL  topics +9 missing: .*" + prefix + ".alerts")
        .contains("linkwatch topics apply");

    Run apply = run("topics", "apply", "-c", config.toString());
    assertThat(apply.code).as(apply.out).isZero();

    Run after = run("config", "check", "-c", config.toString(), "--role", "sink");
    assertThat(after.code).as(after.out).isZero();
    assertThat(after.out)
        .contains("ok    topics    all 9 topics exist as planned", "Configuration OK");
  }

  @Test
  void shouldReportAnUnreachableClusterInOneLine() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    Run run =
        run(
            "config",
            "check",
            "-b",
            "127.0.0.1:" + closedPort,
            "--role",
            "sink",
            "--timeout",
            "2s");

    assertThat(run.code).as(run.out).isEqualTo(ExitCode.UNREACHABLE);
    assertThat(run.out)
        .contains("FAIL  kafka     cannot reach Kafka at 127.0.0.1:" + closedPort)
        .contains("skip  topics");
  }

  @Test
  void shouldRefuseAKeyTheRoleDoesNotReadAndSayWhichRoleDoes() throws Exception {
    Path config = write("streams.properties", "sink.routing.file=routing.yaml");

    Run run = run("config", "check", "-c", config.toString(), "--role", "streams", "--offline");

    assertThat(run.code).as(run.out).isEqualTo(ExitCode.USAGE);
    assertThat(run.out).contains("'sink.routing.file' is not a setting of streams (sink reads it)");
  }

  @Test
  void shouldWarnAboutRoleKeysInAFileEveryRoleReads() throws Exception {
    Path config =
        write("shared.properties", "streams.grace.ms=60000", "security.protocol=PLAINTEXT");

    Run run = run("config", "check", "-c", config.toString(), "--offline");

    assertThat(run.code).as(run.out).isZero();
    assertThat(run.out)
        .contains("warn  keys      'streams.grace.ms' is read by streams only")
        .contains("LINKWATCH_STREAMS_GRACE_MS");
  }

  @Test
  void shouldNameAnInvalidValue() throws Exception {
    Path config =
        write("bad.properties", "streams.window.size.ms=300000", "streams.window.advance.ms=70000");

    Run run = run("config", "check", "-c", config.toString(), "--offline");

    assertThat(run.code).as(run.out).isEqualTo(ExitCode.USAGE);
    assertThat(run.out).contains("FAIL  values    streams:", "streams.window.advance.ms");
  }

  private Path write(String name, String... lines) throws Exception {
    Path file = dir.resolve(name);
    Files.write(file, java.util.List.of(lines), StandardCharsets.UTF_8);
    return file;
  }

  private record Run(int code, String out) {}

  private static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream stream = new PrintStream(out, true, StandardCharsets.UTF_8);
    int code = Main.run(stream, stream, args);
    return new Run(code, out.toString(StandardCharsets.UTF_8));
  }
}
