package io.linkwatch.sink.delivery;

import io.linkwatch.avro.Alert;
import io.linkwatch.avro.DeadLetter;
import io.linkwatch.schemas.topic.Topic;
import io.linkwatch.sink.notify.Notifier;
import io.linkwatch.sink.routing.RoutingPlan;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one delivery loop per receiver ({@link ReceiverPipeline}), each on its own thread with its
 * own consumer group {@code <groupId>.<receiver>}, and the shared dead-letter producer. The
 * notifiers are passed in: this class does not know what kind of receiver it talks to.
 *
 * <p>Reads the alerts topic; writes the sink dead-letter topic.
 */
public final class Delivery implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Delivery.class);

  private final List<ReceiverPipeline> pipelines = new ArrayList<>();
  private final List<Thread> threads = new ArrayList<>();
  private final Producer<String, DeadLetter> producer;
  private final AtomicReference<Throwable> failure = new AtomicReference<>();

  private Delivery(Producer<String, DeadLetter> producer) {
    this.producer = producer;
  }

  /**
   * Starts delivering.
   *
   * @param kafka Kafka client settings shared by the consumers and the producer (bootstrap servers,
   *     security); {@code consumer.}/{@code producer.} prefixed keys go to one of them
   * @param groupId the sink's consumer group prefix
   * @param notifiers one notifier per receiver of the plan
   * @param stateDir where delivery ledgers live, or {@code null} to keep them in memory only
   */
  public static Delivery start(
      RoutingPlan plan,
      Map<String, Object> kafka,
      Topic<String, Alert> alerts,
      Topic<String, DeadLetter> deadLetterTopic,
      String groupId,
      List<Notifier> notifiers,
      PipelineSettings settings,
      Path stateDir,
      SinkMetrics metrics,
      DeliveryObserver observer,
      FiringSource firingSource,
      Clock clock) {
    Map<String, Object> producerProps =
        clientProps(kafka, "producer.", ProducerConfig.configNames());
    producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
    producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    producerProps.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, groupId + "-deadletters");
    Producer<String, DeadLetter> producer =
        new KafkaProducer<>(
            producerProps,
            deadLetterTopic.keySerde().serializer(),
            deadLetterTopic.valueSerde().serializer());
    Delivery delivery = new Delivery(producer);
    DeadLetters deadLetters =
        new DeadLetters(producer, deadLetterTopic, alerts.name(), clock, Duration.ofMinutes(2));
    for (Notifier notifier : notifiers) {
      if (!plan.receivers().containsKey(notifier.name())) {
        throw new IllegalArgumentException(
            "notifier " + notifier.name() + " has no receiver in the routing plan");
      }
      Map<String, Object> consumerProps =
          clientProps(kafka, "consumer.", ConsumerConfig.configNames());
      consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, groupId + "." + notifier.name());
      consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      // the streams role writes alerts in transactions: an aborted one (a crashed instance) must
      // not be delivered, and its records, re-emitted by the restarted instance, must not be
      // queued twice (the ledger only knows what was delivered, not what waits)
      consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      consumerProps.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, groupId + "." + notifier.name());
      consumerProps.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
      KafkaConsumer<byte[], byte[]> consumer =
          new KafkaConsumer<>(
              consumerProps, new ByteArrayDeserializer(), new ByteArrayDeserializer());
      DeliveryLedger ledger =
          stateDir == null
              ? DeliveryLedger.inMemory(100_000)
              : DeliveryLedger.open(
                  stateDir.resolve("deliveries-" + notifier.name() + ".log"), 100_000);
      ReceiverPipeline p =
          new ReceiverPipeline(
              notifier,
              plan,
              consumer,
              alerts.name(),
              alerts.valueSerde().deserializer(),
              deadLetters,
              ledger,
              metrics,
              observer,
              settings,
              clock,
              firingSource);
      delivery.pipelines.add(p);
      Thread t = new Thread(p, "linkwatch-sink-" + notifier.name());
      t.setUncaughtExceptionHandler(
          (thread, e) -> {
            delivery.failure.compareAndSet(null, e);
            log.error("receiver {}: delivery loop stopped: {}", p.name(), e.toString(), e);
          });
      delivery.threads.add(t);
    }
    delivery.threads.forEach(Thread::start);
    log.info(
        "sink: delivering {} to {} receiver(s): {}",
        alerts.name(),
        notifiers.size(),
        plan.receivers().values());
    return delivery;
  }

  /**
   * Client settings for one kind of client: its own keys, and prefixed keys with the prefix off.
   */
  static Map<String, Object> clientProps(
      Map<String, Object> all, String prefix, java.util.Set<String> known) {
    Map<String, Object> out = new HashMap<>();
    all.forEach(
        (k, v) -> {
          if (known.contains(k)) {
            out.put(k, v);
          }
        });
    all.forEach(
        (k, v) -> {
          if (k.startsWith(prefix) && known.contains(k.substring(prefix.length()))) {
            out.put(k.substring(prefix.length()), v);
          }
        });
    return out;
  }

  /** Whether every delivery loop is running. */
  public boolean healthy() {
    return failure.get() == null && threads.stream().allMatch(Thread::isAlive);
  }

  /** The error that stopped a delivery loop, if one did. */
  public Optional<Throwable> failure() {
    return Optional.ofNullable(failure.get());
  }

  @Override
  public void close() {
    pipelines.forEach(ReceiverPipeline::close);
    for (Thread t : threads) {
      try {
        t.join(Duration.ofSeconds(30).toMillis());
        if (t.isAlive()) {
          log.warn("{} did not stop within 30s", t.getName());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    producer.close(Duration.ofSeconds(10));
  }
}
