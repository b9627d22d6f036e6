package io.linkwatch.schemas.topic;

import io.linkwatch.schemas.topic.TopicPlan.TopicSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Makes a cluster match a {@link TopicPlan}, idempotently: creates missing topics, sets configs
 * that differ, adds partitions when the plan has more; reports each topic as created, updated
 * (naming what changed), unchanged, or refused (what Kafka cannot do: fewer partitions, another
 * replication factor).
 */
public final class TopicPlanApplier {

  /** What happened to one topic. */
  public enum Outcome {
    CREATED,
    UPDATED,
    UNCHANGED,
    /** The topic differs in a way Kafka cannot change in place; it was left as it is. */
    REFUSED
  }

  /**
   * The result for one topic.
   *
   * @param topic topic name
   * @param outcome what happened (or would happen, in a dry run)
   * @param details one line per change or refusal, e.g. {@code retention.ms: 86400000 -> 604800000}
   */
  public record Change(String topic, Outcome outcome, List<String> details) {
    public Change {
      details = List.copyOf(details);
    }
  }

  private final Admin admin;
  private final Duration timeout;

  /**
   * @param admin the client to use (not closed here)
   * @param timeout bound of each admin call
   */
  public TopicPlanApplier(Admin admin, Duration timeout) {
    this.admin = Objects.requireNonNull(admin, "admin");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
  }

  /** Applies the plan and returns one {@link Change} per topic, in plan order. */
  public List<Change> apply(TopicPlan plan) {
    return run(plan, false);
  }

  /** Computes what {@link #apply} would do, without changing anything. */
  public List<Change> dryRun(TopicPlan plan) {
    return run(plan, true);
  }

  private List<Change> run(TopicPlan plan, boolean dryRun) {
    Collection<Node> nodes = get(admin.describeCluster().nodes(), "describe the cluster");
    int brokerDefaultRf = brokerDefaultReplicationFactor(nodes);
    Set<String> existing = get(admin.listTopics().names(), "list topics");

    Map<String, TopicSpec> unique = new LinkedHashMap<>();
    plan.topics().forEach(t -> unique.putIfAbsent(t.name(), t));

    List<TopicSpec> missing = new ArrayList<>();
    List<TopicSpec> present = new ArrayList<>();
    for (TopicSpec t : unique.values()) {
      int rf = t.explicitReplicationFactor().map(Short::intValue).orElse(brokerDefaultRf);
      if (rf > nodes.size()) {
        throw new ConfigException(
            TopicPlan.REPLICATION_FACTOR,
            rf,
            "needs at least " + rf + " brokers; the cluster has " + nodes.size());
      }
      (existing.contains(t.name()) ? present : missing).add(t);
    }

    Map<String, Change> changes = new HashMap<>();
    for (TopicSpec t : missing) {
      int rf = t.explicitReplicationFactor().map(Short::intValue).orElse(brokerDefaultRf);
      List<String> details =
          List.of(
              t.partitions()
                  + " partitions, replication factor "
                  + rf
                  + ", "
                  + plan.configsFor(t, rf));
      changes.put(t.name(), new Change(t.name(), Outcome.CREATED, details));
    }
    if (!dryRun && !missing.isEmpty()) {
      present.addAll(create(plan, missing, brokerDefaultRf, changes));
      // so that whoever runs next (a producer, the next apply) finds them with their leaders
      awaitLeaders(missing.stream().map(TopicSpec::name).toList(), Map.of());
    }
    if (!present.isEmpty()) {
      changes.putAll(update(plan, present, dryRun));
    }
    return unique.keySet().stream().map(changes::get).toList();
  }

  /** Creates the missing topics; returns those that turned out to exist already. */
  private List<TopicSpec> create(
      TopicPlan plan, List<TopicSpec> missing, int brokerDefaultRf, Map<String, Change> changes) {
    List<NewTopic> requests = new ArrayList<>();
    for (TopicSpec t : missing) {
      int rf = t.explicitReplicationFactor().map(Short::intValue).orElse(brokerDefaultRf);
      requests.add(plan.newTopic(t, rf));
    }
    Map<String, KafkaFuture<Void>> results = admin.createTopics(requests).values();
    List<TopicSpec> existing = new ArrayList<>();
    for (TopicSpec t : missing) {
      try {
        get(results.get(t.name()), "create topic " + t.name());
      } catch (TopicExistsException e) {
        // created meanwhile, or listed by a broker whose metadata lagged: compare it instead
        changes.remove(t.name());
        existing.add(t);
      }
    }
    return existing;
  }

  private Map<String, Change> update(TopicPlan plan, List<TopicSpec> present, boolean dryRun) {
    List<String> names = present.stream().map(TopicSpec::name).toList();
    Map<String, TopicDescription> descriptions = awaitLeaders(names, Map.of());
    List<ConfigResource> resources =
        names.stream().map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).toList();
    Map<ConfigResource, Config> configs =
        get(admin.describeConfigs(resources).all(), "describe the configs of " + names);

