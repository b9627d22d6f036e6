package io.linkwatch.testkit;

import org.apache.kafka.common.utils.AppInfoParser;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;

/**
 * One Apache Kafka broker in a Docker container (Testcontainers' {@code apache/kafka} image, the
 * same Kafka version as our clients unless {@code linkwatch.test.kafka.image} names another). Only
 * loaded when asked for, so Testcontainers stays an optional dependency.
 */
final class ContainerBackend implements ClusterBackend {

  static final String IMAGE_PROPERTY = "linkwatch.test.kafka.image";

  private final KafkaContainer container;

  private ContainerBackend(KafkaContainer container) {
    this.container = container;
  }

  /** Whether a Docker engine answers; Testcontainers' own check. */
  static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  static ContainerBackend start() {
    String image = System.getProperty(IMAGE_PROPERTY, "apache/kafka:" + AppInfoParser.getVersion());
    KafkaContainer container = new KafkaContainer(image);
    container.start();
    return new ContainerBackend(container);
  }

  @Override
  public String bootstrapServers() {
    return container.getBootstrapServers();
  }

  @Override
  public int brokerCount() {
    return 1;
  }

  @Override
  public String description() {
    return "Testcontainers Kafka (" + container.getDockerImageName() + ")";
  }

  @Override
  public void close() {
    container.stop();
  }
}
