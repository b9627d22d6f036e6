package io.linkwatch.testkit;

import java.util.Map;

/** Where a test's cluster comes from. One per test class; closed after its last test. */
interface ClusterBackend extends AutoCloseable {

  String bootstrapServers();

  /** Number of brokers the test can count on. */
  int brokerCount();

  /** For logs and failure messages, e.g. "in-JVM KRaft cluster, 3 brokers". */
  String description();

  /** Client settings every client of this cluster needs beyond the bootstrap servers. */
  default Map<String, Object> clientSettings() {
    return Map.of();
  }
}