    Map<String, Change> changes = new HashMap<>();
    Map<ConfigResource, Collection<AlterConfigOp>> alterations = new LinkedHashMap<>();
    Map<String, NewPartitions> newPartitions = new LinkedHashMap<>();
    for (TopicSpec t : present) {
      TopicDescription description = descriptions.get(t.name());
      int partitions = description.partitions().size();
      int rf = description.partitions().get(0).replicas().size();
      List<String> updates = new ArrayList<>();
      List<String> refusals = new ArrayList<>();

      if (t.partitions() > partitions) {
        updates.add("partitions: " + partitions + " -> " + t.partitions());
        newPartitions.put(t.name(), NewPartitions.increaseTo(t.partitions()));
      } else if (t.partitions() < partitions) {
        refusals.add(
            "partitions: the topic has "
                + partitions
                + ", the plan "
                + t.partitions()
                + "; Kafka cannot remove partitions (set "
                + TopicPlan.partitionsKey(t.role())
                + "="
                + partitions
                + " to keep them)");
      }
      if (t.explicitReplicationFactor().isPresent() && t.explicitReplicationFactor().get() != rf) {
        refusals.add(
            "replication factor: the topic has "
                + rf
                + ", the plan "
                + t.replicationFactor()
                + "; change it with a partition reassignment (kafka-reassign-partitions)");
      }

      ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, t.name());
      Config actual = configs.get(resource);
      List<AlterConfigOp> ops = new ArrayList<>();
      plan.configsFor(t, rf)
          .forEach(
              (key, wanted) -> {
                ConfigEntry entry = actual.get(key);
                String current = entry == null ? null : entry.value();
                if (!wanted.equals(current)) {
                  updates.add(key + ": " + current + " -> " + wanted);
                  ops.add(
                      new AlterConfigOp(new ConfigEntry(key, wanted), AlterConfigOp.OpType.SET));
                }
              });
      if (!ops.isEmpty()) {
        alterations.put(resource, ops);
      }

      List<String> details = new ArrayList<>(updates);
      details.addAll(refusals);
      Outcome outcome;
      if (!refusals.isEmpty()) {
        outcome = Outcome.REFUSED;
      } else if (!updates.isEmpty()) {
        outcome = Outcome.UPDATED;
      } else {
        outcome = Outcome.UNCHANGED;
      }
      changes.put(t.name(), new Change(t.name(), outcome, details));
    }
    if (!dryRun) {
      if (!alterations.isEmpty()) {
        get(admin.incrementalAlterConfigs(alterations).all(), "alter topic configs");
      }
      if (!newPartitions.isEmpty()) {
        get(admin.createPartitions(newPartitions).all(), "add partitions");
        Map<String, Integer> counts = new HashMap<>();
        newPartitions.forEach((name, p) -> counts.put(name, p.totalCount()));
        awaitLeaders(List.copyOf(counts.keySet()), counts);
      }
    }
    return changes;
  }

  /**
   * Describes topics, waiting (within the timeout) until every broker asked knows them, with at
   * least the given partition counts, and each partition has a leader: metadata reaches the brokers
   * a moment after a topic is created or grows.
   */
  private Map<String, TopicDescription> awaitLeaders(
      List<String> names, Map<String, Integer> partitionCounts) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        Map<String, TopicDescription> descriptions =
            get(admin.describeTopics(names).allTopicNames(), "describe topics " + names);
        boolean ready =
            descriptions.values().stream()
                    .allMatch(
                        d -> d.partitions().size() >= partitionCounts.getOrDefault(d.name(), 1))
                && descriptions.values().stream()
                    .flatMap(d -> d.partitions().stream())
                    .allMatch(p -> p.leader() != null && !p.leader().isEmpty());
        if (ready) {
          return descriptions;
        }
        if (System.nanoTime() > deadline) {
          throw new org.apache.kafka.common.errors.TimeoutException(
              "partitions of "
                  + names
                  + " still have no leader after "
                  + timeout.toSeconds()
                  + " s");
        }
      } catch (UnknownTopicOrPartitionException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new KafkaException("interrupted while waiting for topics " + names, e);
      }
    }
  }

  private int brokerDefaultReplicationFactor(Collection<Node> nodes) {
    if (nodes.isEmpty()) {
      throw new KafkaException("the cluster has no broker available");
    }
    ConfigResource broker =
        new ConfigResource(ConfigResource.Type.BROKER, nodes.iterator().next().idString());
    Config config =
        get(admin.describeConfigs(List.of(broker)).all(), "describe the broker configs")
            .get(broker);
    ConfigEntry entry = config.get("default.replication.factor");
    return entry == null || entry.value() == null ? 1 : Integer.parseInt(entry.value());
  }

  private <T> T get(KafkaFuture<T> future, String what) {
    try {
      return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaException("interrupted while waiting to " + what, e);
    } catch (TimeoutException e) {
      throw new org.apache.kafka.common.errors.TimeoutException(
          "timed out after " + timeout.toSeconds() + " s waiting to " + what, e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw new KafkaException("cannot " + what + ": " + e.getCause(), e.getCause());
    }
  }
}
