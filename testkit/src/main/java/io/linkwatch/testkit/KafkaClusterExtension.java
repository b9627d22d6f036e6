package io.linkwatch.testkit;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestInstancePostProcessor;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.HierarchyTraversalMode;
import org.junit.platform.commons.support.ReflectionSupport;
import org.opentest4j.TestAbortedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JUnit 5 extension that gives a test class a real Kafka cluster ({@link KafkaTestCluster}): one
 * per top-level test class (its {@code @Nested} classes share it), started before the first test
 * that needs it, stopped after the class. Usually applied through {@link KafkaCluster}; a bare
 * {@code @ExtendWith(KafkaClusterExtension.class)} gives one broker.
 *
 * <p>Where the cluster comes from, in this order:
 *
 * <ol>
 *   <li>{@code -Dlinkwatch.test.cluster=embedded|testcontainers|external} (or the environment
 *       variable {@code LINKWATCH_TEST_CLUSTER}) when set;
 *   <li>otherwise an external cluster when {@code KAFKA_BOOTSTRAP_SERVERS} is set;
 *   <li>otherwise in-JVM KRaft brokers ({@code KafkaClusterTestKit}), the default.
 * </ol>
 *
 * A test whose cluster cannot be had here (Testcontainers without Docker, more brokers than an
 * external cluster or a container has) is skipped with a message saying why, not failed.
 */
