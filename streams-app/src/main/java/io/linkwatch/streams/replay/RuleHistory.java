package io.linkwatch.streams.replay;

import io.linkwatch.avro.AlertRule;
import io.linkwatch.schemas.cli.KafkaUnreachableException;
import io.linkwatch.schemas.topic.Topic;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * Every version of every rule the compacted rules topic still holds, with the time it was
 * published: which version of each rule was in force at a given time, and which changed during a
 * range.
 *
 * <p>Compaction keeps the last record per rule id (and older ones until the cleaner passes), so
 * versions older than the last may be gone: {@link #inForceAt} then answers the oldest retained
 * version and {@link #gaps} says which rules it could not place in time.
 */
final class RuleHistory {

  /** One record of the rules topic: a version of a rule, or its deletion. */
  record Entry(String id, long time, AlertRule rule) {
    boolean deleted() {
      return rule == null;
    }
  }

  private final List<Entry> entries;

  RuleHistory(List<Entry> entries) {
    List<Entry> sorted = new ArrayList<>(entries);
    sorted.sort((a, b) -> Long.compare(a.time(), b.time()));
    this.entries = Collections.unmodifiableList(sorted);
  }

  /** Reads the whole rules topic (no group, {@code read_committed}). */
  static RuleHistory read(
      Map<String, Object> consumerSettings, Topic<String, AlertRule> topic, Duration timeout) {
    Map<String, Object> config = new HashMap<>(consumerSettings);
    config.remove(ConsumerConfig.GROUP_ID_CONFIG);
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "linkwatch-replay-rules");
    List<Entry> entries = new ArrayList<>();
    try (KafkaConsumer<String, AlertRule> consumer =
        new KafkaConsumer<>(
            config, topic.keySerde().deserializer(), topic.valueSerde().deserializer())) {
      List<PartitionInfo> infos = consumer.partitionsFor(topic.name(), timeout);
      if (infos == null || infos.isEmpty()) {
        throw new IllegalArgumentException(
            "the rules topic "
                + topic.name()
                + " does not exist: give the rules with --rules, or apply them first"
                + " ('linkwatch rules apply')");
      }
      List<TopicPartition> partitions =
          infos.stream().map(p -> new TopicPartition(topic.name(), p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new KafkaUnreachableException(
              "timed out after " + timeout.toSeconds() + "s reading " + topic.name(), null);
        }
        for (ConsumerRecord<String, AlertRule> r : consumer.poll(Duration.ofMillis(200))) {
          entries.add(new Entry(r.key(), r.timestamp(), r.value()));
        }
      }
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      throw new KafkaUnreachableException(
          "the cluster did not answer within "
              + timeout.toSeconds()
              + "s while reading "
              + topic.name(),
          e);
    }
    return new RuleHistory(entries);
  }

  List<Entry> entries() {
    return entries;
  }

  /**
   * The rules in force at {@code time}, by id: the last version published at or before it. A rule
   * whose retained versions are all later is in force only if the oldest of them is not its first
   * version (the earlier ones were compacted away): that oldest one stands in, see {@link #gaps}.
   */
  Map<String, AlertRule> inForceAt(Instant time) {
    Map<String, Entry> last = new TreeMap<>();
    Map<String, Entry> first = new TreeMap<>();
    for (Entry e : entries) {
      first.putIfAbsent(e.id(), e);
      if (e.time() <= time.toEpochMilli()) {
        last.put(e.id(), e);
      }
    }
    Map<String, AlertRule> out = new TreeMap<>();
    first.forEach(
        (id, oldest) -> {
          Entry e = last.get(id);
          if (e == null && compactedBefore(oldest)) {
            e = oldest;
          }
          if (e != null && !e.deleted()) {
            out.put(id, e.rule());
          }
        });
    return out;
  }

  /**
   * Rules in force at {@code time} whose version then is unknown: every retained version is later
   * and the oldest is not the first one.
   */
  List<String> gaps(Instant time) {
    Map<String, Entry> first = new TreeMap<>();
    entries.forEach(e -> first.putIfAbsent(e.id(), e));
    return first.values().stream()
        .filter(e -> e.time() > time.toEpochMilli() && compactedBefore(e))
        .map(Entry::id)
        .toList();
  }

  private static boolean compactedBefore(Entry oldest) {
    return oldest.deleted() || oldest.rule().getVersion() > 1;
  }

  /** The versions published in {@code (from, to)}, in time order. */
  List<Entry> changesBetween(Instant from, Instant to) {
    return entries.stream()
        .filter(e -> e.time() > from.toEpochMilli() && e.time() < to.toEpochMilli())
        .toList();
  }
}
