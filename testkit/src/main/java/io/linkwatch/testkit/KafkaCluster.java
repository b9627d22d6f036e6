package io.linkwatch.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives the annotated test class a real Kafka cluster, started once before its first test and
 * stopped after its last. Inject it as a {@link KafkaTestCluster} parameter (constructor, lifecycle
 * or test method) or field:
 *
 * <pre>{@code
 * @KafkaCluster(brokers = 3)
 * class AlertDeliveryIT {
 *   @Test
 *   void shouldDeliverEveryAlert(KafkaTestCluster kafka) { ... }
 * }
 * }</pre>
 *
 * Where the cluster comes from is chosen by {@link KafkaClusterExtension} (in-JVM KRaft by default;
 * Testcontainers or an external cluster on request), not by the test.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(KafkaClusterExtension.class)
public @interface KafkaCluster {

  /** Number of brokers (1 or 3 in practice); controllers are separate, one of them. */
  int brokers() default 1;

  /**
   * Extra broker settings as {@code key=value}, applied to every broker of an in-JVM cluster (e.g.
   * {@code "auto.create.topics.enable=false"}). Ignored, with a warning, by external clusters.
   */
  String[] brokerProperties() default {};
}
