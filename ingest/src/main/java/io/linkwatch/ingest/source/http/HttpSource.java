package io.linkwatch.ingest.source.http;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.linkwatch.avro.DeadLetter;
import io.linkwatch.avro.SourceKind;
import io.linkwatch.ingest.parse.AgentLogParser;
import io.linkwatch.ingest.parse.AzureLogParser;
import io.linkwatch.ingest.parse.Origin;
import io.linkwatch.ingest.parse.ParseOutput;
import io.linkwatch.ingest.sink.KafkaEventSink;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.zip.GZIPInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives Azure logs over HTTP, as Fluent Bit, Vector or a Logic App can send them, and puts them
 * on the event topics: {@code POST /api/v1/records} with a {@code {"records":[...]}} envelope, a
 * record, an array of records or NDJSON (gzip accepted); {@code POST /api/v1/agent-logs?machine=M}
 * with Arc agent log lines. A request is answered once the broker has acknowledged its records, so
 * a 200 means stored; records that cannot be parsed are dead-lettered (with the request id) and
 * counted in the answer.
 *
 * <p>Answers: 401 without the bearer token, 413 over the body limit, 400 when nothing in the body
 * could be read (its dead letters are written all the same), 429 with {@code Retry-After} when more
 * bytes are being produced than {@code maxInflightBytes} (nothing is buffered beyond it), 503 with
 * {@code Retry-After} while the broker does not acknowledge in time. {@code GET /healthz} says
 * whether the broker keeps up.
 */
public final class HttpSource implements AutoCloseable {

  public static final String RECORDS_PATH = "/api/v1/records";
  public static final String AGENT_LOGS_PATH = "/api/v1/agent-logs";
  public static final String HEALTH_PATH = "/healthz";

  private static final Logger LOG = LoggerFactory.getLogger(HttpSource.class);
  private static final int MAX_ERRORS_IN_ANSWER = 10;
  private static final long MAX_DRAIN_BYTES = 16L << 20;

  /**
   * @param bind address to listen on
   * @param port port (0: any free one)
   * @param token bearer token required, or empty for none
   * @param maxBodyBytes largest body, after decompression
   * @param maxInflightBytes bytes of bodies being produced at once
   * @param ackTimeoutMs how long a request waits for the broker
   * @param threads request handler threads
   * @param retryAfterSeconds Retry-After of 429 and 503
   */
  public record Options(
      String bind,
      int port,
      String token,
      int maxBodyBytes,
      long maxInflightBytes,
      long ackTimeoutMs,
      int threads,
      int retryAfterSeconds) {}

  private final Options options;
  private final KafkaEventSink sink;
  private final ThreadLocal<AzureLogParser> azure;
  private final ThreadLocal<AgentLogParser> agent;
  private final MeterRegistry registry;
  private final AtomicLong inflight = new AtomicLong();
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong bytes = new AtomicLong();
  private final Map<Integer, Counter> answers = new ConcurrentHashMap<>();
  private final byte[] token;
  private volatile long degradedUntil;
  private volatile boolean closing;
  private HttpServer server;
  private ExecutorService executor;

  public HttpSource(
      Options options,
      KafkaEventSink sink,
      Supplier<AzureLogParser> azure,
      Supplier<AgentLogParser> agent,
      MeterRegistry registry) {
    this.options = options;
    this.sink = sink;
    this.azure = ThreadLocal.withInitial(azure);
    this.agent = ThreadLocal.withInitial(agent);
    this.registry = registry;
    this.token =
        options.token() == null || options.token().isEmpty()
            ? null
            : options.token().getBytes(StandardCharsets.UTF_8);
    Gauge.builder("linkwatch.ingest.http.inflight.bytes", inflight, AtomicLong::get)
        .description("Bytes of request bodies whose records the broker has not acknowledged yet")
        .register(registry);
  }

