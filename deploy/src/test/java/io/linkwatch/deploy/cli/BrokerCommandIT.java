package io.linkwatch.deploy.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.linkwatch.schemas.topic.TopicRole;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code linkwatch broker} as a user runs it: a separate process, then {@code topics apply} against
 * it, a client that is not ours ({@code kcat}) listing the topics, a clean stop on SIGTERM and a
 * restart that keeps the topics.
 */
class BrokerCommandIT {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  @TempDir Path dataDir;
  private final List<Process> processes = new ArrayList<>();

  @AfterEach
  void stopBrokers() throws InterruptedException {
    for (Process p : processes) {
      p.destroy();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }

  @Test
  void shouldServeTheTopicPlanAndKeepItAcrossARestart() throws Exception {
    int port = freePort();
    String bootstrap = "127.0.0.1:" + port;
    Broker broker = startBroker(port);
    assertThat(broker.firstLine()).contains("listening on " + bootstrap, "new data in");

    CliRun apply = CliRun.of("topics", "apply", "-b", bootstrap);
    assertThat(apply.exitCode()).as(apply.toString()).isZero();
    assertThat(apply.outLines())
        .filteredOn(l -> l.startsWith("created"))
        .hasSize(TopicRole.values().length);

    broker.process().destroy(); // SIGTERM, like Ctrl-C or a container stop
    assertThat(broker.process().waitFor(60, TimeUnit.SECONDS))
        .as("broker stops within 60 s of SIGTERM")
        .isTrue();
    assertThat(broker.stderr()).contains("broker stopped");

    Broker restarted = startBroker(port);
    assertThat(restarted.firstLine())
        .contains("listening on " + bootstrap)
        .doesNotContain("new data");
    CliRun again = CliRun.of("topics", "apply", "-b", bootstrap);
    assertThat(again.exitCode()).as(again.toString()).isZero();
    assertThat(again.outLines())
        .filteredOn(l -> l.startsWith("unchanged"))
        .hasSize(TopicRole.values().length);
  }

  @Test
  void shouldCreateTopicsThatAClientWhichIsNotOursLists() throws Exception {
    assumeTrue(kcatOnPath(), "kcat is not installed (.ci/run installs it)");
    int port = freePort();
    String bootstrap = "127.0.0.1:" + port;
    startBroker(port);
    assertThat(CliRun.of("topics", "apply", "-b", bootstrap).exitCode()).isZero();

    String metadata = run("kcat", "-L", "-b", bootstrap, "-m", "10");

    for (TopicRole role : TopicRole.values()) {
      assertThat(metadata).contains("topic \"" + role.defaultName() + "\" with 6 partitions");
    }
  }

  @Test
  void shouldRefuseASecondBrokerOnTheSameDataWithoutHarmingTheFirst() throws Exception {
    int port = freePort();
    Broker first = startBroker(port);
    assertThat(first.firstLine()).contains("listening on");

    CliRun second =
        CliRun.of(
            "broker", "--port", Integer.toString(freePort()), "--data-dir", dataDir.toString());

    assertThat(second.exitCode()).isEqualTo(ExitCode.FAILED);
    assertThat(second.errLines())
        .singleElement()
        .asString()
        .contains("another Kafka broker is using the data in " + dataDir.toRealPath());
    CliRun list = CliRun.of("topics", "list", "-b", "127.0.0.1:" + port);
    assertThat(list.exitCode()).as(list.toString()).isZero();
  }

  @Test
  void shouldNameTheBrokerItCannotReachAndExitThree() {
    CliRun run =
        CliRun.of(
            "topics",
            "apply",
            "-b",
            "127.0.0.1:" + freePort(),
            "--set",
            "kafka.wait.timeout.ms=1000");

    assertThat(run.exitCode()).isEqualTo(ExitCode.UNREACHABLE);
    assertThat(run.errLines()).last().asString().contains("cannot reach Kafka at 127.0.0.1:");
    assertThat(run.err()).doesNotContain("Exception", "\tat ");
  }

  private record Broker(Process process, String firstLine, Path stderrFile) {
    String stderr() throws IOException {
      return Files.readString(stderrFile);
    }
  }

  private Broker startBroker(int port) throws IOException {
    // a file, not a pipe: the JDK may close a pipe under a reader when the process exits
    Path stderr = Files.createTempFile("linkwatch-broker-", ".err");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process process =
        new ProcessBuilder(
                java,
                "-Xmx512m",
                // the command's own logging (stderr), not the test logging on this classpath
                "-Dlogback.configurationFile=" + Main.class.getResource("/logback.xml"),
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "broker",
                "--port",
                Integer.toString(port),
                "--controller-port",
                Integer.toString(freePort()),
                "--data-dir",
                dataDir.toString())
            .redirectError(stderr.toFile())
            .start();
    processes.add(process);
    BufferedReader out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<String> firstLine =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return out.readLine();
              } catch (IOException e) {
                return "unreadable: " + e;
              }
            });
    try {
      String line = firstLine.get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      assertThat(line)
          .as("first line of 'linkwatch broker' (stderr: %s)", Files.readString(stderr))
          .isNotNull();
      return new Broker(process, line, stderr);
    } catch (Exception e) {
      throw new AssertionError(
          "awaited the broker's 'listening on' line for "
              + START_TIMEOUT.toSeconds()
              + " s; process alive="
              + process.isAlive()
              + ", stderr: "
              + Files.readString(stderr),
          e);
    }
  }

  private static boolean kcatOnPath() {
    return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(":"))
        .anyMatch(dir -> Files.isExecutable(Path.of(dir, "kcat")));
  }

  private static String run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s finishes", List.of(command)).isTrue();
    assertThat(p.exitValue()).as("%s exit code; output: %s", List.of(command), output).isZero();
    return output;
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
