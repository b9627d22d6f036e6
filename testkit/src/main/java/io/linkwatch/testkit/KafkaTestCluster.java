package io.linkwatch.testkit;

import io.linkwatch.schemas.serde.AvroSerdes;
import io.linkwatch.schemas.topic.Topic;
import io.linkwatch.schemas.topic.TopicPlan;
import io.linkwatch.schemas.topic.TopicPlanApplier;
import io.linkwatch.schemas.topic.Topics;
import io.linkwatch.testkit.ClusterBackend.BrokerControl;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.opentest4j.TestAbortedException;

/**
 * A real Kafka cluster for one test class, given by {@link KafkaClusterExtension}: where it is,
 * client settings for it, and helpers to create topics, produce, and await records with bounded
 * waits whose failure says what was awaited and what was seen instead.
 *
 * <p>Records are always read from the beginning of the topic with {@code read_committed}, without a
 * consumer group, so each await sees everything a user's consumer would see, and nothing that a
 * transaction aborted. Thread-safe; the clients it creates are closed with the cluster.
 */
public final class KafkaTestCluster implements AutoCloseable {

  /** How long the helpers wait when a test does not say. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

  private static final int SHOWN_RECORDS = 10;
  private static final int SHOWN_CHARS = 300;

  private final ClusterBackend backend;
  private final AtomicInteger names = new AtomicInteger();
  private volatile Admin admin;
  private volatile KafkaProducer<byte[], byte[]> producer;
  private volatile Path stateDirectory;

  KafkaTestCluster(ClusterBackend backend) {
    this.backend = backend;
  }

  // ---------------------------------------------------------------- where and how to connect

  /** {@code host:port[,...]} of the brokers. */
  public String bootstrapServers() {
    return backend.bootstrapServers();
  }

  /** Number of brokers the test can count on. */
  public int brokerCount() {
    return backend.brokerCount();
  }

  /** Settings for an admin client of this cluster. */
  public Map<String, Object> adminConfig() {
    Map<String, Object> config = new HashMap<>(backend.clientSettings());
    config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    return config;
  }

  /**
   * Settings for a producer: idempotent, {@code acks=all}, no batching delay. Serializers are the
   * caller's to add.
   */
  public Map<String, Object> producerConfig() {
    Map<String, Object> config = adminConfig();
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    return config;
  }

  /**
   * Settings for a consumer in the given group: from the earliest offset, {@code read_committed},
   * no auto-commit. Deserializers are the caller's to add.
   */
  public Map<String, Object> consumerConfig(String groupId) {
    Map<String, Object> config = adminConfig();
    config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    return config;
  }

  /**
   * Settings for a Kafka Streams application: the application id, a fresh state directory (deleted
   * with the cluster) and a short commit interval so that results show up quickly in tests.
   */
  public Map<String, Object> streamsConfig(String applicationId) {
    Map<String, Object> config = adminConfig();
    config.put("application.id", applicationId);
    config.put("state.dir", stateDirectory().resolve(applicationId).toString());
    config.put("commit.interval.ms", 100);
    return config;
  }

  /** A shared admin client, closed with the cluster. */
  public Admin admin() {
    Admin current = admin;
    if (current == null) {
      synchronized (this) {
        if (admin == null) {
          admin = Admin.create(adminConfig());
        }
        current = admin;
      }
    }
    return current;
  }

  /** A name no other call of this cluster has returned, e.g. {@code alerts-3}: isolates tests. */
  public String uniqueName(String base) {
    return base + "-" + names.incrementAndGet();
  }

  // ---------------------------------------------------------------- stopping and starting brokers

  /**
   * Ids of the cluster's brokers, running or stopped, in ascending order. Stopping and starting
   * brokers needs a cluster the test owns (the in-JVM one): with another, the test is skipped.
   */
  public List<Integer> brokerIds() {
    return brokerControl("list its brokers").brokerIds();
  }

  /** Whether the broker runs (it was not stopped, or was started again). */
  public boolean brokerRunning(int brokerId) {
    return brokerControl("look at broker " + brokerId).running(brokerId);
  }

