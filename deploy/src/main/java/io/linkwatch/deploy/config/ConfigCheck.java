package io.linkwatch.deploy.config;

import io.linkwatch.avro.AlertRule;
import io.linkwatch.schemas.cli.ClusterCheck;
import io.linkwatch.schemas.cli.KafkaUnreachableException;
import io.linkwatch.schemas.config.CommonConfig;
import io.linkwatch.schemas.config.ConfigSource;
import io.linkwatch.schemas.config.KafkaClientSettings;
import io.linkwatch.schemas.config.KnownKeys;
import io.linkwatch.schemas.serde.AvroSerdes;
import io.linkwatch.schemas.topic.Topic;
import io.linkwatch.schemas.topic.TopicPlan;
import io.linkwatch.schemas.topic.TopicPlanApplier;
import io.linkwatch.schemas.topic.TopicPlanApplier.Change;
import io.linkwatch.schemas.topic.TopicPlanApplier.Outcome;
import io.linkwatch.sink.config.SinkConfig;
import io.linkwatch.sink.routing.ReceiverSpec;
import io.linkwatch.sink.routing.RoutingPlan;
import io.linkwatch.sink.routing.RoutingPlanParser;
import io.linkwatch.streams.rules.RuleTopic;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;

/**
 * What {@code linkwatch config check} verifies, in the order an operator fixes things: the keys
 * (known to the roles that will read them), the values (parsed as each role parses them at start),
 * then the cluster the settings name — brokers reachable with these credentials, the topics as the
 * plan says, the rules topic not empty, the schema registry reachable, the streams state directory
 * writable and the sink's receivers reachable. Each check reports one {@link Item} as soon as it is
 * known, so a slow cluster shows where it is.
 */
public final class ConfigCheck {

  /** The outcome of one check. */
  public enum Status {
    OK,
    WARN,
    FAIL,
    SKIP
  }

  /** One line of the checklist. */
  public record Item(Status status, String what, String detail) {}

  /** Every item, and the exit code they add up to. */
  public record Report(List<Item> items, boolean settingsInvalid, boolean unreachable) {

    public long count(Status s) {
      return items.stream().filter(i -> i.status() == s).count();
    }
  }

  private final Map<String, String> settings;
  private final Set<Role> roles;
  private final Duration timeout;
  private final Consumer<Item> listener;
  private final List<Item> items = new ArrayList<>();
  private boolean settingsInvalid;
  private boolean unreachable;

  /**
   * @param settings the merged settings (file, environment, overrides)
   * @param roles the roles that will read them
   * @param timeout how long to wait for each service
   * @param listener told each item as soon as it is known
   */
  public ConfigCheck(
      Map<String, String> settings, Set<Role> roles, Duration timeout, Consumer<Item> listener) {
    this.settings = Map.copyOf(settings);
    this.roles = roles.isEmpty() ? EnumSet.allOf(Role.class) : EnumSet.copyOf(roles);
    this.timeout = timeout;
    this.listener = listener;
  }

  /** Runs the checks; with {@code offline}, only those that need no network. */
  public Report run(boolean offline) {
    boolean keysOk = checkKeys();
    boolean valuesOk = keysOk && checkValues();
    if (!valuesOk) {
      settingsInvalid = true;
      add(Status.SKIP, "cluster", "not checked: fix the settings first");
      return report();
    }
    if (offline) {
      add(Status.SKIP, "cluster", "not checked (--offline)");
      return report();
    }
    AbstractConfig common = new AbstractConfig(CommonConfig.define(new ConfigDef()), commonOnly());
    if (checkKafka(common)) {
      checkTopics(common);
      if (roles.contains(Role.STREAMS)) {
        checkRules(common);
      }
    } else {
      add(Status.SKIP, "topics", "not checked: Kafka did not answer");
    }
    checkRegistry(common);
    if (roles.contains(Role.STREAMS)) {
      checkStreamsState();
    }
    if (roles.contains(Role.SINK)) {
      checkReceivers();
    }
    return report();
  }

  private Report report() {
    return new Report(List.copyOf(items), settingsInvalid, unreachable);
  }

  private void add(Status status, String what, String detail) {
    Item item = new Item(status, what, detail);
    items.add(item);
    listener.accept(item);
  }

  // ------------------------------------------------------------------ settings