  /** Binds the port and starts serving. */
  public HttpSource start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(options.bind(), options.port()), 64);
    executor =
        Executors.newFixedThreadPool(
            options.threads(),
            r -> {
              Thread t = new Thread(r, "linkwatch-ingest-http");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    server.createContext(RECORDS_PATH, e -> serve(e, false));
    server.createContext(AGENT_LOGS_PATH, e -> serve(e, true));
    server.createContext(HEALTH_PATH, this::health);
    server.start();
    if (token == null) {
      LOG.warn(
          "the HTTP source accepts requests without a token: set ingest.http.token to require"
              + " 'Authorization: Bearer <token>'");
    }
    LOG.info("listening on http://{}:{}{}", options.bind(), port(), RECORDS_PATH);
    return this;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** Requests whose body was produced. */
  public long requests() {
    return requests.get();
  }

  /** Bytes of the bodies produced (after decompression). */
  public long bytes() {
    return bytes.get();
  }

  /**
   * Stops taking new records (answering 503), waits for the requests in progress to be acknowledged
   * (up to the ack timeout), then stops the server.
   */
  @Override
  public void close() {
    if (server == null) {
      return;
    }
    closing = true;
    long deadline = System.nanoTime() + options.ackTimeoutMs() * 1_000_000L;
    while (inflight.get() > 0 && System.nanoTime() < deadline) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    server.stop(0);
    executor.shutdown();
    try {
      executor.awaitTermination(options.ackTimeoutMs(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void health(HttpExchange e) throws IOException {
    try (e) {
      boolean ok = System.currentTimeMillis() >= degradedUntil;
      answer(e, ok ? 200 : 503, ok ? "{\"status\":\"ok\"}" : "{\"status\":\"degraded\"}", !ok);
    }
  }

  private void serve(HttpExchange e, boolean agentLines) throws IOException {
    try (e) {
      String requestId = requestId(e.getRequestHeaders());
      if (!"POST".equals(e.getRequestMethod())) {
        e.getResponseHeaders().set("Allow", "POST");
        error(e, 405, requestId, "use POST");
        return;
      }
      if (!authorized(e.getRequestHeaders())) {
        e.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"linkwatch\"");
        error(e, 401, requestId, "missing or wrong bearer token (Authorization: Bearer <token>)");
        return;
      }
      String machine = null;
      if (agentLines) {
        machine = query(e, "machine");
        if (machine == null) {
          machine = e.getRequestHeaders().getFirst("X-Machine");
        }
        if (machine == null || machine.isBlank()) {
          error(e, 400, requestId, "say which machine the lines come from: ?machine=<name>");
          return;
        }
      }
      long declared = contentLength(e.getRequestHeaders());
      if (declared > options.maxBodyBytes()) {
        drain(e.getRequestBody(), declared);
        error(e, 413, requestId, tooLarge(declared));
        return;
      }
      if (closing) {
        retryLater(e, 503, requestId, "shutting down");
        return;
      }
      if (System.currentTimeMillis() < degradedUntil) {
        retryLater(e, 503, requestId, "the broker is not acknowledging records in time");
        return;
      }
      byte[] body;
      try {
        body = readBody(e);
      } catch (BodyTooLarge x) {
        drain(e.getRequestBody(), Long.MAX_VALUE);
        error(e, 413, requestId, tooLarge(x.size));
        return;
      } catch (IOException x) {
        error(e, 400, requestId, "cannot read the body: " + x.getMessage());
        return;
      }
      if (body.length == 0) {
        error(e, 400, requestId, "empty body");
        return;
      }
      if (!reserve(body.length)) {
        retryLater(e, 429, requestId, "too many bytes being produced; retry later");
        return;
      }
      requests.incrementAndGet();
      bytes.addAndGet(body.length);
      produce(e, requestId, body, machine);
    }
  }

  private void produce(HttpExchange e, String requestId, byte[] body, String machine)
      throws IOException {
    Origin origin =
        new Origin(
            SourceKind.HTTP,
            e.getRequestMethod() + " " + e.getRequestURI().getPath(),
            null,
            1L,
            requestId);
    KafkaEventSink.Batch batch = sink.batch();
    Collecting out = new Collecting(batch);
    try {
      long t0 = System.nanoTime();
      if (machine != null) {
        agent.get().parseLines(body, 0, body.length, machine, "azcmagent.log", origin, out);
      } else {
        azure.get().parsePayload(body, 0, body.length, origin, out);
      }
      sink.metrics().recordParse(System.nanoTime() - t0);
    } finally {
      batch.seal();
      batch.whenDone(() -> inflight.addAndGet(-body.length));
    }
    boolean acknowledged;
    try {
      acknowledged = batch.await(options.ackTimeoutMs());
    } catch (InterruptedException x) {
      Thread.currentThread().interrupt();
      acknowledged = false;
    }
    if (!acknowledged || batch.error() != null) {
      degradedUntil = System.currentTimeMillis() + options.retryAfterSeconds() * 1000L;
      LOG.warn(
          "request {}: the broker did not acknowledge its records{}; answering 503",
          requestId,
          batch.error() == null
              ? " within " + options.ackTimeoutMs() + " ms"
              : " (" + batch.error() + ")");
      retryLater(e, 503, requestId, "the broker did not acknowledge the records; retry later");
      return;
    }
    int status = out.events == 0 && out.deadLettered > 0 ? 400 : 200;
    StringBuilder json = new StringBuilder(256);
    json.append("{\"requestId\":\"")
        .append(requestId)
        .append('"')
        .append(",\"records\":")
        .append(out.events + out.deadLettered)
        .append(",\"events\":")
        .append(out.events)
        .append(",\"deadLettered\":")
        .append(out.deadLettered);
    if (!out.errors.isEmpty()) {
      json.append(",\"errors\":[");
      for (int i = 0; i < out.errors.size(); i++) {
        DeadLetter d = out.errors.get(i);
        if (i > 0) {
          json.append(',');
        }
        json.append("{\"reasonCode\":\"").append(d.getReasonCode()).append("\",\"reason\":");
        quote(json, d.getReason());
        json.append('}');
      }
      json.append(']');
    }
    json.append('}');
    answer(e, status, json.toString(), false);
  }

  /** Hands records to the batch and keeps what the answer reports. */
  private static final class Collecting implements ParseOutput {
    private final KafkaEventSink.Batch batch;
    int events;
    int deadLettered;
    final List<DeadLetter> errors = new ArrayList<>();

    Collecting(KafkaEventSink.Batch batch) {
      this.batch = batch;
    }

    @Override
    public void connection(String key, io.linkwatch.avro.ConnectionEvent event) {
      events++;
      batch.connection(key, event);
    }

    @Override
    public void provisioning(String key, io.linkwatch.avro.ProvisioningEvent event) {
      events++;
      batch.provisioning(key, event);
    }

    @Override
    public void agent(String key, io.linkwatch.avro.AgentEvent event) {
      events++;
      batch.agent(key, event);
    }

    @Override
    public void deadLetter(String key, DeadLetter deadLetter) {
      deadLettered++;
      if (errors.size() < MAX_ERRORS_IN_ANSWER) {
        errors.add(deadLetter);
      }
      batch.deadLetter(key, deadLetter);
    }
  }

  private boolean reserve(long bytes) {
    while (true) {
      long now = inflight.get();
      // a single body larger than the whole budget still goes through when nothing else is
      if (now > 0 && now + bytes > options.maxInflightBytes()) {
        return false;
      }
      if (inflight.compareAndSet(now, now + bytes)) {
        return true;
      }
    }
  }

  private boolean authorized(Headers headers) {
    if (token == null) {
      return true;
    }
    String h = headers.getFirst("Authorization");
    if (h == null || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    byte[] given = h.substring(7).strip().getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(given, token);
  }

  private byte[] readBody(HttpExchange e) throws IOException {
    InputStream in = e.getRequestBody();
    String encoding = e.getRequestHeaders().getFirst("Content-Encoding");
    if (encoding != null && encoding.strip().equalsIgnoreCase("gzip")) {
      in = new GZIPInputStream(in);
    } else if (encoding != null
        && !encoding.isBlank()
        && !encoding.strip().equalsIgnoreCase("identity")) {
      throw new IOException("unsupported Content-Encoding '" + encoding + "' (gzip or none)");
    }
    int limit = options.maxBodyBytes();
    ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(limit, 64 * 1024));
    byte[] chunk = new byte[16 * 1024];
    long total = 0;
    int n;
    while ((n = in.read(chunk)) > 0) {
      total += n;
      if (total > limit) {
        throw new BodyTooLarge(total);
      }
      out.write(chunk, 0, n);
    }
    return out.toByteArray();
  }

  /**
   * Reads what is left of a refused body, up to a bound, so that the client reads the answer
   * instead of a connection reset; beyond the bound the connection is closed.
   */
  private static void drain(InputStream in, long declared) {
    if (declared > MAX_DRAIN_BYTES) {
      return;
    }
    byte[] skip = new byte[16 * 1024];
    long total = 0;
    try {
      int n;
      while (total < MAX_DRAIN_BYTES && (n = in.read(skip)) > 0) {
        total += n;
      }
    } catch (IOException e) {
      // the client went away: nothing to answer
    }
  }

  private static final class BodyTooLarge extends IOException {
    final long size;

    BodyTooLarge(long size) {
      super("body too large", null);
      this.size = size;
    }
  }

  private String tooLarge(long size) {
    return "the body ("
        + (size > 0 ? size + " bytes or more" : "size unknown")
        + ") is over the limit of "
        + options.maxBodyBytes()
        + " bytes (ingest.http.max.body.bytes): send smaller batches";
  }

  private static long contentLength(Headers headers) {
    String v = headers.getFirst("Content-Length");
    if (v == null) {
      return -1;
    }
    try {
      return Long.parseLong(v.strip());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static String requestId(Headers headers) {
    String given = headers.getFirst("X-Request-Id");
    if (given != null && given.matches("[A-Za-z0-9._:-]{1,128}")) {
      return given;
    }
    return UUID.randomUUID().toString();
  }

  private static String query(HttpExchange e, String name) {
    String q = e.getRequestURI().getRawQuery();
    if (q == null) {
      return null;
    }
    for (String part : q.split("&")) {
      int eq = part.indexOf('=');
      String k = eq < 0 ? part : part.substring(0, eq);
      if (k.equals(name)) {
        return eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  private void retryLater(HttpExchange e, int status, String requestId, String why)
      throws IOException {
    e.getResponseHeaders().set("Retry-After", Integer.toString(options.retryAfterSeconds()));
    error(e, status, requestId, why);
  }

  private void error(HttpExchange e, int status, String requestId, String message)
      throws IOException {
    StringBuilder json =
        new StringBuilder("{\"requestId\":\"").append(requestId).append("\",\"error\":");
    quote(json, message);
    json.append('}');
    answer(e, status, json.toString(), false);
  }

  private void answer(HttpExchange e, int status, String json, boolean retry) throws IOException {
    answers
        .computeIfAbsent(
            status,
            s ->
                Counter.builder("linkwatch.ingest.http.requests")
                    .description("HTTP requests answered, by status")
                    .tag("status", Integer.toString(s))
                    .register(registry))
        .increment();
    byte[] b = json.getBytes(StandardCharsets.UTF_8);
    e.getResponseHeaders().set("Content-Type", "application/json");
    if (retry) {
      e.getResponseHeaders().set("Retry-After", Integer.toString(options.retryAfterSeconds()));
    }
    e.sendResponseHeaders(status, b.length);
    try (OutputStream os = e.getResponseBody()) {
      os.write(b);
    }
  }

  private static void quote(StringBuilder b, String s) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        default -> {
          if (c < 0x20) {
            b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    b.append('"');
  }
}
