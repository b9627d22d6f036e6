package io.linkwatch.schemas.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * A small client of the Confluent Schema Registry REST API (also served by Apicurio's compatibility
 * API, Karapace and Redpanda): register a schema under a subject, look a schema up by id, by
 * subject and version {@code latest}, or by content; both directions cached, so a running serde
 * asks once per subject and once per id.
 *
 * <p>Errors name the registry, the subject or id, and the registry's own {@code error_code} and
 * {@code message} (e.g. {@code 409} incompatible, {@code 40401} subject not found). 5xx answers and
 * unreachable registries are retried a bounded number of times with backoff, trying each URL of
 * {@code schema.registry.url} in turn; other 4xx are not retried.
 *
 * <p>Settings, with Confluent's names: {@code schema.registry.url} (comma-separated), {@code
 * basic.auth.credentials.source} ({@code USER_INFO} or {@code URL}), {@code basic.auth.user.info}
 * ({@code user:password}), {@code schema.registry.ssl.truststore.*} and {@code
 * schema.registry.ssl.keystore.*}, {@code schema.registry.request.timeout.ms}.
 */
public final class SchemaRegistryClient implements AutoCloseable {

  public static final String URL = "schema.registry.url";
  public static final String BASIC_AUTH_SOURCE = "basic.auth.credentials.source";
  public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
  public static final String REQUEST_TIMEOUT_MS = "schema.registry.request.timeout.ms";
  public static final String TRUSTSTORE_LOCATION = "schema.registry.ssl.truststore.location";
  public static final String TRUSTSTORE_PASSWORD = "schema.registry.ssl.truststore.password";
  public static final String TRUSTSTORE_TYPE = "schema.registry.ssl.truststore.type";
  public static final String KEYSTORE_LOCATION = "schema.registry.ssl.keystore.location";
  public static final String KEYSTORE_PASSWORD = "schema.registry.ssl.keystore.password";
  public static final String KEYSTORE_TYPE = "schema.registry.ssl.keystore.type";
  public static final String KEY_PASSWORD = "schema.registry.ssl.key.password";

  static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final String ACCEPT =
      "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json,"
          + " application/json";
  private static final int ATTEMPTS = 3;
  private static final Duration FIRST_BACKOFF = Duration.ofMillis(200);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A schema as registered under a subject. */
  public record Registered(String subject, int id, int version, Schema schema) {}

  private final List<URI> urls;
  private final HttpClient http;
  private final Duration timeout;
  private final String authorization;
  private final Map<String, Integer> idsBySubjectAndSchema = new ConcurrentHashMap<>();
  private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();

  private SchemaRegistryClient(
      List<URI> urls, HttpClient http, Duration timeout, String authorization) {
    this.urls = List.copyOf(urls);
    this.http = http;
    this.timeout = timeout;
    this.authorization = authorization;
  }

