package io.linkwatch.streams.app;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.linkwatch.avro.Incident;
import io.linkwatch.avro.WindowedAggregate;
import io.linkwatch.schemas.serde.AvroSerdes;
import io.linkwatch.streams.correlate.CorrelationStage;
import io.linkwatch.streams.recent.RecentIndex;
import io.linkwatch.streams.window.WindowStage;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The HTTP side of a streams instance: health and readiness, Prometheus metrics, and interactive
 * queries over the topology's stores, as JSON.
 *
 * <ul>
 *   <li>{@code GET /health} 200 while the instance runs or rebalances, 503 when it failed
 *   <li>{@code GET /ready} 200 when RUNNING
 *   <li>{@code GET /metrics} Prometheus text format
 *   <li>{@code GET /api/aggregates?hub=h|device=h/d|dps=x|enrollment=x/e|registration=x/r|machine=m
 *       [&from=ISO&to=ISO]} the closed windowed aggregates of the subject (default: last hour). The
 *       aggregates of one subject live on every instance (they are partitioned by series), so the
 *       answering instance asks the others ({@code local=true}) and merges.
 *   <li>{@code GET /api/incidents?device=h/d|registration=x/r|machine=m|hub=h|dps=x[&from&to]} the
 *       recent incidents of a subject (latest revision of each), from the instance that owns the
 *       key; a request that reaches another instance is forwarded there.
 *   <li>{@code GET /api/metadata?device=h/d} which instance owns a key, for clients that route
 *       themselves.
 * </ul>
 */
public final class QueryServer implements AutoCloseable {

  private static final Duration DEFAULT_RANGE = Duration.ofHours(1);

  private final KafkaStreams streams;
  private final HostInfo self;
  private final PrometheusMeterRegistry prometheus;
  private final Deserializer<Incident> incidents;
  private final Deserializer<WindowedAggregate> aggregates;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private Javalin app;

  public QueryServer(
      KafkaStreams streams, HostInfo self, PrometheusMeterRegistry prometheus, AvroSerdes serdes) {
    this.streams = streams;
    this.incidents = serdes.valueSerde(Incident.class).deserializer();
    this.aggregates = serdes.valueSerde(WindowedAggregate.class).deserializer();
    this.self = self;
    this.prometheus = prometheus;
  }

  /** Starts listening; returns the bound port. */
  public int start(String host, int port) {
    app =
        Javalin.create(
            config -> {
              config.startup.showJavalinBanner = false;
              config.routes.get("/health", this::health);
              config.routes.get("/ready", this::ready);
              config.routes.get("/metrics", this::metrics);
              config.routes.get("/api/aggregates", this::aggregates);
              config.routes.get("/api/incidents", this::incidents);
              config.routes.get("/api/metadata", this::metadata);
              config.routes.exception(
                  IllegalArgumentException.class,
                  (e, ctx) ->
                      ctx.status(400)
                          .contentType("application/json")
                          .result(error(e.getMessage())));
            });
    app.start(host, port);
    return app.port();
  }

  private void health(Context ctx) {
    KafkaStreams.State s = streams.state();
    boolean ok = s.isRunningOrRebalancing() || s == KafkaStreams.State.CREATED;
    ctx.status(ok ? 200 : 503).contentType("application/json").result("{\"state\":\"" + s + "\"}");
  }

  private void ready(Context ctx) {
    KafkaStreams.State s = streams.state();
    ctx.status(s == KafkaStreams.State.RUNNING ? 200 : 503)
        .contentType("application/json")
        .result("{\"state\":\"" + s + "\"}");
  }

  private void metrics(Context ctx) {
    ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(prometheus.scrape());
  }

  /** The subject parameter: exactly one of the known names. */
  private static Map.Entry<String, String> subject(Context ctx, List<String> names) {
    for (String n : names) {
      String v = ctx.queryParam(n);
      if (v != null && !v.isBlank()) {
        return Map.entry(n, v);
      }
    }
    throw new IllegalArgumentException("give one of the query parameters " + names);
  }

