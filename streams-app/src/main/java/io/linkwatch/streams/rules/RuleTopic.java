package io.linkwatch.streams.rules;

import io.linkwatch.avro.AlertRule;
import io.linkwatch.schemas.cli.ClusterCheck;
import io.linkwatch.schemas.cli.KafkaUnreachableException;
import io.linkwatch.schemas.topic.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Reads and writes the compacted rules topic: everything it holds (the last value per rule id,
 * tombstones removing), and a {@link RulePlan}'s writes with an idempotent producer. An unreachable
 * cluster is a {@link KafkaUnreachableException} (the {@code linkwatch} command prints it on one
 * line, exit code 3); a missing topic or a refused write is a {@link RuleTopicException}.
 */
public final class RuleTopic {

  /** The topic cannot be used: missing, or the cluster cannot be reached. */
  public static final class RuleTopicException extends Exception {
    private static final long serialVersionUID = 1L;

    RuleTopicException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final Map<String, String> settings;
  private final Topic<String, AlertRule> topic;
  private final Duration timeout;

  /**
   * @param settings Kafka client settings (anything else in the map is ignored)
   * @param topic the rules topic
   * @param timeout how long to wait for the cluster before giving up with a clear message
   */
  public RuleTopic(Map<String, String> settings, Topic<String, AlertRule> topic, Duration timeout) {
    this.settings = Map.copyOf(settings);
    this.topic = topic;
    this.timeout = timeout;
  }

  /** Every rule the topic holds, by id, in id order. */
  public Map<String, AlertRule> readAll() throws RuleTopicException {
    List<TopicPartition> partitions = partitions();
    Map<String, Object> config = clientConfig(ConsumerConfig.configNames());
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.remove(ConsumerConfig.GROUP_ID_CONFIG);
    Map<String, AlertRule> rules = new java.util.TreeMap<>();
    try (KafkaConsumer<String, AlertRule> consumer =
        new KafkaConsumer<>(
            config, topic.keySerde().deserializer(), topic.valueSerde().deserializer())) {
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!reached(consumer, end)) {
        if (System.nanoTime() > deadline) {
          throw new RuleTopicException(
              "timed out after " + timeout.toSeconds() + "s reading topic " + topic.name(), null);
        }
        for (ConsumerRecord<String, AlertRule> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.value() == null) {
            rules.remove(r.key());
          } else {
            rules.put(r.key(), r.value());
          }
        }
      }
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      throw unreachable(e);
    }
    return rules;
  }

  /** Publishes the plan's creations, updates and tombstones; returns how many were written. */
  public int publish(RulePlan plan) throws RuleTopicException {
    Map<String, Object> config = clientConfig(ProducerConfig.configNames());
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(
        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.max(35_000, timeout.toMillis()));
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout.toMillis());
    List<Future<?>> sent = new ArrayList<>();
    try (KafkaProducer<String, AlertRule> producer =
        new KafkaProducer<>(
            config, topic.keySerde().serializer(), topic.valueSerde().serializer())) {
      for (RulePlan.Change c : plan.writes()) {
        sent.add(producer.send(new ProducerRecord<>(topic.name(), c.id(), c.rule())));
      }
      producer.flush();
      for (Future<?> f : sent) {
        f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (ExecutionException e) {
      throw new RuleTopicException(
          "could not write to " + topic.name() + ": " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException | org.apache.kafka.common.errors.TimeoutException e) {
      throw unreachable(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RuleTopicException("interrupted while writing " + topic.name(), e);
    }
    return sent.size();
  }

  private List<TopicPartition> partitions() throws RuleTopicException {
    Map<String, Object> config = clientConfig(AdminClientConfig.configNames());
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    config.put(
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeout.toMillis(), 30_000));
    ClusterCheck.awaitReachable(config, timeout, waiting -> {});
    try (Admin admin = Admin.create(config)) {
      TopicDescription d =
          admin
              .describeTopics(List.of(topic.name()))
              .allTopicNames()
              .get(timeout.toMillis(), TimeUnit.MILLISECONDS)
              .get(topic.name());
      List<TopicPartition> out = new ArrayList<>();
      d.partitions().forEach(p -> out.add(new TopicPartition(topic.name(), p.partition())));
      return out;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        throw new RuleTopicException(
            "topic "
                + topic.name()
                + " does not exist: create the topic plan first with 'linkwatch topics apply'",
            e.getCause());
      }
      if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
        throw unreachable(e.getCause());
      }
      throw new RuleTopicException(
          "cannot describe topic " + topic.name() + ": " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw unreachable(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RuleTopicException("interrupted while reading " + topic.name(), e);
    }
  }

  private KafkaUnreachableException unreachable(Throwable cause) {
    return new KafkaUnreachableException(
        "cannot reach Kafka at "
            + settings.getOrDefault("bootstrap.servers", "?")
            + " within "
            + timeout.toSeconds()
            + "s (is the broker running? see --bootstrap-servers)",
        cause);
  }

  private static boolean reached(
      KafkaConsumer<String, AlertRule> consumer, Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (consumer.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  private Map<String, Object> clientConfig(java.util.Set<String> accepted) {
    Map<String, Object> out = new HashMap<>();
    settings.forEach(
        (k, v) -> {
          if (accepted.contains(k)) {
            out.put(k, v);
          }
        });
    return new LinkedHashMap<>(out);
  }
}
