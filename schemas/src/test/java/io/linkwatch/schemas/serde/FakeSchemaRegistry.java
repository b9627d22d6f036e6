package io.linkwatch.schemas.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;

/**
 * The documented REST contract of the Confluent Schema Registry, in memory, for tests: register
 * ({@code POST /subjects/{s}/versions}, BACKWARD compatibility against the latest version, 409 when
 * incompatible, 42201 when invalid), look up by content ({@code POST /subjects/{s}}), by id ({@code
 * GET /schemas/ids/{id}}) and by version ({@code GET /subjects/{s}/versions/latest}), with the
 * documented error bodies ({@code {"error_code": 40401, "message": ...}}). It can require basic
 * auth and fail the next requests with 5xx, and it records every request.
 */
final class FakeSchemaRegistry implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern VERSIONS = Pattern.compile("/subjects/([^/]+)/versions");
  private static final Pattern LATEST = Pattern.compile("/subjects/([^/]+)/versions/latest");
  private static final Pattern SUBJECT = Pattern.compile("/subjects/([^/]+)");
  private static final Pattern ID = Pattern.compile("/schemas/ids/(\\d+)");

  /** One request as received. */
  record Request(
      String method, String path, String contentType, String authorization, String body) {}

  private final HttpServer server;
  private final Map<Integer, Schema> schemas = new LinkedHashMap<>();
  private final Map<String, List<Integer>> subjects = new LinkedHashMap<>();
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final AtomicInteger failuresToServe = new AtomicInteger();
  private volatile String requiredAuthorization;
  private int nextId = 1;

  FakeSchemaRegistry() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  List<Request> requests() {
    return List.copyOf(requests);
  }

  void failNext(int count) {
    failuresToServe.set(count);
  }

  void requireBasicAuth(String authorizationHeader) {
    requiredAuthorization = authorizationHeader;
  }

  /** Registers directly, as another producer would have. */
  synchronized int preRegister(String subject, Schema schema) {
    return register(subject, schema);
  }

  @Override
  public void close() {
    server.stop(0);
  }

  private synchronized int register(String subject, Schema schema) {
    for (Map.Entry<Integer, Schema> e : schemas.entrySet()) {
      if (e.getValue().equals(schema)) {
        List<Integer> versions = subjects.computeIfAbsent(subject, s -> new ArrayList<>());
        if (!versions.contains(e.getKey())) {
          versions.add(e.getKey());
        }
        return e.getKey();
      }
    }
    int id = nextId++;
    schemas.put(id, schema);
    subjects.computeIfAbsent(subject, s -> new ArrayList<>()).add(id);
    return id;
  }

  private void handle(HttpExchange exchange) throws IOException {
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    String path = exchange.getRequestURI().getRawPath();
    String method = exchange.getRequestMethod();
    requests.add(
        new Request(
            method,
            path,
            exchange.getRequestHeaders().getFirst("Content-Type"),
            exchange.getRequestHeaders().getFirst("Authorization"),
            body));
    try {
      if (failuresToServe.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        error(exchange, 500, 50001, "Error in the backend data store");
        return;
      }
      if (requiredAuthorization != null
          && !requiredAuthorization.equals(
              exchange.getRequestHeaders().getFirst("Authorization"))) {
        error(exchange, 401, 401, "Unauthorized");
        return;
      }
      Matcher m;
      if (method.equals("POST") && (m = VERSIONS.matcher(path)).matches()) {
        postVersion(exchange, decode(m.group(1)), body);
      } else if (method.equals("GET") && (m = LATEST.matcher(path)).matches()) {
        latest(exchange, decode(m.group(1)));
      } else if (method.equals("POST") && (m = SUBJECT.matcher(path)).matches()) {
        lookup(exchange, decode(m.group(1)), body);
      } else if (method.equals("GET") && (m = ID.matcher(path)).matches()) {
        byId(exchange, Integer.parseInt(m.group(1)));
      } else {
        error(exchange, 404, 404, "HTTP 404 Not Found");
      }
    } catch (RuntimeException e) {
      error(exchange, 500, 50001, e.toString());
    }
  }

  private void postVersion(HttpExchange exchange, String subject, String body) throws IOException {
    Schema schema = parseBody(exchange, body);
    if (schema == null) {
      return;
    }
    synchronized (this) {
      List<Integer> versions = subjects.get(subject);
      if (versions != null && !versions.isEmpty()) {
        Schema latest = schemas.get(versions.get(versions.size() - 1));
        var result = SchemaCompatibility.checkReaderWriterCompatibility(schema, latest);
        if (result.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
          error(
              exchange,
              409,
              409,
              "Schema being registered is incompatible with an earlier schema for subject \""
                  + subject
                  + "\", details: "
                  + result.getDescription());
          return;
        }
      }
      ObjectNode response = JSON.createObjectNode();
      response.put("id", register(subject, schema));
      respond(exchange, 200, response);
    }
  }

  private synchronized void latest(HttpExchange exchange, String subject) throws IOException {
    List<Integer> versions = subjects.get(subject);
    if (versions == null || versions.isEmpty()) {
      error(exchange, 404, 40401, "Subject '" + subject + "' not found.");
      return;
    }
    int id = versions.get(versions.size() - 1);
    ObjectNode response = JSON.createObjectNode();
    response.put("subject", subject);
    response.put("id", id);
    response.put("version", versions.size());
    response.put("schema", schemas.get(id).toString());
    respond(exchange, 200, response);
  }

  private synchronized void lookup(HttpExchange exchange, String subject, String body)
      throws IOException {
    Schema schema = parseBody(exchange, body);
    if (schema == null) {
      return;
    }
    List<Integer> versions = subjects.get(subject);
    if (versions == null) {
      error(exchange, 404, 40401, "Subject '" + subject + "' not found.");
      return;
    }
    for (int i = 0; i < versions.size(); i++) {
      if (schemas.get(versions.get(i)).equals(schema)) {
        ObjectNode response = JSON.createObjectNode();
        response.put("subject", subject);
        response.put("id", versions.get(i));
        response.put("version", i + 1);
        response.put("schema", schema.toString());
        respond(exchange, 200, response);
        return;
      }
    }
    error(exchange, 404, 40403, "Schema not found");
  }

  private synchronized void byId(HttpExchange exchange, int id) throws IOException {
    Schema schema = schemas.get(id);
    if (schema == null) {
      error(exchange, 404, 40403, "Schema " + id + " not found");
      return;
    }
    ObjectNode response = JSON.createObjectNode();
    response.put("schema", schema.toString());
    respond(exchange, 200, response);
  }

  private Schema parseBody(HttpExchange exchange, String body) throws IOException {
    try {
      JsonNode request = JSON.readTree(body);
      return new Schema.Parser().parse(request.path("schema").asText());
    } catch (Exception e) {
      error(exchange, 422, 42201, "Invalid schema: " + e.getMessage());
      return null;
    }
  }

  private static String decode(String segment) {
    return URLDecoder.decode(segment, StandardCharsets.UTF_8);
  }

  private static void error(HttpExchange exchange, int status, int code, String message)
      throws IOException {
    ObjectNode body = JSON.createObjectNode();
    body.put("error_code", code);
    body.put("message", message);
    respond(exchange, status, body);
  }

  private static void respond(HttpExchange exchange, int status, JsonNode body) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    exchange.getResponseHeaders().set("Content-Type", SchemaRegistryClient.CONTENT_TYPE);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
