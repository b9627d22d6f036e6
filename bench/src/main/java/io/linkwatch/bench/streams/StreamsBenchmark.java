package io.linkwatch.bench.streams;

import io.linkwatch.avro.AgentEvent;
import io.linkwatch.avro.ConnectionEvent;
import io.linkwatch.avro.DeadLetter;
import io.linkwatch.avro.ProvisioningEvent;
import io.linkwatch.bench.support.BenchFleet;
import io.linkwatch.deploy.broker.EmbeddedKafkaBroker;
import io.linkwatch.ingest.parse.AgentLogParser;
import io.linkwatch.ingest.parse.AzureLogParser;
import io.linkwatch.ingest.parse.ParseOutput;
import io.linkwatch.ingest.sim.SimOptions;
import io.linkwatch.ingest.sim.Simulation;
import io.linkwatch.schemas.serde.AvroSerdes;
import io.linkwatch.schemas.topic.Topics;
import io.linkwatch.streams.LinkwatchTopology;
import io.linkwatch.streams.app.BoundedMemoryRocksDbConfig;
import io.linkwatch.streams.config.StreamsSettings;
import io.linkwatch.streams.metrics.PipelineMetrics;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.tools.ConsumerPerformance;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The streams role's throughput next to Kafka's own {@code ConsumerPerformance} and next to the
 * plain-DSL job a user would write instead (a 5-minute window advancing by 1 minute, {@code
 * count()}, a filter, exactly once), on the same embedded broker and the same pre-loaded event
 * topics, in one run. The events are the ingest module's simulated fleet, parsed by the ingest
 * parsers: the real mix of renewals, errors, DPS and agent records.
 *
 * <pre>
 * ./mvnw -q -B -pl bench -am package -DskipTests dependency:build-classpath \
 *     -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime \
 *   &amp;&amp; java -Xmx2g -cp bench/target/classes:$(cat bench/target/classpath.txt) \
 *     io.linkwatch.bench.streams.StreamsBenchmark --devices 10000 --hours 2
 * </pre>
 */
@Command(
    name = "streams-benchmark",
    mixinStandardHelpOptions = true,
    description =
        "Full linkwatch topology from pre-loaded topics vs ConsumerPerformance vs a plain-DSL"
            + " windowed count, same broker, same data, exactly once")
public final class StreamsBenchmark implements Callable<Integer> {

  @Option(names = "--devices", description = "Simulated devices (default: ${DEFAULT-VALUE}).")
  int devices = 20_000;

  @Option(names = "--hours", description = "Simulated hours (default: ${DEFAULT-VALUE}).")
  int hours = 3;

  @Option(names = "--partitions", description = "Partitions per topic (default: ${DEFAULT-VALUE}).")
  int partitions = 6;

  @Option(
      names = "--threads",
      description = "Stream threads of both Streams jobs (default: ${DEFAULT-VALUE}).")
  int threads = 2;

  @Option(names = "--work-dir", description = "Scratch folder (default: ${DEFAULT-VALUE}).")
  Path workDir = Path.of("target", "streams-bench");

