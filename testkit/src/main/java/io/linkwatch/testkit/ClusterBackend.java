package io.linkwatch.testkit;

import java.util.Map;
import java.util.Optional;

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

  /** Stopping and starting single brokers, where the backend owns them (in-JVM only). */
  default Optional<BrokerControl> brokerControl() {
    return Optional.empty();
  }

  /** The brokers of a cluster the test owns, one at a time. */
  interface BrokerControl {

    /** Ids of every broker, running or stopped, in ascending order. */
    java.util.List<Integer> brokerIds();

    /** Whether the broker is running (started and not shut down). */
    boolean running(int brokerId);

    /**
     * Shuts the broker down as a SIGTERM would (controlled shutdown: leadership moves away first)
     * and returns once it has stopped.
     */
    void stop(int brokerId);

    /**
     * Stops the broker the way the cluster sees a crash: no controlled shutdown, its leaders move
     * only once the controller notices it is gone.
     */
    void kill(int brokerId);

    /** Starts a stopped broker again, with its data and on its ports. */
    void start(int brokerId);
  }
}
