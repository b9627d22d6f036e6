package io.linkwatch.ingest.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The health endpoints of an ingest source, for probes and Prometheus: {@code GET /health} 200
 * while the source runs (503 once it failed), {@code GET /ready} 200 once the brokers answered and
 * the event topics exist, {@code GET /metrics} the source's meters in the Prometheus format.
 */
final class HealthServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(HealthServer.class);

  private final HttpServer server;

  private HealthServer(HttpServer server) {
    this.server = server;
  }

  /**
   * Starts the server, or returns {@code null} after one warning when the port cannot be bound (a
   * one-shot file load next to another source should not fail for its health endpoint).
   */
  static HealthServer start(
      String host,
      int port,
      BooleanSupplier alive,
      BooleanSupplier ready,
      PrometheusMeterRegistry registry) {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(host, port), 0);
    } catch (IOException e) {
      LOG.warn(
          "no health endpoint: cannot listen on {}:{} ({}); set ingest.health.port (0 for none)",
          host,
          port,
          e.getMessage());
      return null;
    }
    server.createContext(
        "/health",
        x ->
            reply(x, alive.getAsBoolean() ? 200 : 503, status(alive.getAsBoolean(), "UP", "DOWN")));
    server.createContext(
        "/ready",
        x ->
            reply(
                x,
                ready.getAsBoolean() ? 200 : 503,
                status(ready.getAsBoolean(), "READY", "NOT_READY")));
    server.createContext("/metrics", x -> metrics(x, registry));
    server.setExecutor(
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "linkwatch-ingest-health");
              t.setDaemon(true);
              return t;
            }));
    server.start();
    LOG.info("health on http://{}:{} (/health, /ready, /metrics)", host, port);
    return new HealthServer(server);
  }

  private static String status(boolean ok, String yes, String no) {
    return "{\"status\":\"" + (ok ? yes : no) + "\"}";
  }

  private static void metrics(HttpExchange x, PrometheusMeterRegistry registry) throws IOException {
    x.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
    x.sendResponseHeaders(200, body.length);
    try (OutputStream out = x.getResponseBody()) {
      out.write(body);
    }
  }

  private static void reply(HttpExchange x, int status, String json) throws IOException {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().set("Content-Type", "application/json");
    x.sendResponseHeaders(status, body.length);
    try (OutputStream out = x.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