  public static void main(String[] args) {
    System.exit(new CommandLine(new StreamsBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Files.createDirectories(workDir);
    Topics topics = Topics.withDefaultNames(AvroSerdes.singleObject());
    List<Object[]> events = simulate();
    System.out.printf(
        Locale.ROOT, "simulated %,d devices x %d h: %,d events%n", devices, hours, events.size());

    Path data = workDir.resolve("broker");
    deleteRecursively(data);
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().port(0).dataDir(data).start()) {
      String servers = broker.bootstrapServers();
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", servers))) {
        List<NewTopic> plan = new ArrayList<>();
        for (String t :
            List.of(
                topics.connections().name(),
                topics.provisioning().name(),
                topics.agent().name(),
                topics.incidents().name(),
                topics.aggregates().name(),
                topics.alerts().name(),
                topics.alertRules().name(),
                topics.ingestDeadLetter().name(),
                "plain-dsl-counts")) {
          plan.add(new NewTopic(t, partitions, (short) 1));
        }
        admin.createTopics(plan).all().get();
        long loaded = load(servers, topics, events);
        System.out.printf(Locale.ROOT, "pre-loaded %,d events into the event topics%n", loaded);
        long connections = endOffsets(admin, topics.connections().name());

        double consumerPerf = consumerPerformance(servers, loaded);
        System.out.printf(Locale.ROOT, "ConsumerPerformance: %,.0f records/s%n", consumerPerf);

        double plain =
            runUntilCaughtUp(
                admin,
                plainDsl(topics),
                "plain-dsl",
                servers,
                List.of(topics.connections().name()),
                connections);
        System.out.printf(Locale.ROOT, "plain DSL windowed count (EOS): %,.0f records/s%n", plain);

        double full =
            runUntilCaughtUp(
                admin,
                LinkwatchTopology.build(
                    StreamsSettings.defaults(), topics, PipelineMetrics.detached()),
                "linkwatch-bench",
                servers,
                List.of(
                    topics.connections().name(),
                    topics.provisioning().name(),
                    topics.agent().name()),
                loaded);
        System.out.printf(Locale.ROOT, "linkwatch topology (EOS): %,.0f records/s%n", full);

        System.out.printf(
            Locale.ROOT,
            "%nresult: linkwatch %,.0f records/s = %.1f %% of ConsumerPerformance (%,.0f/s), %.1fx the"
                + " plain-DSL job (%,.0f/s); %d partitions, %d stream threads, exactly_once_v2%n",
            full,
            100 * full / consumerPerf,
            consumerPerf,
            full / plain,
            plain,
            partitions,
            threads);
      }
    }
    return 0;
  }

  private List<Object[]> simulate() {
    List<Object[]> events = new ArrayList<>();
    ParseOutput sink =
        new ParseOutput() {
          @Override
          public void connection(String key, ConnectionEvent e) {
            events.add(new Object[] {"c", key, e, e.getTime().toEpochMilli()});
          }

          @Override
          public void provisioning(String key, ProvisioningEvent e) {
            events.add(new Object[] {"p", key, e, e.getTime().toEpochMilli()});
          }

          @Override
          public void agent(String key, AgentEvent e) {
            events.add(new Object[] {"a", key, e, e.getTime().toEpochMilli()});
          }

          @Override
          public void deadLetter(String key, DeadLetter d) {}
        };
    Instant start =
        Instant.now().minus(Duration.ofHours(hours + 1)).truncatedTo(ChronoUnit.MINUTES);
    SimOptions options = BenchFleet.options(start, hours, devices);
    Simulation.toEvents(
        options,
        new AzureLogParser(1 << 20, 1 << 16, System::currentTimeMillis),
        new AgentLogParser(1 << 16, 1 << 16, System::currentTimeMillis),
        sink,
        null,
        null,
        0,
        0);
    return events;
  }

