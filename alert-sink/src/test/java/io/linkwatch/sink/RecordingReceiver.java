package io.linkwatch.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A real HTTP receiver for tests (the JDK's server on a loopback port): records every request, and
 * answers with scripted statuses, a custom check, or not at all when {@link #stop stopped}.
 */
public final class RecordingReceiver implements AutoCloseable {

  /** One request as received. */
  public record Request(
      String method, String path, Map<String, List<String>> headers, byte[] body) {
    public String header(String name) {
      for (Map.Entry<String, List<String>> e : headers.entrySet()) {
        if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
          return e.getValue().get(0);
        }
      }
      return null;
    }

    public String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    public JsonNode json() {
      try {
        return new ObjectMapper().readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** What to answer: status and headers. */
  public record Reply(int status, Map<String, String> headers) {
    public static Reply ok() {
      return new Reply(200, Map.of());
    }
  }

  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final Queue<Reply> script = new ArrayDeque<>();
  private volatile Function<Request, Reply> check = r -> Reply.ok();
  private HttpServer server;
  private int port;

  private RecordingReceiver() {}

  public static RecordingReceiver start() {
    RecordingReceiver r = new RecordingReceiver();
    r.listen(0);
    return r;
  }

  private void listen(int onPort) {
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
    byte[] body = ex.getRequestBody().readAllBytes();
    Request req =
        new Request(
            ex.getRequestMethod(),
            ex.getRequestURI().getPath(),
            Map.copyOf(ex.getRequestHeaders()),
            body);
    Reply reply;
    synchronized (script) {
      reply = script.poll();
    }
    if (reply == null) {
      reply = check.apply(req);
    }
    if (reply.status() >= 200 && reply.status() < 300) {
      requests.add(req);
    }
    reply.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
    byte[] answer =
        (reply.status() < 300 ? "{}" : "{\"error\":\"scripted " + reply.status() + "\"}")
            .getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(reply.status(), answer.length);
    ex.getResponseBody().write(answer);
    ex.close();
  }

  /** Answers the next requests with these replies, in order, then goes back to the check. */
  public void script(Reply... replies) {
    synchronized (script) {
      script.addAll(List.of(replies));
    }
  }

  /** Decides the reply to each request (e.g. 401 when the signature is wrong). */
  public void check(Function<Request, Reply> check) {
    this.check = check;
  }

  /** Stops listening: connections are refused until {@link #restart}. */
  public void stop() {
    server.stop(0);
  }

  /** Listens again on the same port. */
  public void restart() {
    listen(port);
  }

  public URI url(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  /** Requests answered with a 2xx, in arrival order. */
  public List<Request> accepted() {
    return List.copyOf(requests);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
