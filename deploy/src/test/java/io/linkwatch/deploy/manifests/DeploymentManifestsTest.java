package io.linkwatch.deploy.manifests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.linkwatch.deploy.cli.VersionProvider;
import io.linkwatch.deploy.config.ConfigCheck;
import io.linkwatch.deploy.config.Repository;
import io.linkwatch.deploy.config.Role;
import io.linkwatch.schemas.config.CommonConfig;
import io.linkwatch.schemas.config.ConfigSource;
import io.linkwatch.schemas.topic.TopicPlan;
import io.linkwatch.schemas.topic.TopicPlan.TopicSpec;
import io.linkwatch.sink.routing.RoutingPlan;
import io.linkwatch.sink.routing.RoutingPlanParser;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.Test;

/**
 * The compose file and the Kubernetes manifests, checked against the code as far as this machine
 * allows (no Docker engine, no cluster): they parse, images are pinned and match the versions the
 * build uses, every LINKWATCH_* variable names a key of the role it is given to, the shared
 * settings file is accepted by every role, ports and probe paths are those the roles serve, the
 * Strimzi topics are exactly the topic plan, and {@code docker compose config} accepts the file
 * where a compose client is installed.
 */
class DeploymentManifestsTest {

  /** What every role serves (streams: QueryServer, sink: DashboardServer, ingest: HealthServer). */
  static final Set<String> PROBE_PATHS = Set.of("/health", "/ready");

  /** The port each role listens on, and the key that sets it. */
  static final Map<Role, String> PORT_KEY =
      Map.of(
          Role.INGEST, "ingest.health.port",
          Role.STREAMS, "streams.http.port",
          Role.SINK, "dashboard.port");

  private static final ObjectMapper YAML = new YAMLMapper();
  private static final Path COMPOSE = Repository.file("deploy/compose");
  private static final Path K8S = Repository.file("deploy/k8s");

  // ------------------------------------------------------------------ compose

  @Test
  void shouldPinEveryImageAndBuildLinkwatchFromTheDistribution() throws Exception {
    JsonNode services = compose().path("services");

    assertThat(services.fieldNames())
        .toIterable()
        .contains(
            "kafka",
            "schema-registry",
            "ingest",
            "streams",
            "sink",
            "prometheus",
            "alertmanager",
            "grafana");
    for (Map.Entry<String, JsonNode> s : fields(services)) {
      String image = s.getValue().path("image").asText();
      assertThat(image).as(s.getKey() + " has an image").isNotEmpty();
      assertThat(image).as(s.getKey() + " pins its image").contains(":").doesNotEndWith(":latest");
    }
    assertThat(services.path("kafka").path("image").asText())
        .as("the broker runs the Kafka version the clients are built with")
        .isEqualTo("apache/kafka:" + AppInfoParser.getVersion());
    String version = VersionProvider.version();
    for (String role : List.of("ingest", "streams", "sink")) {
      JsonNode service = services.path(role);
      assertThat(service.path("image").asText()).isEqualTo("linkwatch:" + version);
      assertThat(service.path("build").path("dockerfile").asText())
          .isEqualTo("deploy/docker/Dockerfile");
      assertThat(service.path("build").path("args").path("LINKWATCH_VERSION").asText())
          .isEqualTo(version);
    }
    String dockerfile =
        Files.readString(Repository.file("deploy/docker/Dockerfile"), StandardCharsets.UTF_8);
    assertThat(dockerfile)
        .contains("ARG LINKWATCH_VERSION=" + version)
        .contains("ADD deploy/target/linkwatch-${LINKWATCH_VERSION}.tar.gz");
  }

  @Test
  void shouldGiveEachRoleOnlyItsOwnSettingsAndPortsItServes() throws Exception {
    JsonNode services = compose().path("services");
    Map<String, String> shared = properties(COMPOSE.resolve("linkwatch.properties"));

    for (Role role : Role.values()) {
      JsonNode service = services.path(role.id());
      assertThat(roleOf(service.path("command"))).isEqualTo(role);
      Map<String, String> env = env(service.path("environment"));
      assertKnownVariables(role, env.keySet(), "compose service " + role.id());
      int port = port(role, shared, env);
      assertThat(text(service.path("ports")))
          .as(role.id() + " publishes the port it listens on")
          .contains(port + ":" + port);
      String check = text(service.path("healthcheck").path("test"));
      assertThat(check).as(role.id() + " health check").contains("localhost:" + port + "/");
      assertThat(PROBE_PATHS.stream().anyMatch(check::contains))
          .as(role.id() + " checks a path the role serves: " + check)
          .isTrue();
    }
  }