  @SuppressWarnings("unchecked")
  private long load(String servers, Topics topics, List<Object[]> events) throws Exception {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    Serializer<ConnectionEvent> c = topics.connections().valueSerde().serializer();
    Serializer<ProvisioningEvent> pv = topics.provisioning().valueSerde().serializer();
    Serializer<AgentEvent> ag = topics.agent().valueSerde().serializer();
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
      for (Object[] e : events) {
        String kind = (String) e[0];
        String topic;
        byte[] value;
        if (kind.equals("c")) {
          topic = topics.connections().name();
          value = c.serialize(topic, (ConnectionEvent) e[2]);
        } else if (kind.equals("p")) {
          topic = topics.provisioning().name();
          value = pv.serialize(topic, (ProvisioningEvent) e[2]);
        } else {
          topic = topics.agent().name();
          value = ag.serialize(topic, (AgentEvent) e[2]);
        }
        producer.send(new ProducerRecord<>(topic, null, (Long) e[3], (String) e[1], value));
      }
      producer.flush();
    }
    return events.size();
  }

  /** The job a user would write: per-device hopping count of connection records, filtered. */
  private Topology plainDsl(Topics topics) {
    StreamsBuilder b = new StreamsBuilder();
    b.stream(
            topics.connections().name(),
            Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("plain-source"))
        .groupByKey(Grouped.<String, byte[]>as("plain-group").withKeySerde(Serdes.String()))
        .windowedBy(
            TimeWindows.ofSizeAndGrace(Duration.ofMinutes(5), Duration.ofMinutes(2))
                .advanceBy(Duration.ofMinutes(1)))
        .count(
            Materialized.<String, Long, WindowStore<Bytes, byte[]>>as("plain-counts")
                .withKeySerde(Serdes.String())
                .withValueSerde(Serdes.Long()))
        .toStream()
        .filter((k, v) -> v != null && v > 3)
        .map((k, v) -> org.apache.kafka.streams.KeyValue.pair(k.key(), v))
        .to("plain-dsl-counts", Produced.with(Serdes.String(), Serdes.Long()));
    return b.build();
  }

  /** Starts a Streams job and measures records/s until its committed offsets reach the end. */
  private double runUntilCaughtUp(
      Admin admin,
      Topology topology,
      String appId,
      String servers,
      List<String> inputs,
      long records)
      throws Exception {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, threads);
    props.put(StreamsConfig.STATE_DIR_CONFIG, workDir.resolve("state-" + appId).toString());
    props.put(
        StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG,
        BoundedMemoryRocksDbConfig.class.getName());
    props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
    props.put("streams.http.port", "0");
    props.put(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG), 60_000);
    deleteRecursively(workDir.resolve("state-" + appId));
    Map<TopicPartition, Long> ends = new HashMap<>();
    for (String t : inputs) {
      ends.putAll(endOffsetsByPartition(admin, t));
    }
    try (KafkaStreams streams = new KafkaStreams(topology, props)) {
      long t0 = System.nanoTime();
      streams.start();
      long started = 0;
      while (true) {
        Thread.sleep(200);
        if (started == 0 && streams.state() == KafkaStreams.State.RUNNING) {
          started = System.nanoTime();
        }
        Map<TopicPartition, OffsetAndMetadata> committed =
            admin.listConsumerGroupOffsets(appId).partitionsToOffsetAndMetadata().get();
        boolean done = true;
        for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
          OffsetAndMetadata o = committed.get(e.getKey());
          if (e.getValue() > 0 && (o == null || o.offset() < e.getValue())) {
            done = false;
            break;
          }
        }
        if (done && started != 0) {
          double seconds = (System.nanoTime() - started) / 1e9;
          System.out.printf(
              Locale.ROOT,
              "  %s: %,d records in %.1f s after RUNNING (%.1f s after start)%n",
              appId,
              records,
              seconds,
              (System.nanoTime() - t0) / 1e9);
          return records / seconds;
        }
        if (System.nanoTime() - t0 > Duration.ofMinutes(20).toNanos()) {
          throw new IllegalStateException(appId + " did not catch up within 20 minutes");
        }
      }
    }
  }

  private double consumerPerformance(String servers, long records) {
    PrintStream out = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      ConsumerPerformance.main(
          new String[] {
            "--bootstrap-server",
            servers,
            "--include",
            "linkwatch\\.events\\..*",
            "--num-records",
            Long.toString(records),
            "--timeout",
            "60000"
          });
    } finally {
      System.setOut(out);
    }
    String[] lines = captured.toString(StandardCharsets.UTF_8).strip().split("\n");
    System.out.println("  ConsumerPerformance: " + lines[lines.length - 1].strip());
    String[] fields = lines[lines.length - 1].split(",");
    // start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, ...
    return Double.parseDouble(fields[5].strip());
  }

  private static long endOffsets(Admin admin, String topic) throws Exception {
    return endOffsetsByPartition(admin, topic).values().stream().mapToLong(Long::longValue).sum();
  }

  private static Map<TopicPartition, Long> endOffsetsByPartition(Admin admin, String topic)
      throws Exception {
    int n =
        admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    for (int i = 0; i < n; i++) {
      request.put(new TopicPartition(topic, i), OffsetSpec.latest());
    }
    Map<TopicPartition, Long> out = new HashMap<>();
    admin.listOffsets(request).all().get().forEach((tp, r) -> out.put(tp, r.offset()));
    return out;
  }

  private static void deleteRecursively(Path p) throws Exception {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(p)) {
      walk.sorted(Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
    }
  }
}
