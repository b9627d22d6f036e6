package io.linkwatch.deploy.faults;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus Alertmanager (Debian's {@code prometheus-alertmanager}) as a process of its
 * own, with a route that notifies nobody: the fault tests look at what it holds through its API.
 * Skips the test, saying what to install, when the binary is absent.
 */
final class Alertmanager implements AutoCloseable {

  private static final List<String> BINARIES =
      List.of(
          "/usr/bin/prometheus-alertmanager",
          "/usr/local/bin/alertmanager",
          "/usr/bin/alertmanager");

  private static final String CONFIG =
      """
      route:
        receiver: nobody
      receivers:
        - name: nobody
      """;

  private final Process process;
  private final URI url;
  private final Path log;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private Alertmanager(Process process, URI url, Path log) {
    this.process = process;
    this.url = url;
    this.log = log;
  }

  static Alertmanager start(Path dir) throws IOException, InterruptedException {
    String binary =
        BINARIES.stream().filter(b -> Files.isExecutable(Path.of(b))).findFirst().orElse(null);
    assumeTrue(
        binary != null,
        "Prometheus Alertmanager is not installed (apt-get install -y prometheus-alertmanager)");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Files.createDirectories(dir);
    Path config = Files.writeString(dir.resolve("alertmanager.yml"), CONFIG);
    Path log = dir.resolve("alertmanager.log");
    Process p =
        new ProcessBuilder(
                binary,
                "--config.file=" + config,
                "--storage.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port,
                "--cluster.listen-address=",
                "--log.level=warn")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    Alertmanager am = new Alertmanager(p, URI.create("http://127.0.0.1:" + port), log);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!am.ready()) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        am.close();
        throw new AssertionError(
            "awaited Alertmanager ready on port " + port + " for 60 s; see " + log);
      }
      Thread.sleep(200);
    }
    return am;
  }

  URI url() {
    return url;
  }

  private boolean ready() {
    try {
      return http.send(
                  HttpRequest.newBuilder(url.resolve("/-/ready")).build(),
                  HttpResponse.BodyHandlers.discarding())
              .statusCode()
          == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * The alerts Alertmanager holds as firing now: the sink's {@code alert_id} annotation mapped to
   * its {@code sequence} annotation (the transition last posted for it).
   */
  Map<String, String> firing() {
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(url.resolve("/api/v2/alerts?active=true"))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      Map<String, String> out = new TreeMap<>();
      for (JsonNode a : new ObjectMapper().readTree(r.body())) {
        if ("active".equals(a.path("status").path("state").asText())) {
          out.put(
              a.path("annotations").path("alert_id").asText(),
              a.path("annotations").path("sequence").asText());
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read Alertmanager's alerts (log: " + log + ")", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
