package io.linkwatch.deploy.faults;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A webhook receiver on a loopback port that can go down (connections refused, as when its host is
 * unreachable) and come back on the same port. It records the {@code Idempotency-Key} of every
 * request it accepted, in arrival order, and can answer slowly, so that a test can kill the sink
 * while a notification is in flight.
 */
final class WebhookReceiver implements AutoCloseable {

  /** One accepted notification: its key and when it arrived. */
  record Received(String idempotencyKey, long nanoTime) {}

  private final List<Received> accepted = new CopyOnWriteArrayList<>();
  private volatile Duration answerAfter = Duration.ZERO;
  private HttpServer server;
  private int port;

  private WebhookReceiver() {}

  static WebhookReceiver start() {
    WebhookReceiver r = new WebhookReceiver();
    r.listen(0);
    return r;
  }

  private synchronized void listen(int onPort) {
    try {
      server =
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort), 50);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on port " + onPort, e);
    }
    server.createContext("/", this::handle);
    server.start();
    port = server.getAddress().getPort();
  }

  private void handle(HttpExchange ex) throws IOException {
    ex.getRequestBody().readAllBytes();
    String key = ex.getRequestHeaders().getFirst("Idempotency-Key");
    Duration delay = answerAfter;
    if (!delay.isZero()) {
      try {
        Thread.sleep(delay.toMillis()); // a slow receiver: the notification stays in flight
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    accepted.add(new Received(key, System.nanoTime()));
    byte[] answer = "{}".getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(200, answer.length);
    ex.getResponseBody().write(answer);
    ex.close();
  }

  /** Takes this long to answer each request from now on. */
  void answerAfter(Duration delay) {
    this.answerAfter = delay;
  }

  /** Goes down: connections are refused until {@link #comeBack}. */
  synchronized void goDown() {
    server.stop(0);
  }

  /** Listens again on the same port. */
  void comeBack() {
    listen(port);
  }

  URI url() {
    return URI.create("http://127.0.0.1:" + port + "/hook");
  }

  /** Notifications accepted (answered 200), in arrival order. */
  List<Received> accepted() {
    return List.copyOf(accepted);
  }

  List<String> keys() {
    return accepted.stream().map(Received::idempotencyKey).toList();
  }

  /** Keys accepted more than once, with how often. */
  Map<String, Long> repeated() {
    return keys().stream()
        .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()))
        .entrySet()
        .stream()
        .filter(e -> e.getValue() > 1)
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
  }

  @Override
  public synchronized void close() {
    server.stop(0);
  }
}
