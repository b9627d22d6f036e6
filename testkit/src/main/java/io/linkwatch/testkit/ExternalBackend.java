package io.linkwatch.testkit;

/**
 * A cluster that is already running, named by {@code KAFKA_BOOTSTRAP_SERVERS}. Not started or
 * stopped here; its broker count is read from the cluster.
 */
final class ExternalBackend implements ClusterBackend {

  private final String bootstrapServers;
  private final int brokers;

  ExternalBackend(String bootstrapServers, int brokers) {
    this.bootstrapServers = bootstrapServers;
    this.brokers = brokers;
  }

  @Override
  public String bootstrapServers() {
    return bootstrapServers;
  }

  @Override
  public int brokerCount() {
    return brokers;
  }

  @Override
  public String description() {
    return "external cluster at " + bootstrapServers + " (" + brokers + " brokers)";
  }

  @Override
  public void close() {
    // not ours to stop
  }
}