  @Test
  void shouldScrapeEveryRoleWherePrometheusFindsIt() throws Exception {
    JsonNode prometheus = YAML.readTree(COMPOSE.resolve("prometheus.yml").toFile());
    JsonNode services = compose().path("services");
    Map<String, String> shared = properties(COMPOSE.resolve("linkwatch.properties"));
    Map<String, String> targets = new TreeMap<>();
    for (JsonNode job : prometheus.path("scrape_configs")) {
      assertThat(job.path("metrics_path").asText()).isEqualTo("/metrics");
      targets.put(
          job.path("job_name").asText(),
          job.path("static_configs").get(0).path("targets").get(0).asText());
    }
    for (Role role : Role.values()) {
      int port = port(role, shared, env(services.path(role.id()).path("environment")));
      assertThat(targets).containsEntry("linkwatch-" + role.id(), role.id() + ":" + port);
    }
  }

  @Test
  void shouldShareOneSettingsFileEveryRoleAccepts() {
    for (Path file : List.of(COMPOSE.resolve("linkwatch.properties"), K8S.resolve("config.yaml"))) {
      Map<String, String> settings =
          file.toString().endsWith(".properties")
              ? properties(file)
              : properties(configMap("linkwatch.properties"));
      ConfigCheck.Report report =
          new ConfigCheck(settings, Set.of(Role.values()), Duration.ofSeconds(1), i -> {})
              .run(true);
      assertThat(report.items())
          .as(file + " is accepted by every role as it is")
          .allMatch(
              i -> i.status() == ConfigCheck.Status.OK || i.status() == ConfigCheck.Status.SKIP);
    }
  }

  @Test
  void shouldRouteToReceiversThatParse() throws Exception {
    RoutingPlan compose = RoutingPlanParser.parse(COMPOSE.resolve("routing.yaml"));
    assertThat(compose.receivers()).containsKeys("alertmanager", "console");
    assertThat(compose.receivers().get("alertmanager").url().toString())
        .isEqualTo("http://alertmanager:9093");
    RoutingPlan k8s =
        RoutingPlanParser.parse(configMap("routing.yaml"), "config.yaml", System::getenv);
    assertThat(k8s.receivers()).isNotEmpty();
    RoutingPlan dist =
        RoutingPlanParser.parse(Repository.file("deploy/src/dist/config/routing.yaml"));
    assertThat(dist.receivers()).containsKeys("alertmanager", "console");
  }

  @Test
  void shouldProvisionTheDashboardGrafanaIsGiven() throws Exception {
    JsonNode grafana = compose().path("services").path("grafana");
    JsonNode provider =
        YAML.readTree(COMPOSE.resolve("grafana/provisioning/dashboards/linkwatch.yaml").toFile());
    String path = provider.path("providers").get(0).path("options").path("path").asText();
    assertThat(text(grafana.path("volumes")))
        .contains("../grafana/linkwatch.json:" + path + "/linkwatch.json");
    assertThat(Files.exists(COMPOSE.resolve("../grafana/linkwatch.json"))).isTrue();
    JsonNode datasources =
        YAML.readTree(COMPOSE.resolve("grafana/provisioning/datasources/prometheus.yaml").toFile());
    assertThat(datasources.path("datasources").get(0).path("url").asText())
        .isEqualTo("http://prometheus:9090");
  }

  @Test
  void shouldBeAcceptedByDockerCompose() throws Exception {
    List<String> client = composeClient();
    assumeTrue(client != null, "no docker compose client on this machine");
    List<String> command = new ArrayList<>(client);
    command.addAll(List.of("-f", COMPOSE.resolve("compose.yaml").toString(), "config", "-q"));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("docker compose config finished").isTrue();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(String.join(" ", command) + "\n" + out).isZero();
  }

  // ------------------------------------------------------------------ kubernetes