  private boolean checkKeys() {
    boolean ok = true;
    Map<String, List<String>> rejectedBy = new TreeMap<>();
    for (String key : settings.keySet()) {
      List<String> rejecting = new ArrayList<>();
      for (Role r : roles) {
        if (!r.knownKeys().accepts(key)) {
          rejecting.add(r.id());
        }
      }
      if (!rejecting.isEmpty()) {
        rejectedBy.put(key, rejecting);
      }
    }
    long passThrough = settings.keySet().stream().filter(k -> !linkwatchKeys().contains(k)).count();
    String roleNames = roles.stream().map(Role::id).collect(Collectors.joining(", "));
    if (rejectedBy.isEmpty()) {
      add(
          Status.OK,
          "keys",
          settings.isEmpty()
              ? "no settings: the defaults of " + roleNames
              : settings.size()
                  + " settings, every one known to "
                  + roleNames
                  + (passThrough > 0
                      ? " (" + passThrough + " Kafka settings passed through)"
                      : ""));
      return true;
    }
    KnownKeys any = Role.anyRole();
    for (Map.Entry<String, List<String>> e : rejectedBy.entrySet()) {
      String key = e.getKey();
      if (!any.accepts(key)) {
        try {
          any.rejectUnknown(Map.of(key, ""), null);
        } catch (ConfigException unknown) {
          add(Status.FAIL, "keys", unknown.getMessage() + ": no role reads it");
        }
        ok = false;
      } else if (roles.size() == 1) {
        add(
            Status.FAIL,
            "keys",
            "'" + key + "' is not a setting of " + roleNames + " (" + readers(key) + " reads it)");
        ok = false;
      } else {
        add(
            Status.WARN,
            "keys",
            "'"
                + key
                + "' is read by "
                + readers(key)
                + " only: "
                + String.join(", ", e.getValue())
                + " would refuse this file; give it to "
                + readers(key)
                + " alone, e.g. as "
                + ConfigSource.envName(key));
      }
    }
    return ok;
  }

  private static String readers(String key) {
    List<String> readers = new ArrayList<>();
    for (Role r : Role.values()) {
      if (r.knownKeys().accepts(key)) {
        readers.add(r.id());
      }
    }
    return String.join(" and ", readers);
  }

  private static Set<String> linkwatchKeys() {
    Set<String> keys = new java.util.HashSet<>();
    for (Role r : Role.values()) {
      keys.addAll(r.definition().names());
    }
    return keys;
  }

  private boolean checkValues() {
    boolean ok = true;
    for (Role r : roles) {
      Map<String, String> own = new LinkedHashMap<>();
      KnownKeys known = r.knownKeys();
      settings.forEach(
          (k, v) -> {
            if (known.accepts(k)) {
              own.put(k, v);
            }
          });
      try {
        r.validate(own);
        add(Status.OK, "values", r.id() + ": every value valid");
      } catch (RuntimeException e) {
        add(Status.FAIL, "values", r.id() + ": " + e.getMessage());
        ok = false;
      }
    }
    return ok;
  }

  private Map<String, String> commonOnly() {
    Set<String> common = CommonConfig.define(new ConfigDef()).names();
    Map<String, String> out = new LinkedHashMap<>();
    settings.forEach(
        (k, v) -> {
          if (common.contains(k)) {
            out.put(k, v);
          }
        });
    return out;
  }

  // ------------------------------------------------------------------ cluster

  private Map<String, Object> admin(AbstractConfig common) {
    Map<String, Object> admin = KafkaClientSettings.admin(settings);
    admin.put(
        CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG,
        String.join(",", common.getList(CommonConfig.BOOTSTRAP_SERVERS)));
    admin.putIfAbsent(CommonClientConfigs.CLIENT_ID_CONFIG, "linkwatch-config-check");
    return admin;
  }

