package io.linkwatch.sink.dashboard;

import io.linkwatch.avro.Alert;
import io.linkwatch.avro.WindowedAggregate;
import io.linkwatch.sink.delivery.Seek;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the {@link Board} from the alerts and aggregates topics. Reads every partition without a
 * consumer group (each sink instance shows the whole picture), starting {@code alertHistory} back
 * on the alerts topic (so alerts that fired before the sink started are shown, and re-posted to
 * Alertmanager) and {@code chartHistory} back on the aggregates topic. Records it cannot decode are
 * counted and skipped: the delivery pipelines dead-letter them.
 */
public final class BoardFeed implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(BoardFeed.class);
  private static final Duration DISCOVERY_EVERY = Duration.ofSeconds(30);

  private final Board board;
  private final Consumer<byte[], byte[]> consumer;
  private final String alertsTopic;
  private final String aggregatesTopic;
  private final Deserializer<Alert> alerts;
  private final Deserializer<WindowedAggregate> aggregates;
  private final Duration alertHistory;
  private final Duration chartHistory;
  private final Clock clock;
  private final Set<TopicPartition> assigned = new HashSet<>();
  private Map<TopicPartition, Long> catchUpTo;
  private volatile boolean closing;
  private long nextDiscovery;
  private long undecodable;

  public BoardFeed(
      Board board,
      Consumer<byte[], byte[]> consumer,
      String alertsTopic,
      Deserializer<Alert> alerts,
      String aggregatesTopic,
      Deserializer<WindowedAggregate> aggregates,
      Duration alertHistory,
      Duration chartHistory,
      Clock clock) {
    this.board = board;
    this.consumer = consumer;
    this.alertsTopic = alertsTopic;
    this.alerts = alerts;
    this.aggregatesTopic = aggregatesTopic;
    this.aggregates = aggregates;
    this.alertHistory = alertHistory;
    this.chartHistory = chartHistory;
    this.clock = clock;
  }

  @Override
  public void run() {
    try {
      while (!closing) {
        if (clock.millis() >= nextDiscovery) {
          discover();
          nextDiscovery = clock.millis() + DISCOVERY_EVERY.toMillis();
        }
        if (assigned.isEmpty()) {
          board.feedPolled();
          waitFor(Duration.ofMillis(500));
          continue;
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          handle(r);
        }
        board.feedPolled();
        checkCaughtUp();
      }
    } catch (WakeupException e) {
      if (!closing) {
        throw e;
      }
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  public void close() {
    closing = true;
    consumer.wakeup();
  }

  private void handle(ConsumerRecord<byte[], byte[]> r) {
    try {
      if (r.topic().equals(alertsTopic)) {
        Alert a = alerts.deserialize(r.topic(), r.value());
        if (a != null) {
          board.onAlert(a, r.topic() + "/" + r.partition() + "@" + r.offset());
        }
      } else {
        WindowedAggregate w = aggregates.deserialize(r.topic(), r.value());
        if (w != null) {
          board.onAggregate(w);
        }
      }
    } catch (RuntimeException e) {
      if (undecodable++ % 1000 == 0) {
        log.warn(
            "dashboard: cannot decode {}/{}@{} ({} such records so far): {}",
            r.topic(),
            r.partition(),
            r.offset(),
            undecodable,
            e.getMessage());
      }
    }
  }

  private void discover() {
    List<TopicPartition> fresh = new ArrayList<>();
    Map<TopicPartition, Long> seekTimes = new HashMap<>();
    for (String topic : List.of(alertsTopic, aggregatesTopic)) {
      List<PartitionInfo> infos;
      try {
        infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
      } catch (org.apache.kafka.common.errors.TimeoutException e) {
        log.warn(
            "dashboard: cannot list the partitions of {} yet ({}); retrying",
            topic,
            e.getMessage());
        continue;
      }
      if (infos == null || infos.isEmpty()) {
        if (assigned.stream().noneMatch(tp -> tp.topic().equals(topic))) {
          log.info(
              "dashboard: topic {} does not exist yet; looking again in {}s",
              topic,
              DISCOVERY_EVERY.toSeconds());
        }
        continue;
      }
      long from =
          clock.millis() - (topic.equals(alertsTopic) ? alertHistory : chartHistory).toMillis();
      for (PartitionInfo p : infos) {
        TopicPartition tp = new TopicPartition(topic, p.partition());
        if (!assigned.contains(tp)) {
          fresh.add(tp);
          seekTimes.put(tp, from);
        }
      }
    }
    if (fresh.isEmpty()) {
      if (catchUpTo == null && assigned.stream().anyMatch(tp -> tp.topic().equals(alertsTopic))) {
        checkCaughtUp();
      }
      return;
    }
    assigned.addAll(fresh);
    consumer.assign(assigned);
    Seek.toTimestamps(consumer, seekTimes);
    if (catchUpTo == null) {
      List<TopicPartition> alertParts =
          assigned.stream().filter(tp -> tp.topic().equals(alertsTopic)).toList();
      if (!alertParts.isEmpty()) {
        catchUpTo = new HashMap<>(consumer.endOffsets(alertParts));
        log.info(
            "dashboard: reading {} partitions of {} from {} back",
            alertParts.size(),
            alertsTopic,
            alertHistory);
      }
    }
  }

  private void checkCaughtUp() {
    if (board.caughtUp() || catchUpTo == null) {
      return;
    }
    for (Map.Entry<TopicPartition, Long> e : catchUpTo.entrySet()) {
      if (consumer.position(e.getKey()) < e.getValue()) {
        return;
      }
    }
    board.markCaughtUp();
  }

  private void waitFor(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closing = true;
    }
  }
}