  @Test
  void shouldDeclareTheTopicPlanAsStrimziTopics() throws Exception {
    Map<String, String> settings = properties(configMap("linkwatch.properties"));
    AbstractConfig config =
        new AbstractConfig(CommonConfig.define(new ConfigDef()), settings, false);
    TopicPlan plan = CommonConfig.topicPlan(config);
    short rf = Short.parseShort(settings.get(TopicPlan.REPLICATION_FACTOR));

    Map<String, JsonNode> declared = new TreeMap<>();
    for (JsonNode doc : documents(K8S.resolve("topics.yaml"))) {
      assertThat(doc.path("apiVersion").asText()).isEqualTo("kafka.strimzi.io/v1beta2");
      assertThat(doc.path("kind").asText()).isEqualTo("KafkaTopic");
      assertThat(doc.path("metadata").path("labels").path("strimzi.io/cluster").asText())
          .isNotEmpty();
      declared.put(doc.path("spec").path("topicName").asText(), doc.path("spec"));
    }
    assertThat(declared.keySet())
        .containsExactlyInAnyOrderElementsOf(plan.topics().stream().map(TopicSpec::name).toList());
    for (TopicSpec t : plan.topics()) {
      JsonNode spec = declared.get(t.name());
      assertThat(spec.path("partitions").asInt()).as(t.name()).isEqualTo(t.partitions());
      assertThat(spec.path("replicas").asInt()).as(t.name()).isEqualTo(rf);
      Map<String, String> configs = new TreeMap<>();
      fields(spec.path("config")).forEach(e -> configs.put(e.getKey(), e.getValue().asText()));
      assertThat(configs).as(t.name()).isEqualTo(new TreeMap<>(plan.configsFor(t, rf)));
    }
  }

  @Test
  void shouldRunEachRoleWithItsKeysProbesAndPorts() throws Exception {
    Map<String, String> shared = properties(configMap("linkwatch.properties"));
    Set<String> secretVariables = new TreeSet<>();
    for (JsonNode doc : documents(K8S.resolve("config.yaml"))) {
      if (doc.path("kind").asText().equals("Secret")) {
        doc.path("stringData").fieldNames().forEachRemaining(secretVariables::add);
      }
    }
    Map<Role, JsonNode> workloads = new HashMap<>();
    for (Path file :
        List.of("ingest.yaml", "streams.yaml", "sink.yaml").stream().map(K8S::resolve).toList()) {
      for (JsonNode doc : documents(file)) {
        String kind = doc.path("kind").asText();
        if (kind.equals("Deployment") || kind.equals("StatefulSet")) {
          JsonNode container = doc.at("/spec/template/spec/containers/0");
          Role role = roleOf(container.path("args"));
          workloads.put(role, doc);
          Map<String, String> env = new LinkedHashMap<>();
          container
              .path("env")
              .forEach(e -> env.put(e.path("name").asText(), e.path("value").asText()));
          env.remove("POD_NAME");
          assertKnownVariables(role, env.keySet(), file.getFileName() + " " + role.id());
          assertKnownVariables(
              role, secretVariables, "Secret linkwatch-credentials for " + role.id());
          int port = port(role, shared, env);
          assertThat(container.at("/ports/0/containerPort").asInt()).isEqualTo(port);
          for (String probe : List.of("livenessProbe", "readinessProbe")) {
            JsonNode get = container.path(probe).path("httpGet");
            assertThat(PROBE_PATHS).as(role.id() + " " + probe).contains(get.path("path").asText());
            assertThat(get.path("port").asText()).isEqualTo("http");
          }
          assertThat(container.path("readinessProbe").path("httpGet").path("path").asText())
              .isEqualTo("/ready");
        }
      }
    }
    assertThat(workloads.keySet()).containsExactlyInAnyOrder(Role.values());

    JsonNode streams = workloads.get(Role.STREAMS);
    assertThat(streams.path("kind").asText()).isEqualTo("StatefulSet");
    assertThat(streams.at("/spec/replicas").asInt()).isGreaterThanOrEqualTo(2);
    assertThat(streams.at("/spec/volumeClaimTemplates/0/metadata/name").asText())
        .isEqualTo("state");
    Map<String, String> env = new LinkedHashMap<>();
    streams
        .at("/spec/template/spec/containers/0/env")
        .forEach(e -> env.put(e.path("name").asText(), e.path("value").asText()));
    assertThat(Integer.parseInt(env.get(ConfigSource.envName("num.standby.replicas"))))
        .isPositive();
    String stateDir = env.get(ConfigSource.envName("state.dir"));
    assertThat(text(streams.at("/spec/template/spec/containers/0/volumeMounts")))
        .as("the state directory is the volume of the claim")
        .contains("\"name\":\"state\",\"mountPath\":\"" + stateDir + "\"");
  }