  private boolean checkKafka(AbstractConfig common) {
    String bootstrap = String.join(",", common.getList(CommonConfig.BOOTSTRAP_SERVERS));
    String security =
        settings.getOrDefault(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "PLAINTEXT")
            + (settings.containsKey("sasl.mechanism") ? " " + settings.get("sasl.mechanism") : "");
    try {
      int brokers = ClusterCheck.awaitReachable(admin(common), timeout, m -> {});
      String clusterId;
      try (Admin admin = Admin.create(admin(common))) {
        clusterId =
            admin.describeCluster().clusterId().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      }
      add(
          Status.OK,
          "kafka",
          brokers
              + (brokers == 1 ? " broker" : " brokers")
              + " at "
              + bootstrap
              + " ("
              + security
              + "), cluster "
              + clusterId);
      return true;
    } catch (KafkaUnreachableException e) {
      unreachable = true;
      add(Status.FAIL, "kafka", e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      add(Status.FAIL, "kafka", "interrupted");
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      add(Status.FAIL, "kafka", bootstrap + " (" + security + "): " + cause.getMessage());
    }
    return false;
  }

  private void checkTopics(AbstractConfig common) {
    TopicPlan plan = CommonConfig.topicPlan(common);
    List<Change> changes;
    try (Admin admin = Admin.create(admin(common))) {
      changes = new TopicPlanApplier(admin, timeout).dryRun(plan);
    } catch (RuntimeException e) {
      add(Status.FAIL, "topics", e.getMessage());
      return;
    }
    List<String> missing = new ArrayList<>();
    for (Change c : changes) {
      if (c.outcome() == Outcome.CREATED) {
        missing.add(c.topic());
      } else if (c.outcome() == Outcome.UPDATED) {
        add(
            Status.WARN,
            "topics",
            c.topic() + " differs from the plan: " + String.join("; ", c.details()));
      } else if (c.outcome() == Outcome.REFUSED) {
        add(Status.FAIL, "topics", c.topic() + ": " + String.join("; ", c.details()));
      }
    }
    if (!missing.isEmpty()) {
      add(
          Status.FAIL,
          "topics",
          missing.size()
              + " missing: "
              + String.join(", ", missing)
              + " (create them with 'linkwatch topics apply' and the same settings)");
    }
    long asPlanned = changes.stream().filter(c -> c.outcome() == Outcome.UNCHANGED).count();
    if (asPlanned == changes.size()) {
      add(Status.OK, "topics", "all " + asPlanned + " topics exist as planned");
    } else if (asPlanned > 0) {
      add(Status.OK, "topics", asPlanned + " of " + changes.size() + " topics as planned");
    }
  }

  private void checkRules(AbstractConfig common) {
    Topic<String, AlertRule> topic;
    try (AvroSerdes serdes = CommonConfig.serdes(common)) {
      topic = CommonConfig.topics(common, serdes).alertRules();
      Map<String, String> client = new LinkedHashMap<>(settings);
      client.put(
          CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG,
          String.join(",", common.getList(CommonConfig.BOOTSTRAP_SERVERS)));
      int rules = new RuleTopic(client, topic, timeout).readAll().size();
      if (rules == 0) {
        add(
            Status.WARN,
            "rules",
            topic.name()
                + " holds no rule: no alert will fire ('linkwatch rules apply --default-pack')");
      } else {
        add(Status.OK, "rules", rules + " rules in " + topic.name());
      }
    } catch (RuleTopic.RuleTopicException e) {
      add(Status.FAIL, "rules", e.getMessage());
    }
  }

  private void checkRegistry(AbstractConfig common) {
    String url = common.getString(AvroSerdes.SCHEMA_REGISTRY_URL);
    if (url == null || url.isBlank()) {
      add(Status.SKIP, "registry", "none configured: values use Avro single-object encoding");
      return;
    }
    String base = url.split(",")[0].strip().replaceAll("/+$", "");
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(timeout).build();
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/subjects"))
                  .timeout(timeout)
                  .header("Accept", "application/vnd.schemaregistry.v1+json, application/json")
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 200) {
        add(Status.OK, "registry", base + " answers (GET /subjects: 200)");
      } else {
        add(
            Status.FAIL,
            "registry",
            base
                + " answered HTTP "
                + r.statusCode()
                + " to GET /subjects: "
                + abbreviate(r.body()));
      }
    } catch (IOException | IllegalArgumentException e) {
      add(Status.FAIL, "registry", base + " not reachable: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      add(Status.FAIL, "registry", "interrupted");
    }
  }

  private void checkStreamsState() {
    String stateDir =
        settings.getOrDefault(
            StreamsConfig.STATE_DIR_CONFIG,
            String.valueOf(
                StreamsConfig.configDef().defaultValues().get(StreamsConfig.STATE_DIR_CONFIG)));
    Path dir = Path.of(stateDir).toAbsolutePath();
    Path existing = dir;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    String appId = settings.getOrDefault(StreamsConfig.APPLICATION_ID_CONFIG, "linkwatch-streams");
    if (existing == null || !Files.isWritable(existing) || !Files.isDirectory(existing)) {
      add(Status.FAIL, "streams", "state.dir " + dir + " cannot be created or written");
    } else {
      add(
          Status.OK,
          "streams",
          "application.id "
              + appId
              + ", state.dir "
              + dir
              + (existing.equals(dir) ? " (writable)" : " (can be created)"));
    }
  }

  private void checkReceivers() {
    String file = settings.getOrDefault(SinkConfig.ROUTING_FILE, "");
    if (file.isBlank()) {
      add(Status.OK, "sink", "no routing file: every alert is printed on the console");
      return;
    }
    RoutingPlan plan = RoutingPlanParser.parse(Path.of(file));
    add(
        Status.OK,
        "sink",
        file
            + ": "
            + plan.receivers().size()
            + " receivers ("
            + String.join(", ", plan.receivers().keySet())
            + "), "
            + plan.routes().size()
            + " routes");
    for (ReceiverSpec r : plan.receivers().values()) {
      if (r.url() == null) {
        continue;
      }
      String host = r.url().getHost();
      int port =
          r.url().getPort() > 0
              ? r.url().getPort()
              : "https".equals(r.url().getScheme()) ? 443 : 80;
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(host, port), (int) Math.min(timeout.toMillis(), 5000));
        add(Status.OK, "sink", "receiver " + r.name() + " reachable at " + host + ":" + port);
      } catch (IOException e) {
        add(
            Status.WARN,
            "sink",
            "receiver "
                + r.name()
                + " not reachable at "
                + host
                + ":"
                + port
                + " ("
                + e.getMessage()
                + "); the sink retries, then dead-letters");
      }
    }
  }

  private static String abbreviate(String s) {
    String one = s.replaceAll("\\s+", " ").strip();
    return one.length() > 120 ? one.substring(0, 117) + "..." : one;
  }
}
