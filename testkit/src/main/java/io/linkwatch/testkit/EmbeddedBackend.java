package io.linkwatch.testkit;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A KRaft cluster in the test JVM ({@code KafkaClusterTestKit}): one controller and the brokers the
 * test asks for, on ephemeral ports, with data in a temporary directory deleted on close.
 */
final class EmbeddedBackend implements ClusterBackend {

  private final KafkaClusterTestKit cluster;
  private final int brokers;

  private EmbeddedBackend(KafkaClusterTestKit cluster, int brokers) {
    this.cluster = cluster;
    this.brokers = brokers;
  }

  static EmbeddedBackend start(int brokers, Map<String, String> brokerProperties) throws Exception {
    KafkaClusterTestKit.Builder builder =
        new KafkaClusterTestKit.Builder(
            new TestKitNodes.Builder().setNumBrokerNodes(brokers).setNumControllerNodes(1).build());
    defaults(brokers).forEach(builder::setConfigProp);
    brokerProperties.forEach(builder::setConfigProp);
    KafkaClusterTestKit cluster = builder.build();
    try {
      cluster.format();
      cluster.startup();
      cluster.waitForReadyBrokers();
      return new EmbeddedBackend(cluster, brokers);
    } catch (Exception | Error e) {
      try {
        cluster.close();
      } catch (Exception suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /**
   * Settings that make a small test cluster behave like a production one (internal topics
   * replicated as far as the brokers allow, so exactly-once works on one broker and survives one
   * broker down on three) and start fast (few internal partitions, no rebalance delay).
   */
  static Map<String, String> defaults(int brokers) {
    String rf = Integer.toString(Math.min(3, brokers));
    String minIsr = Integer.toString(Math.min(2, brokers));
    Map<String, String> props = new LinkedHashMap<>();
    props.put("default.replication.factor", rf);
    props.put("offsets.topic.replication.factor", rf);
    props.put("offsets.topic.num.partitions", "5");
    props.put("transaction.state.log.replication.factor", rf);
    props.put("transaction.state.log.min.isr", minIsr);
    props.put("transaction.state.log.num.partitions", "5");
    props.put("share.coordinator.state.topic.replication.factor", rf);
    props.put("share.coordinator.state.topic.min.isr", minIsr);
    props.put("group.initial.rebalance.delay.ms", "0");
    return props;
  }

  @Override
  public String bootstrapServers() {
    return cluster.bootstrapServers();
  }

  @Override
  public int brokerCount() {
    return brokers;
  }

  @Override
  public String description() {
    return "in-JVM KRaft cluster, " + brokers + (brokers == 1 ? " broker" : " brokers");
  }

  @Override
  public void close() throws Exception {
    cluster.close();
  }
}