  /**
   * Stops one broker as an orderly shutdown (SIGTERM) would: it hands its partition leadership to
   * the other replicas first, then stops. Returns once it has stopped and the others lead every
   * partition it led (where another in-sync replica exists).
   */
  public void stopBroker(int brokerId) {
    BrokerControl control = brokerControl("stop broker " + brokerId);
    control.stop(brokerId);
    awaitBrokerGone(brokerId, "the controlled shutdown of broker " + brokerId);
  }

  /**
   * Stops one broker the way the cluster sees a crash (SIGKILL): its connections drop and it stops
   * heartbeating, without handing over leadership. Returns at once: the controller notices only
   * when the broker's session expires ({@code broker.session.timeout.ms}, 9 s by default), and
   * until then the partitions it led have no reachable leader — what a test of a crash is about.
   * Use {@link #awaitBrokerGone} to wait for the new leaders.
   */
  public void killBroker(int brokerId) {
    brokerControl("kill broker " + brokerId).kill(brokerId);
  }

  /**
   * Waits until the cluster has dropped a stopped broker: the controller no longer lists it and no
   * partition names it as leader.
   */
  public void awaitBrokerGone(int brokerId, String description) {
    long deadline = System.nanoTime() + DEFAULT_TIMEOUT.toNanos();
    String state = "";
    while (true) {
      try {
        boolean listed =
            admin()
                .describeCluster()
                .nodes()
                .get(DEFAULT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .stream()
                .anyMatch(n -> n.id() == brokerId);
        List<String> led = partitionsLedBy(brokerId);
        if (!listed && led.isEmpty()) {
          return;
        }
        state =
            (listed ? "the controller still lists it" : "the controller dropped it")
                + (led.isEmpty() ? "" : "; it still leads " + led);
      } catch (ExecutionException e) {
        state = "the cluster did not answer: " + e.getCause();
      } catch (InterruptedException | TimeoutException e) {
        throw interruptedOrTimedOut("describe the cluster", e);
      }
      if (System.nanoTime() >= deadline) {
        throw new AssertionError(
            "awaited "
                + description
                + ": broker "
                + brokerId
                + " gone from the cluster, for "
                + seconds(DEFAULT_TIMEOUT)
                + "; "
                + state);
      }
      pause();
    }
  }

  /**
   * Starts a stopped broker again, on its former ports and with its data, and waits until the
   * controller lists it. Its replicas then catch up: {@link #awaitReplicasInSync} waits for that.
   */
  public void startBroker(int brokerId) {
    brokerControl("start broker " + brokerId).start(brokerId);
    long deadline = System.nanoTime() + DEFAULT_TIMEOUT.toNanos();
    while (true) {
      try {
        if (admin()
            .describeCluster()
            .nodes()
            .get(DEFAULT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
            .stream()
            .anyMatch(n -> n.id() == brokerId)) {
          return;
        }
      } catch (ExecutionException e) {
        // the cluster answers again in a moment
      } catch (InterruptedException | TimeoutException e) {
        throw interruptedOrTimedOut("describe the cluster", e);
      }
      if (System.nanoTime() >= deadline) {
        throw new AssertionError(
            "awaited broker "
                + brokerId
                + " back in the cluster after its start, for "
                + seconds(DEFAULT_TIMEOUT));
      }
      pause();
    }
  }

  /** The broker leading a partition now, or -1 when it has no leader. */
  public int leaderOf(String topic, int partition) {
    TopicDescription d = describe(List.of(topic)).get(topic);
    return d.partitions().stream()
        .filter(p -> p.partition() == partition)
        .findFirst()
        .map(p -> p.leader() == null || p.leader().isEmpty() ? -1 : p.leader().id())
        .orElseThrow(
            () ->
                new IllegalArgumentException("topic " + topic + " has no partition " + partition));
  }

  /**
   * Waits until every replica of every partition of the topics is in sync (ISR = replicas), e.g.
   * until a restarted broker has caught up. Fails naming the partitions still behind.
   */
  public void awaitReplicasInSync(Collection<String> topicNames, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<String> behind = List.of();
    while (true) {
      behind =
          describe(topicNames).values().stream()
              .flatMap(
                  d ->
                      d.partitions().stream()
                          .filter(p -> p.isr().size() < p.replicas().size())
                          .map(
                              p ->
                                  d.name()
                                      + "-"
                                      + p.partition()
                                      + " (replicas "
                                      + p.replicas().stream().map(n -> n.id()).toList()
                                      + ", in sync "
                                      + p.isr().stream().map(n -> n.id()).toList()
                                      + ")"))
              .toList();
      if (behind.isEmpty()) {
        return;
      }
      if (System.nanoTime() >= deadline) {
        throw new AssertionError(
            "awaited every replica in sync for "
                + seconds(timeout)
                + "; behind: "
                + String.join(", ", behind));
      }
      pause();
    }
  }

  private List<String> partitionsLedBy(int brokerId) throws InterruptedException {
    try {
      Set<String> names =
          admin()
              .listTopics(new ListTopicsOptions().listInternal(true))
              .names()
              .get(DEFAULT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      return admin()
          .describeTopics(names)
          .allTopicNames()
          .get(DEFAULT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
          .values()
          .stream()
          .flatMap(
              d ->
                  d.partitions().stream()
                      .filter(p -> p.leader() != null && p.leader().id() == brokerId)
                      .map(p -> d.name() + "-" + p.partition()))
          .sorted()
          .toList();
    } catch (ExecutionException | TimeoutException e) {
      return List.of("(unknown: " + e + ")");
    }
  }

  private Map<String, TopicDescription> describe(Collection<String> topicNames) {
    try {
      return admin()
          .describeTopics(topicNames)
          .allTopicNames()
          .get(DEFAULT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot describe topics " + topicNames, e.getCause());
    } catch (InterruptedException | TimeoutException e) {
      throw interruptedOrTimedOut("describe topics " + topicNames, e);
    }
  }

  private BrokerControl brokerControl(String what) {
    return backend
        .brokerControl()
        .orElseThrow(
            () ->
                new TestAbortedException(
                    "cannot "
                        + what
                        + " of the "
                        + backend.description()
                        + ": only the in-JVM cluster's brokers can be stopped and started by a"
                        + " test"));
  }

  // ---------------------------------------------------------------- topics

  /** Creates topics of one partition each (existing ones are left as they are). */
  public void createTopics(String... topicNames) {
    for (String name : topicNames) {
      createTopic(name, 1);
    }
  }

  /**
   * Creates a topic with the cluster's default replication factor, unless it exists, and waits
   * until every partition has a leader.
   */
  public void createTopic(String name, int partitions) {
    try {
      admin()
          .createTopics(List.of(new NewTopic(name, Optional.of(partitions), Optional.empty())))
          .all()
          .get(DEFAULT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new IllegalStateException("cannot create topic " + name + ": " + e.getCause(), e);
      }
    } catch (InterruptedException | TimeoutException e) {
      throw interruptedOrTimedOut("create topic " + name, e);
    }
    awaitLeaders(List.of(name));
  }

  /**
   * Makes the cluster match a topic plan ({@code linkwatch topics apply} does the same) and waits
   * until every partition has a leader.
   *
   * @return what was created or changed, per topic
   */
  public List<TopicPlanApplier.Change> createTopics(TopicPlan plan) {
    List<TopicPlanApplier.Change> changes =
        new TopicPlanApplier(admin(), DEFAULT_TIMEOUT).apply(plan);
    awaitLeaders(plan.topics().stream().map(TopicPlan.TopicSpec::name).distinct().toList());
    return changes;
  }

  /**
   * Creates every linkwatch topic with its default name (3 partitions, replicated on up to 3
   * brokers) and returns them typed, with the embedded serdes (Avro single-object encoding). Topics
   * of one class are shared by its tests: use {@link #createLinkwatchTopics(String)} to isolate a
   * test.
   */
  public Topics createLinkwatchTopics() {
    return createLinkwatchTopics("");
  }

  /** Like {@link #createLinkwatchTopics()}, with every name prefixed, e.g. {@code "t1."}. */
  public Topics createLinkwatchTopics(String namePrefix) {
    TopicPlan plan =
        TopicPlan.builder()
            .namePrefix(namePrefix)
            .partitions(3)
            .replicationFactor((short) Math.min(3, brokerCount()))
            .build();
    createTopics(plan);
    return Topics.create(plan.names(), AvroSerdes.singleObject());
  }

  private void awaitLeaders(List<String> topicNames) {
    long deadline = System.nanoTime() + DEFAULT_TIMEOUT.toNanos();
    String missing = topicNames.toString();
    while (System.nanoTime() < deadline) {
      try {
        Map<String, TopicDescription> descriptions =
            admin()
                .describeTopics(topicNames)
                .allTopicNames()
                .get(DEFAULT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        List<String> leaderless =
            descriptions.values().stream()
                .flatMap(
                    d ->
                        d.partitions().stream()
                            .filter(p -> p.leader() == null || p.leader().isEmpty())
                            .map(p -> d.name() + "-" + p.partition()))
                .toList();
        if (leaderless.isEmpty()) {
          return;
        }
        missing = "partitions without a leader: " + leaderless;
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
          throw new IllegalStateException("cannot describe topics " + topicNames, e.getCause());
        }
        missing = "topics not yet known to the broker: " + topicNames;
      } catch (InterruptedException | TimeoutException e) {
        throw interruptedOrTimedOut("describe topics " + topicNames, e);
      }
      pause();
    }
    throw new AssertionError(
        "topics " + topicNames + " not ready within " + seconds(DEFAULT_TIMEOUT) + "; " + missing);
  }

  // ---------------------------------------------------------------- producing

  /** Writes one record through the topic's serdes and waits for the broker's acknowledgement. */
  public <K, V> RecordMetadata produce(Topic<K, V> topic, K key, V value) {
    return produce(topic, new ProducerRecord<>(topic.name(), key, value));
  }

  /**
   * Writes one record (with its own partition, timestamp or headers) through the topic's serdes and
   * waits for the acknowledgement.
   */
  public <K, V> RecordMetadata produce(Topic<K, V> topic, ProducerRecord<K, V> record) {
    return await(send(topic, record), "produce to " + topic.name());
  }

  /** Writes records in order, then waits for all of them to be acknowledged. */
  public <K, V> List<RecordMetadata> produceAll(
      Topic<K, V> topic, Collection<? extends Map.Entry<K, V>> records) {
    List<Future<RecordMetadata>> sent = new ArrayList<>(records.size());
    for (Map.Entry<K, V> r : records) {
      sent.add(send(topic, new ProducerRecord<>(topic.name(), r.getKey(), r.getValue())));
    }
    List<RecordMetadata> acks = new ArrayList<>(sent.size());
    for (Future<RecordMetadata> f : sent) {
      acks.add(await(f, "produce " + records.size() + " records to " + topic.name()));
    }
    return acks;
  }

  /** Writes raw bytes (e.g. Azure JSON for an ingest source) and waits for the acknowledgement. */
  public RecordMetadata produce(String topic, byte[] key, byte[] value) {
    return await(producer().send(new ProducerRecord<>(topic, key, value)), "produce to " + topic);
  }

  private <K, V> Future<RecordMetadata> send(Topic<K, V> topic, ProducerRecord<K, V> record) {
    if (!record.topic().equals(topic.name())) {
      throw new IllegalArgumentException(
          "record for topic " + record.topic() + " produced through topic " + topic.name());
    }
    Headers headers = new RecordHeaders(record.headers().toArray());
    byte[] key = topic.keySerde().serializer().serialize(topic.name(), headers, record.key());
    byte[] value = topic.valueSerde().serializer().serialize(topic.name(), headers, record.value());
    return producer()
        .send(
            new ProducerRecord<>(
                topic.name(), record.partition(), record.timestamp(), key, value, headers));
  }

  private KafkaProducer<byte[], byte[]> producer() {
    KafkaProducer<byte[], byte[]> current = producer;
    if (current == null) {
      synchronized (this) {
        if (producer == null) {
          producer =
              new KafkaProducer<>(
                  producerConfig(), new ByteArraySerializer(), new ByteArraySerializer());
        }
        current = producer;
      }
    }
    return current;
  }

  // ---------------------------------------------------------------- awaiting records

  /**
   * Waits until the topic holds at least {@code count} records and returns them all (decoded with
   * the topic's serdes, in partition then offset order). Fails naming the topic, the count and what
   * was there when the time ran out.
   */
  public <K, V> List<ConsumerRecord<K, V>> awaitRecords(
      Topic<K, V> topic, int count, Duration timeout) {
    return awaitRecords(
        topic, records -> records.size() >= count, "at least " + count + " records", timeout);
  }

  /**
   * Waits until the records of the topic satisfy a condition, and returns them all.
   *
   * @param done tested against every record read so far, each time more arrive
   * @param description what is awaited, for the failure message, e.g. {@code "a FIRED alert for
   *     rule r1"}
   */
  public <K, V> List<ConsumerRecord<K, V>> awaitRecords(
      Topic<K, V> topic,
      Predicate<? super List<ConsumerRecord<K, V>>> done,
      String description,
      Duration timeout) {
    return read(
        topic.name(),
        topic.keySerde().deserializer(),
        topic.valueSerde().deserializer(),
        done,
        description,
        timeout,
        false);
  }

  /** Waits for the first record that matches, and returns it. */
  public <K, V> ConsumerRecord<K, V> awaitRecord(
      Topic<K, V> topic,
      Predicate<? super ConsumerRecord<K, V>> match,
      String description,
      Duration timeout) {
    List<ConsumerRecord<K, V>> records =
        awaitRecords(topic, rs -> rs.stream().anyMatch(match), description, timeout);
    return records.stream().filter(match).findFirst().orElseThrow();
  }

  /** Waits until a topic holds at least {@code count} records, read as raw bytes. */
  public List<ConsumerRecord<byte[], byte[]>> awaitRecords(
      String topic, int count, Duration timeout) {
    return read(
        topic,
        new ByteArrayDeserializer(),
        new ByteArrayDeserializer(),
        records -> records.size() >= count,
        "at least " + count + " records",
        timeout,
        false);
  }

  /**
   * Everything the topic holds now (up to the end offsets at the time of the call): to assert that
   * nothing more than expected arrived, e.g. no duplicate after awaiting the expected records.
   */
  public <K, V> List<ConsumerRecord<K, V>> readAll(Topic<K, V> topic) {
    return read(
        topic.name(),
        topic.keySerde().deserializer(),
        topic.valueSerde().deserializer(),
        records -> true,
        "every record up to the end of the topic",
        DEFAULT_TIMEOUT,
        true);
  }

  private <K, V> List<ConsumerRecord<K, V>> read(
      String topic,
      Deserializer<K> keys,
      Deserializer<V> values,
      Predicate<? super List<ConsumerRecord<K, V>>> done,
      String description,
      Duration timeout,
      boolean toEnd) {
    Map<String, Object> config = adminConfig();
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    long deadline = System.nanoTime() + timeout.toNanos();
    List<ConsumerRecord<K, V>> records = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = awaitPartitions(consumer, topic, deadline, description);
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = toEnd ? consumer.endOffsets(partitions) : Map.of();
      while (true) {
        for (ConsumerRecord<byte[], byte[]> raw : consumer.poll(Duration.ofMillis(100))) {
          records.add(decode(raw, keys, values));
        }
        records.sort(BY_POSITION);
        if (toEnd ? reached(consumer, end) : done.test(records)) {
          return records;
        }
        if (System.nanoTime() >= deadline) {
          throw new AssertionError(
              "awaited "
                  + description
                  + " on topic "
                  + topic
                  + " for "
                  + seconds(timeout)
                  + "; saw "
                  + describe(records));
        }
      }
    }
  }

  private static final Comparator<ConsumerRecord<?, ?>> BY_POSITION =
      Comparator.<ConsumerRecord<?, ?>>comparingInt(ConsumerRecord::partition)
          .thenComparingLong(ConsumerRecord::offset);

  private static boolean reached(
      KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
    return end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
  }

  private List<TopicPartition> awaitPartitions(
      KafkaConsumer<byte[], byte[]> consumer, String topic, long deadline, String description) {
    while (true) {
      List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
      if (infos != null && !infos.isEmpty()) {
        return infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
      }
      if (System.nanoTime() >= deadline) {
        Set<String> existing = consumer.listTopics(Duration.ofSeconds(5)).keySet();
        throw new AssertionError(
            "awaited "
                + description
                + " on topic "
                + topic
                + ", but the topic does not exist; topics: "
                + existing.stream().sorted().toList());
      }
      pause();
    }
  }

  private static <K, V> ConsumerRecord<K, V> decode(
      ConsumerRecord<byte[], byte[]> raw, Deserializer<K> keys, Deserializer<V> values) {
    K key;
    V value;
    try {
      key = keys.deserialize(raw.topic(), raw.headers(), raw.key());
      value = values.deserialize(raw.topic(), raw.headers(), raw.value());
    } catch (RuntimeException e) {
      throw new AssertionError(
          "record "
              + raw.topic()
              + "-"
              + raw.partition()
              + "@"
              + raw.offset()
              + " cannot be decoded with the topic's serdes: "
              + e.getMessage(),
          e);
    }
    return new ConsumerRecord<>(
        raw.topic(),
        raw.partition(),
        raw.offset(),
        raw.timestamp(),
        raw.timestampType(),
        raw.serializedKeySize(),
        raw.serializedValueSize(),
        key,
        value,
        raw.headers(),
        raw.leaderEpoch());
  }

  /** "3 records: p0@0 key=... value=...; ..." (at most the last ten, each cut short). */
  static String describe(List<? extends ConsumerRecord<?, ?>> records) {
    if (records.isEmpty()) {
      return "no records";
    }
    StringBuilder s = new StringBuilder();
    s.append(records.size()).append(records.size() == 1 ? " record" : " records");
    int from = Math.max(0, records.size() - SHOWN_RECORDS);
    if (from > 0) {
      s.append(" (the last ").append(SHOWN_RECORDS).append(')');
    }
    s.append(':');
    for (ConsumerRecord<?, ?> r : records.subList(from, records.size())) {
      s.append("\n  p")
          .append(r.partition())
          .append('@')
          .append(r.offset())
          .append(" key=")
          .append(shorten(r.key()))
          .append(" value=")
          .append(shorten(r.value()));
    }
    return s.toString();
  }

  private static String shorten(Object o) {
    String s;
    if (o instanceof byte[] bytes) {
      s = new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
    } else {
      s = String.valueOf(o);
    }
    return s.length() <= SHOWN_CHARS ? s : s.substring(0, SHOWN_CHARS) + "...";
  }

  // ---------------------------------------------------------------- lifecycle

  private Path stateDirectory() {
    if (stateDirectory == null) {
      synchronized (this) {
        if (stateDirectory == null) {
          try {
            stateDirectory = Files.createTempDirectory("linkwatch-streams-");
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      }
    }
    return stateDirectory;
  }

  /** Closes the clients and stops the cluster (the extension does it after the test class). */
  @Override
  public void close() throws Exception {
    Exception failure = null;
    for (AutoCloseable c : new AutoCloseable[] {producer, admin, backend}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    deleteRecursively(stateDirectory);
    if (failure != null) {
      throw failure;
    }
  }

  private static void deleteRecursively(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary directory left behind is not worth failing a test run over
    }
  }

  @Override
  public String toString() {
    return backend.description() + " at " + bootstrapServers();
  }

  // ---------------------------------------------------------------- small helpers

  private static <T> T await(Future<T> future, String what) {
    try {
      return future.get(DEFAULT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot " + what + ": " + e.getCause(), e.getCause());
    } catch (InterruptedException | TimeoutException e) {
      throw interruptedOrTimedOut(what, e);
    }
  }

  private static RuntimeException interruptedOrTimedOut(String what, Exception e) {
    if (e instanceof InterruptedException) {
      Thread.currentThread().interrupt();
      return new IllegalStateException("interrupted while trying to " + what, e);
    }
    return new IllegalStateException(
        "timed out after " + seconds(DEFAULT_TIMEOUT) + " trying to " + what, e);
  }

  private static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }

  private static void pause() {
    try {
      Thread.sleep(50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