  private static Instant time(Context ctx, String name, Instant dflt) {
    String v = ctx.queryParam(name);
    if (v == null || v.isBlank()) {
      return dflt;
    }
    try {
      return Instant.parse(v);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          name + " must be an ISO-8601 instant, e.g. 2026-01-01T10:00:00Z, not '" + v + "'");
    }
  }

  private void aggregates(Context ctx) throws Exception {
    Map.Entry<String, String> subject =
        subject(
            ctx, List.of("hub", "device", "dps", "enrollment", "registration", "machine", "fleet"));
    Instant to = time(ctx, "to", Instant.now());
    Instant from = time(ctx, "from", to.minus(DEFAULT_RANGE));
    String prefix =
        subject.getKey().equals("fleet")
            ? "fleet|"
            : subject.getKey() + "=" + subject.getValue() + "|";
    List<String> items = new ArrayList<>(localAggregates(prefix, from, to));
    if (!"true".equals(ctx.queryParam("local"))) {
      for (StreamsMetadata m : streams.streamsMetadataForStore(WindowStage.RECENT_AGGREGATES)) {
        if (!m.hostInfo().equals(self)) {
          items.addAll(remote(m.hostInfo(), ctx, true));
        }
      }
    }
    ctx.contentType("application/json")
        .result(
            "{\"subject\":\""
                + escape(prefix.substring(0, prefix.length() - 1))
                + "\",\"from\":\""
                + from
                + "\",\"to\":\""
                + to
                + "\",\"aggregates\":["
                + String.join(",", items)
                + "]}");
  }

  private List<String> localAggregates(String subject, Instant from, Instant to) {
    List<String> out = new ArrayList<>();
    for (byte[] b :
        RecentIndex.query(
            local(WindowStage.RECENT_AGGREGATES),
            subject,
            true,
            from.toEpochMilli(),
            to.toEpochMilli())) {
      out.add(aggregates.deserialize(null, b).toString());
    }
    return out;
  }

  private ReadOnlyKeyValueStore<String, byte[]> local(String store) {
    return streams.store(
        StoreQueryParameters.fromNameAndType(
            store, QueryableStoreTypes.<String, byte[]>keyValueStore()));
  }

  private static final Map<String, String> INCIDENT_STORES = new LinkedHashMap<>();

  static {
    INCIDENT_STORES.put("device", CorrelationStage.DEVICE_INCIDENTS);
    INCIDENT_STORES.put("registration", CorrelationStage.REGISTRATION_INCIDENTS);
    INCIDENT_STORES.put("machine", CorrelationStage.MACHINE_INCIDENTS);
    INCIDENT_STORES.put("hub", CorrelationStage.SCOPE_INCIDENTS);
    INCIDENT_STORES.put("dps", CorrelationStage.SCOPE_INCIDENTS);
  }

  private void incidents(Context ctx) throws Exception {
    Map.Entry<String, String> subject = subject(ctx, List.copyOf(INCIDENT_STORES.keySet()));
    String store = INCIDENT_STORES.get(subject.getKey());
    String key = storeKey(subject);
    KeyQueryMetadata owner = streams.queryMetadataForKey(store, key, Serdes.String().serializer());
    if (owner != null
        && owner.activeHost() != null
        && !owner.activeHost().equals(self)
        && !owner.activeHost().equals(HostInfo.unavailable())
        && !"true".equals(ctx.queryParam("local"))) {
      List<String> forwarded = remote(owner.activeHost(), ctx, false);
      ctx.contentType("application/json").result(forwarded.isEmpty() ? "{}" : forwarded.get(0));
      return;
    }
    Instant to = time(ctx, "to", Instant.now());
    Instant from = time(ctx, "from", to.minus(Duration.ofDays(7)));
    Map<String, Incident> latest = new LinkedHashMap<>();
    for (byte[] b :
        RecentIndex.query(local(store), key, true, from.toEpochMilli(), to.toEpochMilli())) {
      Incident i = incidents.deserialize(null, b);
      Incident prev = latest.get(i.getIncidentId());
      if (prev == null || prev.getRevision() <= i.getRevision()) {
        latest.put(i.getIncidentId(), i);
      }
    }
    List<String> items = new ArrayList<>();
    latest.values().forEach(i -> items.add(i.toString()));
    ctx.contentType("application/json")
        .result(
            "{\"subject\":\""
                + escape(key)
                + "\",\"incidents\":["
                + String.join(",", items)
                + "]}");
  }

  private static String storeKey(Map.Entry<String, String> subject) {
    return subject.getKey().equals("hub") || subject.getKey().equals("dps")
        ? subject.getValue()
        : subject.getValue();
  }

  private void metadata(Context ctx) {
    Map.Entry<String, String> subject = subject(ctx, List.copyOf(INCIDENT_STORES.keySet()));
    KeyQueryMetadata m =
        streams.queryMetadataForKey(
            INCIDENT_STORES.get(subject.getKey()), storeKey(subject), Serdes.String().serializer());
    ctx.contentType("application/json")
        .result(
            "{\"key\":\""
                + escape(subject.getValue())
                + "\",\"activeHost\":\""
                + (m == null ? "" : m.activeHost().host() + ":" + m.activeHost().port())
                + "\",\"partition\":"
                + (m == null ? -1 : m.partition())
                + ",\"self\":\""
                + self.host()
                + ":"
                + self.port()
                + "\"}");
  }

  private List<String> remote(HostInfo host, Context ctx, boolean unwrapAggregates) {
    StringBuilder q = new StringBuilder("local=true");
    ctx.queryParamMap()
        .forEach(
            (k, vs) -> {
              if (!k.equals("local")) {
                for (String v : vs) {
                  q.append('&')
                      .append(k)
                      .append('=')
                      .append(URLEncoder.encode(v, StandardCharsets.UTF_8));
                }
              }
            });
    URI uri = URI.create("http://" + host.host() + ":" + host.port() + ctx.path() + "?" + q);
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IllegalStateException(uri + " answered " + r.statusCode());
      }
      if (!unwrapAggregates) {
        return List.of(r.body());
      }
      String body = r.body();
      int start = body.indexOf("\"aggregates\":[");
      String inner = body.substring(start + 14, body.lastIndexOf(']'));
      return inner.isBlank() ? List.of() : List.of(inner);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("instance " + host + " did not answer: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while asking " + host, e);
    }
  }

  private static String error(String message) {
    return "{\"error\":\"" + escape(message) + "\"}";
  }

  private static String escape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  @Override
  public void close() {
    if (app != null) {
      app.stop();
    }
  }
}
