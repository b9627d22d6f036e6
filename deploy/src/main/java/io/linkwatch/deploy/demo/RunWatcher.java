package io.linkwatch.deploy.demo;

import io.linkwatch.avro.Alert;
import io.linkwatch.avro.AlertTransition;
import io.linkwatch.avro.DeadLetter;
import io.linkwatch.avro.DeadLetterStage;
import io.linkwatch.avro.Incident;
import io.linkwatch.avro.IncidentKind;
import io.linkwatch.avro.MonitorCondition;
import io.linkwatch.schemas.topic.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads what this run of the demo produced — incidents, alert transitions and dead letters, from
 * the offsets the topics had when the run started — for the progress line and the summary. A reader
 * of the topics like any other (read_committed, no consumer group): the summary reports what is on
 * the topics, not what the pipeline believes it wrote.
 */
final class RunWatcher implements Runnable, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RunWatcher.class);

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Topics topics;
  private final Deserializer<Incident> incidents;
  private final Deserializer<Alert> alerts;
  private final Deserializer<DeadLetter> deadLetters;
  private final Map<String, Incident> incidentsById = new LinkedHashMap<>();
  private final List<Alert> transitions = new ArrayList<>();
  private final Map<String, Alert> lastByFingerprint = new HashMap<>();
  private final AtomicLong ingestDeadLetters = new AtomicLong();
  private final AtomicLong pipelineDeadLetters = new AtomicLong();
  private volatile long lastActivityNanos = System.nanoTime();
  private volatile boolean stopping;
  private volatile Throwable failure;

  /**
   * @param consumerSettings bootstrap servers and security
   * @param start where each partition of the watched topics stood when the run began
   */
  RunWatcher(Map<String, Object> consumerSettings, Topics topics, Map<TopicPartition, Long> start) {
    Map<String, Object> config = new HashMap<>(consumerSettings);
    config.remove(ConsumerConfig.GROUP_ID_CONFIG);
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(
        ConsumerConfig.ISOLATION_LEVEL_CONFIG,
        IsolationLevel.READ_COMMITTED.toString().toLowerCase(java.util.Locale.ROOT));
    config.put(ConsumerConfig.CLIENT_ID_CONFIG, "linkwatch-demo-watcher");
    this.consumer =
        new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.topics = topics;
    this.incidents = topics.incidents().valueSerde().deserializer();
    this.alerts = topics.alerts().valueSerde().deserializer();
    this.deadLetters = topics.ingestDeadLetter().valueSerde().deserializer();
    consumer.assign(start.keySet());
    start.forEach(consumer::seek);
  }

  /** The topics whose partitions the watcher reads. */
  static List<String> watched(Topics topics) {
    return List.of(
        topics.incidents().name(),
        topics.alerts().name(),
        topics.ingestDeadLetter().name(),
        topics.sinkDeadLetter().name());
  }

  @Override
  public void run() {
    try {
      while (!stopping) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(250))) {
          handle(r);
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      failure = e;
      LOG.warn("the demo stopped reading its results: {}", e.toString());
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  private void handle(ConsumerRecord<byte[], byte[]> r) {
    if (r.value() == null) {
      return;
    }
    String topic = r.topic();
    if (topic.equals(topics.incidents().name())) {
      Incident i = incidents.deserialize(topic, r.headers(), r.value());
      synchronized (this) {
        incidentsById.put(i.getIncidentId(), i);
      }
      lastActivityNanos = System.nanoTime();
    } else if (topic.equals(topics.alerts().name())) {
      Alert a = alerts.deserialize(topic, r.headers(), r.value());
      synchronized (this) {
        transitions.add(a);
        lastByFingerprint.put(a.getFingerprint(), a);
      }
      lastActivityNanos = System.nanoTime();
    } else if (topic.equals(topics.ingestDeadLetter().name())) {
      // the streams role writes its dead letters there too, as stage STREAMS
      DeadLetter d = deadLetters.deserialize(topic, r.headers(), r.value());
      (d.getStage() == DeadLetterStage.INGEST ? ingestDeadLetters : pipelineDeadLetters)
          .incrementAndGet();
    } else {
      pipelineDeadLetters.incrementAndGet();
    }
  }

  /** Incidents of this run (last revision of each), by kind. */
  synchronized Map<IncidentKind, Long> incidentsByKind() {
    Map<IncidentKind, Long> byKind = new EnumMap<>(IncidentKind.class);
    incidentsById.values().forEach(i -> byKind.merge(i.getKind(), 1L, Long::sum));
    return byKind;
  }

  synchronized List<Incident> incidents() {
    return List.copyOf(incidentsById.values());
  }

  synchronized long incidentCount() {
    return incidentsById.size();
  }

  /** Every alert transition of this run, in topic order. */
  synchronized List<Alert> transitions() {
    return List.copyOf(transitions);
  }

  /**
   * Firing episodes (alert ids) that started in this run: paged ({@code FIRED}) or explained by a
   * wider alert from the start ({@code INHIBITED}).
   */
  synchronized long fired() {
    return episodes(AlertTransition.FIRED) + inhibited();
  }

  /** Episodes that began inhibited. */
  synchronized long inhibited() {
    return transitions.stream()
        .filter(a -> a.getTransition() == AlertTransition.INHIBITED && a.getSequence() <= 1)
        .map(Alert::getAlertId)
        .distinct()
        .count();
  }

  private long episodes(AlertTransition t) {
    return transitions.stream()
        .filter(a -> a.getTransition() == t)
        .map(Alert::getAlertId)
        .distinct()
        .count();
  }

  synchronized long revised() {
    return transitions.stream().filter(a -> a.getTransition() == AlertTransition.REVISED).count();
  }

  /** Firing episodes that resolved (a resolution revised by late data counts once). */
  synchronized long resolved() {
    return episodes(AlertTransition.RESOLVED);
  }

  /** Alerts whose last transition leaves them fired. */
  synchronized long firing() {
    return lastByFingerprint.values().stream()
        .filter(a -> a.getMonitorCondition() == MonitorCondition.FIRED)
        .count();
  }

  synchronized List<Alert> stillFiring() {
    return lastByFingerprint.values().stream()
        .filter(a -> a.getMonitorCondition() == MonitorCondition.FIRED)
        .toList();
  }

  long ingestDeadLetters() {
    return ingestDeadLetters.get();
  }

  long pipelineDeadLetters() {
    return pipelineDeadLetters.get();
  }

  /** Wall-clock nanos of the last incident or alert read. */
  long lastActivityNanos() {
    return lastActivityNanos;
  }

  Throwable failure() {
    return failure;
  }

  @Override
  public void close() {
    stopping = true;
    consumer.wakeup();
  }
}