  @Test
  void shouldListEveryManifestInTheKustomization() throws Exception {
    JsonNode kustomization = YAML.readTree(K8S.resolve("kustomization.yaml").toFile());
    Set<String> listed = new TreeSet<>();
    kustomization.path("resources").forEach(r -> listed.add(r.asText()));
    Set<String> files = new TreeSet<>();
    try (Stream<Path> list = Files.list(K8S)) {
      list.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".yaml") && !n.equals("kustomization.yaml"))
          .forEach(files::add);
    }
    assertThat(listed).isEqualTo(files);
    assertThat(kustomization.at("/images/0/newTag").asText()).isEqualTo(VersionProvider.version());
  }

  // ------------------------------------------------------------------ helpers

  /** compose.yaml, with the YAML merge keys ({@code <<: *linkwatch}) of its services applied. */
  private static JsonNode compose() throws Exception {
    JsonNode compose = YAML.readTree(COMPOSE.resolve("compose.yaml").toFile());
    JsonNode base = compose.path("x-linkwatch");
    for (Map.Entry<String, JsonNode> s : fields(compose.path("services"))) {
      ObjectNode service = (ObjectNode) s.getValue();
      if (service.has("<<")) {
        service.remove("<<");
        fields(base).forEach(e -> service.putIfAbsent(e.getKey(), e.getValue()));
      }
    }
    return compose;
  }

  private static List<JsonNode> documents(Path file) throws Exception {
    List<JsonNode> docs = new ArrayList<>();
    try (var parser = new YAMLFactory().createParser(file.toFile())) {
      var it = YAML.readValues(parser, JsonNode.class);
      while (it.hasNext()) {
        JsonNode doc = it.next();
        if (doc != null && !doc.isNull() && !doc.isEmpty()) {
          docs.add(doc);
        }
      }
    }
    assertThat(docs).as(file + " has resources").isNotEmpty();
    return docs;
  }

  private static String configMap(String key) {
    try {
      for (JsonNode doc : documents(K8S.resolve("config.yaml"))) {
        if (doc.path("kind").asText().equals("ConfigMap")) {
          return doc.path("data").path(key).asText();
        }
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    throw new AssertionError("no ConfigMap in config.yaml");
  }

  private static Map<String, String> properties(Path file) {
    try {
      return properties(Files.readString(file, StandardCharsets.UTF_8));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static Map<String, String> properties(String text) {
    Properties p = new Properties();
    try {
      p.load(new StringReader(text));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    Map<String, String> m = new TreeMap<>();
    p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k)));
    return m;
  }

  private static Role roleOf(JsonNode command) {
    String first = command.isArray() ? command.get(0).asText() : command.asText().split(" ")[0];
    return Role.of(first);
  }

  private static void assertKnownVariables(Role role, Set<String> variables, String where) {
    Map<String, String> byVariable = new HashMap<>();
    role.knownKeys().all().forEach(k -> byVariable.put(ConfigSource.envName(k), k));
    for (String variable : variables) {
      assertThat(byVariable)
          .as(where + ": " + variable + " names a setting " + role.id() + " accepts")
          .containsKey(variable);
    }
  }

  /** The port the role listens on: its environment, else the shared file, else the default. */
  private static int port(Role role, Map<String, String> shared, Map<String, String> env) {
    String key = PORT_KEY.get(role);
    String value = env.get(ConfigSource.envName(key));
    if (value == null) {
      value = shared.get(key);
    }
    if (value == null) {
      value = String.valueOf(role.definition().defaultValues().get(key));
    }
    return Integer.parseInt(value);
  }

  private static Map<String, String> env(JsonNode environment) {
    Map<String, String> env = new LinkedHashMap<>();
    if (environment.isObject()) {
      fields(environment).forEach(e -> env.put(e.getKey(), e.getValue().asText()));
    } else {
      environment.forEach(
          e -> {
            String[] kv = e.asText().split("=", 2);
            env.put(kv[0], kv.length > 1 ? kv[1] : "");
          });
    }
    return env;
  }

  private static List<Map.Entry<String, JsonNode>> fields(JsonNode node) {
    List<Map.Entry<String, JsonNode>> out = new ArrayList<>();
    node.fields().forEachRemaining(out::add);
    return out;
  }

  private static String text(JsonNode node) {
    return node.isTextual() ? node.asText() : node.toString();
  }

  /** {@code docker compose} (the plugin) or {@code docker-compose}, whichever answers. */
  private static List<String> composeClient() {
    for (List<String> candidate :
        List.of(List.of("docker", "compose"), List.of("docker-compose"))) {
      List<String> version = new ArrayList<>(candidate);
      version.add("version");
      try {
        Process p = new ProcessBuilder(version).redirectErrorStream(true).start();
        if (p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0) {
          return candidate;
        }
      } catch (java.io.IOException e) {
        // not installed
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
    }
    return null;
  }
}
