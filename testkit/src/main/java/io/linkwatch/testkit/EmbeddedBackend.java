package io.linkwatch.testkit;

import java.lang.reflect.Field;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import kafka.server.BrokerServer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A KRaft cluster in the test JVM ({@code KafkaClusterTestKit}): one controller and the brokers the
 * test asks for, on ephemeral ports, with data in a temporary directory deleted on close.
 */
final class EmbeddedBackend implements ClusterBackend, ClusterBackend.BrokerControl {

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
  public Optional<BrokerControl> brokerControl() {
    return Optional.of(this);
  }

  @Override
  public List<Integer> brokerIds() {
    return cluster.brokers().keySet().stream().sorted().toList();
  }

  @Override
  public boolean running(int brokerId) {
    return !broker(brokerId).isShutdown();
  }

  @Override
  public synchronized void stop(int brokerId) {
    BrokerServer broker = broker(brokerId);
    broker.shutdown();
    broker.awaitShutdown();
  }

  /**
   * Stops the broker without a controlled shutdown: it closes its sockets and stops heartbeating
   * without asking the controller to move its leaders first, so the controller notices only when
   * the broker's session expires ({@code broker.session.timeout.ms}) — what the cluster sees of a
   * broker process killed with SIGKILL. Its log is still closed cleanly (no recovery at restart).
   */
  @Override
  public synchronized void kill(int brokerId) {
    BrokerServer broker = broker(brokerId);
    Object config = broker.config();
    Field field = controlledShutdownField(config);
    Object controlled = get(field, config);
    set(field, config, Boolean.FALSE);
    try {
      broker.shutdown();
      broker.awaitShutdown();
    } finally {
      set(field, config, controlled);
    }
  }

  /**
   * Kafka reads {@code controlled.shutdown.enable} from a field of the broker's config when it
   * shuts down; there is no per-shutdown switch, so the test kit flips that field for one stop.
   */
  private static Field controlledShutdownField(Object config) {
    try {
      Field field = config.getClass().getDeclaredField("controlledShutdownEnable");
      field.setAccessible(true);
      return field;
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw cannotKill(e);
    }
  }

  private static Object get(Field field, Object config) {
    try {
      return field.get(config);
    } catch (ReflectiveOperationException e) {
      throw cannotKill(e);
    }
  }

  private static void set(Field field, Object config, Object value) {
    try {
      field.set(config, value);
    } catch (ReflectiveOperationException e) {
      throw cannotKill(e);
    }
  }

  private static UnsupportedOperationException cannotKill(Exception e) {
    return new UnsupportedOperationException(
        "this Kafka version's broker cannot be stopped without a controlled shutdown here ("
            + e
            + "); use stopBroker",
        e);
  }

  @Override
  public synchronized void start(int brokerId) {
    broker(brokerId).startup();
  }

  private BrokerServer broker(int brokerId) {
    BrokerServer broker = cluster.brokers().get(brokerId);
    if (broker == null) {
      throw new IllegalArgumentException(
          "no broker " + brokerId + " in this cluster; brokers: " + brokerIds());
    }
    return broker;
  }

  @Override
  public void close() throws Exception {
    cluster.close();
  }
}