  /**
   * A client for the registry the settings name.
   *
   * @throws ConfigException naming the setting that cannot be used
   */
  public static SchemaRegistryClient fromConfig(Map<String, ?> config) {
    Object url = config.get(URL);
    if (url == null || url.toString().isBlank()) {
      throw new ConfigException(URL, url, "is required for the schema-registry encoding");
    }
    List<URI> urls = new ArrayList<>();
    String userInfoFromUrl = null;
    for (String u : url.toString().split(",")) {
      URI uri;
      try {
        uri = URI.create(u.strip().replaceAll("/+$", ""));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(URL, u, "is not a URL: " + e.getMessage());
      }
      if (uri.getScheme() == null
          || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
          || uri.getHost() == null) {
        throw new ConfigException(URL, u, "must be an http:// or https:// URL");
      }
      if (uri.getUserInfo() != null) {
        userInfoFromUrl = uri.getUserInfo();
        uri =
            URI.create(
                uri.getScheme()
                    + "://"
                    + uri.getHost()
                    + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
                    + (uri.getRawPath() == null ? "" : uri.getRawPath()));
      }
      urls.add(uri);
    }
    String source = string(config, BASIC_AUTH_SOURCE, "USER_INFO");
    String userInfo =
        switch (source) {
          case "USER_INFO" ->
              Optional.ofNullable(secret(config, BASIC_AUTH_USER_INFO)).orElse(userInfoFromUrl);
          case "URL" -> userInfoFromUrl;
          default ->
              throw new ConfigException(
                  BASIC_AUTH_SOURCE,
                  source,
                  "must be USER_INFO or URL (SASL_INHERIT is not supported)");
        };
    String authorization =
        userInfo == null || userInfo.isBlank()
            ? null
            : "Basic "
                + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
    Duration timeout =
        Duration.ofMillis(Long.parseLong(string(config, REQUEST_TIMEOUT_MS, "10000")));
    HttpClient.Builder http =
        HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NORMAL);
    if (config.get(TRUSTSTORE_LOCATION) != null || config.get(KEYSTORE_LOCATION) != null) {
      http.sslContext(sslContext(config));
    }
    return new SchemaRegistryClient(urls, http.build(), timeout, authorization);
  }

  /** The registry URLs, as given (without credentials). */
  public List<URI> urls() {
    return urls;
  }

  /**
   * Registers a schema under a subject (or finds it registered already) and returns its id.
   *
   * @throws SchemaRegistryException naming the subject and the registry's error, e.g. 409 when the
   *     schema is incompatible with the subject's earlier versions
   */
  public int register(String subject, Schema schema) {
    String key = subject + '\u0000' + schema;
    Integer cached = idsBySubjectAndSchema.get(key);
    if (cached != null) {
      return cached;
    }
    ObjectNode body = JSON.createObjectNode();
    body.put("schema", schema.toString());
    JsonNode response =
        call(
            "POST",
            "/subjects/" + encode(subject) + "/versions",
            body,
            "register a schema under subject '" + subject + "'");
    int id = response.path("id").asInt(-1);
    if (id < 0) {
      throw new SchemaRegistryException(
          "schema registry "
              + urls.get(0)
              + " answered the registration under '"
              + subject
              + "' without an id: "
              + response);
    }
    idsBySubjectAndSchema.put(key, id);
    schemasById.putIfAbsent(id, schema);
    return id;
  }

  /**
   * The schema with this id (what a Confluent-encoded record names in its header).
   *
   * @throws SchemaRegistryException when the registry does not know the id (40403)
   */
  public Schema schemaById(int id) {
    Schema cached = schemasById.get(id);
    if (cached != null) {
      return cached;
    }
    JsonNode response = call("GET", "/schemas/ids/" + id, null, "fetch the schema with id " + id);
    Schema schema = parse(response, "schema " + id);
    schemasById.put(id, schema);
    return schema;
  }

  /**
   * The latest version registered under a subject.
   *
   * @throws SchemaRegistryException when the subject does not exist (40401)
   */
  public Registered latest(String subject) {
    JsonNode response =
        call(
            "GET",
            "/subjects/" + encode(subject) + "/versions/latest",
            null,
            "fetch the latest schema of subject '" + subject + "'");
    Schema schema = parse(response, "the latest schema of '" + subject + "'");
    int id = response.path("id").asInt();
    schemasById.putIfAbsent(id, schema);
    return new Registered(subject, id, response.path("version").asInt(), schema);
  }

  /**
   * The id of this exact schema under a subject, without registering it; empty when the subject or
   * the schema is not there (40401, 40403).
   */
  public Optional<Integer> lookup(String subject, Schema schema) {
    String key = subject + '\u0000' + schema;
    Integer cached = idsBySubjectAndSchema.get(key);
    if (cached != null) {
      return Optional.of(cached);
    }
    ObjectNode body = JSON.createObjectNode();
    body.put("schema", schema.toString());
    try {
      JsonNode response =
          call(
              "POST",
              "/subjects/" + encode(subject),
              body,
              "look up a schema under subject '" + subject + "'");
      int id = response.path("id").asInt();
      idsBySubjectAndSchema.put(key, id);
      schemasById.putIfAbsent(id, schema);
      return Optional.of(id);
    } catch (SchemaRegistryException e) {
      if (e.errorCode() == 40401 || e.errorCode() == 40403) {
        return Optional.empty();
      }
      throw e;
    }
  }

  @Override
  public void close() {
    // the JDK client frees its resources when unreachable; nothing to hold on to
  }

  private JsonNode call(String method, String path, JsonNode body, String what) {
    SchemaRegistryException last = null;
    Duration backoff = FIRST_BACKOFF;
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      for (URI base : urls) {
        try {
          return callOnce(base, method, path, body, what);
        } catch (RetriableException e) {
          last = e.failure;
        }
      }
      if (attempt < ATTEMPTS) {
        try {
          Thread.sleep(backoff.toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new SchemaRegistryException("interrupted while trying to " + what, -1, -1, e);
        }
        backoff = backoff.multipliedBy(2);
      }
    }
    throw new SchemaRegistryException(
        last.getMessage() + " (gave up after " + ATTEMPTS + " attempts)",
        last.status(),
        last.errorCode(),
        last.getCause());
  }

  private JsonNode callOnce(URI base, String method, String path, JsonNode body, String what)
      throws RetriableException {
    URI uri = URI.create(base + path);
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", ACCEPT);
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    if (body != null) {
      request
          .header("Content-Type", CONTENT_TYPE)
          .method(
              method, HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
    } else {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    }
    HttpResponse<String> response;
    try {
      response =
          http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (HttpTimeoutException e) {
      throw new RetriableException(
          new SchemaRegistryException(
              "schema registry "
                  + base
                  + " did not answer within "
                  + timeout.toMillis()
                  + " ms when trying to "
                  + what,
              -1,
              -1,
              e));
    } catch (ConnectException e) {
      throw new RetriableException(
          new SchemaRegistryException(
              "schema registry "
                  + base
                  + " is unreachable ("
                  + describe(e)
                  + ") when trying to "
                  + what,
              -1,
              -1,
              e));
    } catch (IOException e) {
      throw new RetriableException(
          new SchemaRegistryException(
              "schema registry " + base + " failed (" + describe(e) + ") when trying to " + what,
              -1,
              -1,
              e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SchemaRegistryException("interrupted while trying to " + what, -1, -1, e);
    }
    int status = response.statusCode();
    JsonNode json = readJson(response.body());
    if (status >= 200 && status < 300) {
      if (json == null) {
        throw new SchemaRegistryException(
            "schema registry "
                + base
                + " answered "
                + uri.getPath()
                + " with a body that is not JSON: "
                + abbreviate(response.body()),
            status,
            -1,
            null);
      }
      return json;
    }
    int errorCode = json == null ? status : json.path("error_code").asInt(status);
    String message = json == null ? abbreviate(response.body()) : json.path("message").asText("");
    SchemaRegistryException failure =
        new SchemaRegistryException(
            "schema registry "
                + base
                + " refused to "
                + what
                + ": HTTP "
                + status
                + ", error_code "
                + errorCode
                + (message.isBlank() ? "" : ": " + message),
            status,
            errorCode,
            null);
    if (status >= 500 || status == 429) {
      throw new RetriableException(failure);
    }
    throw failure;
  }

  private static JsonNode readJson(String body) {
    if (body == null || body.isBlank()) {
      return null;
    }
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      return null;
    }
  }

  private Schema parse(JsonNode response, String what) {
    String text = response.path("schema").asText(null);
    String type = response.path("schemaType").asText("AVRO");
    if (text == null) {
      throw new SchemaRegistryException(
          "schema registry " + urls.get(0) + " returned no schema for " + what, -1, -1, null);
    }
    if (!type.equals("AVRO")) {
      throw new SchemaRegistryException(
          what + " is a " + type + " schema; linkwatch topics hold Avro", -1, -1, null);
    }
    try {
      return new Schema.Parser().parse(text);
    } catch (SchemaParseException e) {
      throw new SchemaRegistryException(
          "schema registry "
              + urls.get(0)
              + " returned "
              + what
              + " that is not valid Avro: "
              + e.getMessage(),
          -1,
          -1,
          e);
    }
  }

  private static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String describe(IOException e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  private static String abbreviate(String s) {
    return s == null ? "" : s.length() <= 200 ? s : s.substring(0, 200) + "...";
  }

  private static String string(Map<String, ?> config, String key, String defaultValue) {
    Object v = config.get(key);
    return v == null || v.toString().isBlank() ? defaultValue : v.toString().strip();
  }

  private static String secret(Map<String, ?> config, String key) {
    Object v = config.get(key);
    if (v instanceof Password p) {
      return p.value();
    }
    return v == null ? null : v.toString();
  }

  private static SSLContext sslContext(Map<String, ?> config) {
    try {
      TrustManagerFactory tmf = null;
      String trustLocation = string(config, TRUSTSTORE_LOCATION, null);
      if (trustLocation != null) {
        KeyStore trust =
            load(
                trustLocation,
                string(config, TRUSTSTORE_TYPE, "JKS"),
                secret(config, TRUSTSTORE_PASSWORD),
                TRUSTSTORE_LOCATION);
        tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
      }
      KeyManagerFactory kmf = null;
      String keyLocation = string(config, KEYSTORE_LOCATION, null);
      if (keyLocation != null) {
        String storePassword = secret(config, KEYSTORE_PASSWORD);
        KeyStore keys =
            load(
                keyLocation,
                string(config, KEYSTORE_TYPE, "JKS"),
                storePassword,
                KEYSTORE_LOCATION);
        String keyPassword =
            Objects.requireNonNullElse(secret(config, KEY_PASSWORD), storePassword);
        kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, keyPassword == null ? null : keyPassword.toCharArray());
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(
          kmf == null ? null : kmf.getKeyManagers(),
          tmf == null ? null : tmf.getTrustManagers(),
          null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new ConfigException("cannot set up TLS to the schema registry: " + e.getMessage());
    }
  }

  private static KeyStore load(String location, String type, String password, String key)
      throws GeneralSecurityException {
    try (InputStream in = Files.newInputStream(Path.of(location))) {
      KeyStore store = KeyStore.getInstance(type);
      store.load(in, password == null ? null : password.toCharArray());
      return store;
    } catch (IOException e) {
      throw new ConfigException(key, location, "cannot be read: " + e.getMessage());
    }
  }

  /** A failure worth another attempt (5xx, 429, timeout, unreachable). */
  private static final class RetriableException extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient SchemaRegistryException failure;

    RetriableException(SchemaRegistryException failure) {
      super(failure.getMessage(), null, false, false);
      this.failure = failure;
    }
  }
}
