package io.linkwatch.sink.notify;

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
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * A real Prometheus Alertmanager (Debian's {@code prometheus-alertmanager}) started by the test on
 * a free loopback port with a temporary config and storage, clustering off. Tests are skipped with
 * a message saying what to install when the binary is absent.
 */
final class AlertmanagerProcess implements AutoCloseable {

  private static final List<String> BINARIES =
      List.of(
          "/usr/bin/prometheus-alertmanager",
          "/usr/local/bin/alertmanager",
          "/usr/bin/alertmanager");

  private final Process process;
  private final URI url;
  private final HttpClient http = HttpClient.newHttpClient();

  private AlertmanagerProcess(Process process, URI url) {
    this.process = process;
    this.url = url;
  }

  /** Starts Alertmanager with the given config (YAML), waiting until it is ready. */
  static AlertmanagerProcess start(String configYaml, Path dir, Path log) throws IOException {
    String binary =
        BINARIES.stream().filter(b -> Files.isExecutable(Path.of(b))).findFirst().orElse(null);
    assumeTrue(
        binary != null,
        "Prometheus Alertmanager is not installed (apt-get install -y prometheus-alertmanager); skipping the real-receiver test");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path config = dir.resolve("alertmanager.yml");
    Files.writeString(config, configYaml);
    Files.createDirectories(log.getParent());
    Process p =
        new ProcessBuilder(
                binary,
                "--config.file=" + config,
                "--storage.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port,
                "--cluster.listen-address=",
                "--log.level=info")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    AlertmanagerProcess am = new AlertmanagerProcess(p, URI.create("http://127.0.0.1:" + port));
    Awaitility.await("Alertmanager ready on port " + port + " (log: " + log + ")")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .until(am::ready);
    return am;
  }

  URI url() {
    return url;
  }

  private boolean ready() {
    if (!process.isAlive()) {
      throw new IllegalStateException("Alertmanager exited with " + process.exitValue());
    }
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

  /** {@code GET /api/v2/alerts}: what Alertmanager holds now. */
  JsonNode alerts() {
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(url.resolve("/api/v2/alerts")).build(),
              HttpResponse.BodyHandlers.ofString());
      return new ObjectMapper().readTree(r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
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
    }
  }
}