public final class KafkaClusterExtension
    implements ExecutionCondition, BeforeAllCallback, TestInstancePostProcessor, ParameterResolver {

  /** System property choosing where the cluster comes from. */
  public static final String MODE_PROPERTY = "linkwatch.test.cluster";

  /** Environment variable choosing where the cluster comes from (the property wins). */
  public static final String MODE_ENV = "LINKWATCH_TEST_CLUSTER";

  /** Environment variable naming an external cluster. */
  public static final String BOOTSTRAP_ENV = "KAFKA_BOOTSTRAP_SERVERS";

  private static final Logger LOG = LoggerFactory.getLogger(KafkaClusterExtension.class);
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(KafkaClusterExtension.class);

  /** Where a cluster comes from. */
  enum Mode {
    EMBEDDED,
    TESTCONTAINERS,
    EXTERNAL
  }

  /**
   * Decides, per test class, whether its cluster can be had, so that a class whose cluster cannot
   * (no Docker, too few brokers) is reported as skipped with the reason, not silently left out.
   */
  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    if (context.getTestMethod().isPresent() || context.getTestClass().isEmpty()) {
      return ConditionEvaluationResult.enabled("decided for the class");
    }
    if (mode() == Mode.EMBEDDED) {
      return ConditionEvaluationResult.enabled("in-JVM cluster");
    }
    try {
      cluster(context);
      return ConditionEvaluationResult.enabled("cluster available");
    } catch (TestAbortedException e) {
      return ConditionEvaluationResult.disabled(e.getMessage());
    }
  }

  @Override
  public void beforeAll(ExtensionContext context) throws IllegalAccessException {
    KafkaTestCluster cluster = cluster(context);
    for (Field field : clusterFields(context.getRequiredTestClass())) {
      if (Modifier.isStatic(field.getModifiers())) {
        field.setAccessible(true);
        field.set(null, cluster);
      }
    }
  }

  @Override
  public void postProcessTestInstance(Object testInstance, ExtensionContext context)
      throws IllegalAccessException {
    for (Field field : clusterFields(testInstance.getClass())) {
      if (!Modifier.isStatic(field.getModifiers())) {
        field.setAccessible(true);
        field.set(testInstance, cluster(context));
      }
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == KafkaTestCluster.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return cluster(context);
  }

  private static List<Field> clusterFields(Class<?> testClass) {
    return ReflectionSupport.findFields(
        testClass, f -> f.getType() == KafkaTestCluster.class, HierarchyTraversalMode.TOP_DOWN);
  }

  /** The cluster of the outermost test class of this context, started on first use. */
  private static KafkaTestCluster cluster(ExtensionContext context) {
    ExtensionContext owner = outermostClassContext(context);
    Class<?> testClass = owner.getRequiredTestClass();
    return owner
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(testClass, c -> start(testClass), KafkaTestCluster.class);
  }

  private static ExtensionContext outermostClassContext(ExtensionContext context) {
    ExtensionContext owner = context;
    Optional<ExtensionContext> parent = context.getParent();
    while (parent.isPresent() && parent.get().getTestClass().isPresent()) {
      owner = parent.get();
      parent = owner.getParent();
    }
    while (owner.getTestMethod().isPresent()) {
      owner = owner.getParent().orElseThrow();
    }
    return owner;
  }

  private static KafkaTestCluster start(Class<?> testClass) {
    Optional<KafkaCluster> annotation =
        AnnotationSupport.findAnnotation(testClass, KafkaCluster.class);
    int brokers = annotation.map(KafkaCluster::brokers).orElse(1);
    if (brokers < 1) {
      throw new ExtensionConfigurationException(
          "@KafkaCluster(brokers = " + brokers + ") on " + testClass.getName() + ": at least 1");
    }
    Map<String, String> brokerProperties =
        parseProperties(annotation.map(KafkaCluster::brokerProperties).orElse(new String[0]));
    Mode mode = mode();
    long started = System.nanoTime();
    ClusterBackend backend =
        switch (mode) {
          case EMBEDDED -> startEmbedded(brokers, brokerProperties);
          case TESTCONTAINERS -> startContainer(testClass, brokers);
          case EXTERNAL -> connectExternal(testClass, brokers, brokerProperties);
        };
    LOG.info(
        "{} for {} ready at {} in {} ms",
        backend.description(),
        testClass.getSimpleName(),
        backend.bootstrapServers(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    return new KafkaTestCluster(backend);
  }

  static Mode mode() {
    String requested = System.getProperty(MODE_PROPERTY);
    if (requested == null || requested.isBlank()) {
      requested = System.getenv(MODE_ENV);
    }
    if (requested != null && !requested.isBlank()) {
      try {
        return Mode.valueOf(requested.strip().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new ExtensionConfigurationException(
            MODE_PROPERTY + "=" + requested + " is not one of embedded, testcontainers, external");
      }
    }
    String external = System.getenv(BOOTSTRAP_ENV);
    return external != null && !external.isBlank() ? Mode.EXTERNAL : Mode.EMBEDDED;
  }

  private static ClusterBackend startEmbedded(int brokers, Map<String, String> brokerProperties) {
    try {
      return EmbeddedBackend.start(brokers, brokerProperties);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting the in-JVM Kafka cluster", e);
    } catch (Exception e) {
      throw new IllegalStateException(
          "cannot start an in-JVM Kafka cluster of " + brokers + " broker(s): " + e, e);
    }
  }

  private static ClusterBackend startContainer(Class<?> testClass, int brokers) {
    if (brokers > 1) {
      throw new TestAbortedException(
          testClass.getSimpleName()
              + " needs "
              + brokers
              + " brokers; Testcontainers' Kafka has one. Run it with the embedded cluster.");
    }
    try {
      Class.forName("org.testcontainers.DockerClientFactory");
    } catch (ClassNotFoundException e) {
      throw new TestAbortedException(
          MODE_PROPERTY
              + "=testcontainers, but org.testcontainers:testcontainers-kafka is not on the test"
              + " classpath of this module");
    }
    if (!ContainerBackend.dockerAvailable()) {
      throw new TestAbortedException(
          MODE_PROPERTY
              + "=testcontainers, but no Docker engine answers here (see Testcontainers' log"
              + " above); skipping "
              + testClass.getSimpleName());
    }
    return ContainerBackend.start();
  }

  private static ClusterBackend connectExternal(
      Class<?> testClass, int brokers, Map<String, String> brokerProperties) {
    String bootstrap = System.getenv(BOOTSTRAP_ENV);
    if (bootstrap == null || bootstrap.isBlank()) {
      throw new ExtensionConfigurationException(
          MODE_PROPERTY + "=external needs " + BOOTSTRAP_ENV + " (host:port of the cluster)");
    }
    if (!brokerProperties.isEmpty()) {
      LOG.warn(
          "{} asks for broker properties {}; an external cluster keeps its own",
          testClass.getSimpleName(),
          brokerProperties.keySet());
    }
    Duration timeout = Duration.ofSeconds(30);
    int available;
    try (Admin admin =
        Admin.create(
            Map.of(
                CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG,
                (int) timeout.toMillis()))) {
      available =
          admin.describeCluster().nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS).size();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reaching " + bootstrap, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "cannot reach the external cluster "
              + BOOTSTRAP_ENV
              + "="
              + bootstrap
              + " within "
              + timeout.toSeconds()
              + " s: "
              + e,
          e);
    }
    if (available < brokers) {
      throw new TestAbortedException(
          testClass.getSimpleName()
              + " needs "
              + brokers
              + " brokers; the external cluster at "
              + bootstrap
              + " has "
              + available);
    }
    return new ExternalBackend(bootstrap, available);
  }

  static Map<String, String> parseProperties(String[] entries) {
    Map<String, String> props = new LinkedHashMap<>();
    for (String entry : entries) {
      int eq = entry.indexOf('=');
      if (eq <= 0) {
        throw new ExtensionConfigurationException(
            "@KafkaCluster(brokerProperties) entry '" + entry + "' is not key=value");
      }
      props.put(entry.substring(0, eq).strip(), entry.substring(eq + 1).strip());
    }
    return props;
  }
}
