package io.linkwatch.sink.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.http.sse.SseClient;
import io.javalin.http.staticfiles.Location;
import io.linkwatch.sink.alert.AlertJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live dashboard: one page for the SRE on call ({@code /}), the JSON API behind it ({@code
 * /api/v1/...}, documented in docs/dashboard.md), server-sent events ({@code /api/v1/events}), a
 * health endpoint ({@code /health}), a readiness endpoint ({@code /ready}) and, when given, the
 * Prometheus metrics ({@code /metrics}). Chart.js is served from its WebJar: the page needs no
 * internet.
 */
public final class DashboardServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DashboardServer.class);
  private static final String PAGE = "/io/linkwatch/sink/dashboard/index.html";
  private static final Duration FEED_STALE = Duration.ofMinutes(1);

  private final Board board;
  private final Javalin app;
  private final ConcurrentLinkedQueue<SseClient> clients = new ConcurrentLinkedQueue<>();
  private final ScheduledExecutorService keepAlive;
  private final Consumer<Board.Event> listener = this::broadcast;
  private final Supplier<String> metrics;
  private final BooleanSupplier deliveryHealthy;
  private final Clock clock;

  private DashboardServer(
      Board board, Supplier<String> metrics, BooleanSupplier deliveryHealthy, Clock clock) {
    this.board = board;
    this.metrics = metrics;
    this.deliveryHealthy = deliveryHealthy;
    this.clock = clock;
    this.app =
        Javalin.create(
            config -> {
              config.startup.showJavalinBanner = false;
              config.startup.showOldJavalinVersionWarning = false;
              config.staticFiles.enableWebjars();
              config.staticFiles.add(
                  s -> {
                    s.hostedPath = "/assets";
                    s.directory = "/io/linkwatch/sink/dashboard/assets";
                    s.location = Location.CLASSPATH;
                  });
              config.routes.get("/", this::page);
              config.routes.get("/health", this::health);
              config.routes.get("/ready", this::ready);
              config.routes.get("/metrics", this::metrics);
              config.routes.get("/api/v1/summary", ctx -> json(ctx, board.summary()));
              config.routes.get("/api/v1/alerts", this::alerts);
              config.routes.get("/api/v1/alerts/{fingerprint}", this::alert);
              config.routes.get("/api/v1/transitions", this::transitions);
              config.routes.get("/api/v1/signals", ctx -> json(ctx, board.signals()));
              config.routes.get("/api/v1/signals/{signal}", this::signal);
              config.routes.get("/api/v1/receivers", ctx -> json(ctx, board.receivers()));
              config.routes.get("/api/v1/silences", ctx -> json(ctx, board.silences()));
              config.routes.sse("/api/v1/events", this::subscribe);
            });
    this.keepAlive =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "linkwatch-dashboard-keepalive");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Starts the server.
   *
   * @param host interface to listen on
   * @param port port, 0 for any free one
   * @param metrics the Prometheus scrape text, or {@code null} for no {@code /metrics}
   * @param deliveryHealthy whether every delivery loop is running
   */
  public static DashboardServer start(
      Board board,
      String host,
      int port,
      Supplier<String> metrics,
      BooleanSupplier deliveryHealthy,
      Clock clock) {
    DashboardServer server = new DashboardServer(board, metrics, deliveryHealthy, clock);
    server.app.start(host, port);
    board.subscribe(server.listener);
    server.keepAlive.scheduleAtFixedRate(server::ping, 15, 15, TimeUnit.SECONDS);
    log.info("dashboard: listening on http://{}:{}/", host, server.port());
    return server;
  }

  public int port() {
    return app.port();
  }

  private void page(Context ctx) {
    try (InputStream in =
        Objects.requireNonNull(DashboardServer.class.getResourceAsStream(PAGE), PAGE)) {
      ctx.contentType("text/html; charset=utf-8").result(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void health(Context ctx) {
    ObjectNode h = AlertJson.MAPPER.createObjectNode();
    Instant lastPoll = board.lastFeedPoll();
    boolean feedOk =
        lastPoll != null && Duration.between(lastPoll, clock.instant()).compareTo(FEED_STALE) < 0;
    boolean deliveryOk = deliveryHealthy.getAsBoolean();
    boolean up = feedOk && deliveryOk;
    h.put("status", up ? "UP" : "DOWN");
    ObjectNode checks = h.putObject("checks");
    ObjectNode feed = checks.putObject("feed");
    feed.put("status", feedOk ? "UP" : "DOWN");
    feed.put("lastPoll", lastPoll == null ? null : lastPoll.toString());
    feed.put("caughtUp", board.caughtUp());
    checks.putObject("delivery").put("status", deliveryOk ? "UP" : "DOWN");
    h.set("receivers", board.receivers());
    ctx.status(up ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    json(ctx, h);
  }

  /**
   * Ready (200) once the board has read the alerts topic up to where it ended at start, so that a
   * load balancer sends people to an instance that shows every firing alert; 503 before, or when a
   * delivery loop stopped.
   */
  private void ready(Context ctx) {
    boolean caughtUp = board.caughtUp();
    boolean deliveryOk = deliveryHealthy.getAsBoolean();
    boolean ready = caughtUp && deliveryOk;
    ObjectNode r = AlertJson.MAPPER.createObjectNode();
    r.put("status", ready ? "READY" : "NOT_READY");
    r.put("caughtUp", caughtUp);
    r.put("delivery", deliveryOk ? "UP" : "DOWN");
    ctx.status(ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    json(ctx, r);
  }

  private void metrics(Context ctx) {
    if (metrics == null) {
      ctx.status(HttpStatus.NOT_FOUND).result("metrics are not exported by this process");
      return;
    }
    ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.get());
  }

  private void alerts(Context ctx) {
    String state = ctx.queryParam("state");
    if (state == null || state.equals("active")) {
      json(ctx, board.activeAlerts());
    } else if (state.equals("resolved")) {
      json(ctx, board.resolvedAlerts());
    } else {
      ctx.status(HttpStatus.BAD_REQUEST);
      json(ctx, error("state must be 'active' or 'resolved', got '" + state + "'"));
    }
  }

  private void alert(Context ctx) {
    ObjectNode a = board.alert(ctx.pathParam("fingerprint"));
    if (a == null) {
      ctx.status(HttpStatus.NOT_FOUND);
      json(
          ctx,
          error(
              "no active or recently resolved alert with fingerprint '"
                  + ctx.pathParam("fingerprint")
                  + "'"));
      return;
    }
    json(ctx, a);
  }

  private void transitions(Context ctx) {
    int limit = 50;
    String l = ctx.queryParam("limit");
    if (l != null) {
      try {
        limit = Integer.parseInt(l);
      } catch (NumberFormatException e) {
        ctx.status(HttpStatus.BAD_REQUEST);
        json(ctx, error("limit must be a number, got '" + l + "'"));
        return;
      }
    }
    json(ctx, board.transitions(Math.min(limit, Board.RECENT_TRANSITIONS)));
  }

  private void signal(Context ctx) {
    ObjectNode s = board.signal(ctx.pathParam("signal"));
    if (s == null) {
      ctx.status(HttpStatus.NOT_FOUND);
      json(ctx, error("no aggregates seen for signal '" + ctx.pathParam("signal") + "'"));
      return;
    }
    json(ctx, s);
  }

  private void subscribe(SseClient client) {
    client.keepAlive();
    client.onClose(() -> clients.remove(client));
    clients.add(client);
    // the state at connection time, so a page never misses what happened before it subscribed
    ObjectNode hello = AlertJson.MAPPER.createObjectNode();
    hello.set("summary", board.summary());
    hello.set("active", board.activeAlerts());
    hello.set("transitions", board.transitions(50));
    hello.set("receivers", board.receivers());
    hello.set("silences", board.silences());
    client.sendEvent("snapshot", write(hello));
  }

  private void broadcast(Board.Event e) {
    String data = write(e.data());
    for (SseClient c : clients) {
      if (c.terminated()) {
        clients.remove(c);
        continue;
      }
      try {
        c.sendEvent(e.type(), data);
      } catch (RuntimeException ex) {
        clients.remove(c);
      }
    }
  }

  private void ping() {
    for (SseClient c : clients) {
      try {
        c.sendComment("ping");
      } catch (RuntimeException ex) {
        clients.remove(c);
      }
    }
  }

  private static ObjectNode error(String message) {
    return AlertJson.MAPPER.createObjectNode().put("error", message);
  }

  private static void json(Context ctx, JsonNode node) {
    ctx.contentType("application/json").result(write(node));
  }

  private static String write(JsonNode node) {
    try {
      return AlertJson.MAPPER.writeValueAsString(node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    board.unsubscribe(listener);
    keepAlive.shutdownNow();
    clients.forEach(SseClient::close);
    app.stop();
  }
}
