package io.linkwatch.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.linkwatch.deploy.cli.VersionProvider;
import io.linkwatch.deploy.config.Repository;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deploying for real, on one machine: the distribution the build made (bin/linkwatch), a broker
 * started on its own, then each role as its own process from one shared settings file plus
 * environment overrides — ingest reading simulator output, streams, sink. Each answers its
 * readiness probe, {@code config check} passes against the live cluster, an alert travels from the
 * ingest process through streams to the sink's console, and every role stops cleanly on SIGTERM.
 */
class RolesOnTheirOwnIT {

  private static final Duration START = Duration.ofSeconds(120);
  private static final Duration FIRST_ALERT = Duration.ofMinutes(4);

  @TempDir Path dir;
  private final Map<String, Started> processes = new LinkedHashMap<>();

  private record Started(Process process, Path log) {
    String tail() {
      try {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
      } catch (IOException e) {
        return "(no log: " + e + ")";
      }
    }
  }

  @AfterEach
  void stop() throws InterruptedException {
    List<String> names = new ArrayList<>(processes.keySet());
    java.util.Collections.reverse(names);
    for (String name : names) {
      Process p = processes.get(name).process();
      p.destroy();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }

  @Test
  void shouldRunEachRoleAsItsOwnProcessAgainstABrokerStartedApart() throws Exception {
    Path bin = distribution();
    int kafkaPort = freePortPair();
    String bootstrap = "127.0.0.1:" + kafkaPort;
    int streamsPort = freePort();
    int sinkPort = freePort();
    int ingestPort = freePort();

    // given a broker of its own, the topic plan and the default rules
    Started broker =
        start(
            bin,
            "broker",
            Map.of(),
            "broker",
            "-p",
            "" + kafkaPort,
            "-d",
            dir.resolve("broker").toString());
    await("the broker listens on " + bootstrap, START, () -> logContains(broker, "listening on"));
    assertThat(run(bin, Map.of(), "topics", "apply", "-b", bootstrap)).isZero();
    assertThat(run(bin, Map.of(), "rules", "apply", "--default-pack", "-b", bootstrap)).isZero();
    Path config = dir.resolve("linkwatch.properties");
    Files.writeString(config, "bootstrap.servers=" + bootstrap + "\n", StandardCharsets.UTF_8);
    assertThat(
            run(
                bin,
                Map.of(),
                "simulate",
                "--out",
                dir.resolve("fleet").toString() + "/",
                "--duration",
                "3h",
                "--devices",
                "150",
                "--seed",
                "7"))
        .isZero();

    // when each role runs on its own, from the shared file plus its own environment
    Started streams =
        start(
            bin,
            "streams",
            Map.of(
                "LINKWATCH_STREAMS_HTTP_PORT",
                "" + streamsPort,
                "LINKWATCH_STATE_DIR",
                dir.resolve("streams-state").toString(),
                "LINKWATCH_COMMIT_INTERVAL_MS",
                "1000"),
            "streams",
            "--config",
            config.toString());
    Started sink =
        start(
            bin,
            "sink",
            Map.of(
                "LINKWATCH_DASHBOARD_PORT",
                "" + sinkPort,
                "LINKWATCH_SINK_STATE_DIR",
                dir.resolve("sink-state").toString(),
                "LINKWATCH_SINK_START",
                "earliest",
                "LINKWATCH_SINK_CONSOLE_COLOR",
                "never"),
            "sink",
            "--config",
            config.toString());
    await(
        "streams is ready on :" + streamsPort + "/ready",
        START,
        () -> ok(streamsPort, "/ready"),
        streams);
    await(
        "the sink is ready on :" + sinkPort + "/ready", START, () -> ok(sinkPort, "/ready"), sink);
    Started ingest =
        start(
            bin,
            "ingest",
            Map.of(
                "LINKWATCH_INGEST_HEALTH_PORT",
                "" + ingestPort,
                "LINKWATCH_INGEST_FILE_CHECKPOINT_DIR",
                dir.resolve("checkpoints").toString()),
            "ingest",
            "file",
            "--follow",
            dir.resolve("fleet").toString(),
            "--config",
            config.toString());
    await(
        "ingest is ready on :" + ingestPort + "/ready",
        START,
        () -> ok(ingestPort, "/ready"),
        ingest);

    // then the cluster is as the shared file says, and an alert reaches the sink's console
    Path check = dir.resolve("check.log");
    assertThat(runLogged(bin, Map.of(), check, "config", "check", "--config", config.toString()))
        .as(Files.readString(check))
        .isZero();
    await(
        "an alert fired by streams is printed by the sink",
        FIRST_ALERT,
        () -> logContains(sink, "FIRED"),
        streams,
        sink,
        ingest);
    for (int port : List.of(streamsPort, sinkPort, ingestPort)) {
      assertThat(ok(port, "/health")).as("/health on " + port).isTrue();
      assertThat(get(port, "/metrics")).as("/metrics on " + port).contains("# TYPE");
    }

    // and each stops cleanly on SIGTERM, as a container stop or Ctrl-C sends it
    for (Started role : List.of(ingest, sink, streams)) {
      role.process().destroy();
      assertThat(role.process().waitFor(90, TimeUnit.SECONDS))
          .as("stopped: " + role.tail())
          .isTrue();
      assertThat(role.process().exitValue()).as(role.tail()).isIn(0, 143);
    }
  }

  // ------------------------------------------------------------------ helpers

  /** bin/linkwatch of the distribution the build made, unpacked afresh. */
  private Path distribution() throws Exception {
    String version = VersionProvider.version();
    Path archive = Repository.file("deploy/target/linkwatch-" + version + ".tar.gz");
    assertThat(archive)
        .as("the build made the distribution (package runs before the ITs)")
        .exists();
    Path into = dir.resolve("dist");
    Files.createDirectories(into);
    Process tar =
        new ProcessBuilder(
                "tar", "-xzf", archive.toString(), "-C", into.toString(), "--strip-components=1")
            .inheritIO()
            .start();
    assertThat(tar.waitFor(120, TimeUnit.SECONDS) && tar.exitValue() == 0).as("unpacked").isTrue();
    Path bin = into.resolve("bin/linkwatch");
    assertThat(Files.isExecutable(bin)).isTrue();
    return bin;
  }

  private Started start(Path bin, String name, Map<String, String> env, String... args)
      throws IOException {
    Path log = dir.resolve(name + ".log");
    Started s = new Started(linkwatch(bin, env, log, args).start(), log);
    processes.put(name, s);
    return s;
  }

  private int run(Path bin, Map<String, String> env, String... args) throws Exception {
    return runLogged(bin, env, dir.resolve("run-" + args[0] + ".log"), args);
  }

  private int runLogged(Path bin, Map<String, String> env, Path log, String... args)
      throws Exception {
    Process p = linkwatch(bin, env, log, args).start();
    assertThat(p.waitFor(180, TimeUnit.SECONDS)).as(String.join(" ", args) + " finished").isTrue();
    if (p.exitValue() != 0) {
      System.err.println(String.join(" ", args) + ":\n" + Files.readString(log));
    }
    return p.exitValue();
  }

  /** bin/linkwatch with these arguments and environment, its output in {@code log}. */
  private static ProcessBuilder linkwatch(
      Path bin, Map<String, String> env, Path log, String... args) {
    List<String> command = new ArrayList<>(List.of(bin.toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(env);
    pb.environment().put("LINKWATCH_OPTS", "-Xmx512m");
    return pb;
  }

  private static boolean logContains(Started s, String text) {
    try {
      return Files.readString(s.log(), StandardCharsets.UTF_8).contains(text);
    } catch (IOException e) {
      return false;
    }
  }

  private static void await(
      String what, Duration timeout, BooleanSupplier condition, Started... watched)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      for (Started s : watched) {
        assertThat(s.process().isAlive())
            .as("still running while awaiting " + what + ":\n" + s.tail())
            .isTrue();
      }
      if (System.nanoTime() > deadline) {
        StringBuilder logs = new StringBuilder();
        for (Started s : watched) {
          logs.append("\n--- ").append(s.log().getFileName()).append('\n').append(s.tail());
        }
        throw new AssertionError(
            "timed out after " + timeout.toSeconds() + " s awaiting " + what + logs);
      }
      Thread.sleep(500);
    }
  }

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static boolean ok(int port, String path) {
    try {
      return HTTP.send(request(port, path), HttpResponse.BodyHandlers.discarding()).statusCode()
          == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static String get(int port, String path) throws Exception {
    return HTTP.send(request(port, path), HttpResponse.BodyHandlers.ofString()).body();
  }

  private static HttpRequest request(int port, String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10))
        .build();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** A port whose next one is free too (the broker's controller listens there). */
  private static int freePortPair() throws IOException {
    for (int i = 0; i < 50; i++) {
      int p = freePort();
      try (ServerSocket next = new ServerSocket(p + 1)) {
        return p;
      } catch (IOException taken) {
        // try another
      }
    }
    throw new IOException("no two consecutive free ports");
  }
}
