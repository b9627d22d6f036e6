package io.linkwatch.bench.ingest;

import io.linkwatch.bench.support.BenchFleet;
import io.linkwatch.deploy.broker.EmbeddedKafkaBroker;
import io.linkwatch.ingest.config.KafkaClients;
import io.linkwatch.ingest.parse.AgentLogParser;
import io.linkwatch.ingest.parse.AzureLogParser;
import io.linkwatch.ingest.sim.SimOptions;
import io.linkwatch.ingest.sim.Simulation;
import io.linkwatch.ingest.sink.IngestMetrics;
import io.linkwatch.ingest.sink.KafkaEventSink;
import io.linkwatch.ingest.source.Progress;
import io.linkwatch.ingest.source.Summary;
import io.linkwatch.ingest.source.file.Checkpoint;
import io.linkwatch.ingest.source.file.FileSource;
import io.linkwatch.schemas.serde.AvroSerdes;
import io.linkwatch.schemas.topic.TopicPlan;
import io.linkwatch.schemas.topic.TopicPlanApplier;
import io.linkwatch.schemas.topic.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.tools.ProducerPerformance;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Ingest throughput next to Kafka's own {@code ProducerPerformance}, on the same broker, with the
 * same producer settings and record size, in one run.
 *
 * <p>Writes a simulator file (Event Hubs envelopes of a fleet), then alternates rounds of: {@code
 * ProducerPerformance} sending as many records of the ingest's average record size (key + value) as
 * fast as it can, and the file source reading the file into typed Avro events on the event topics.
 * Each measures from its first send to the acknowledgement of its last record. The figure is the
 * ratio of their records per second (goal: at least 60 %); the median of the rounds is reported,
 * after warm-up rounds of each.
 *
 * <pre>
 * ./mvnw -q -B -pl bench -am package -DskipTests dependency:build-classpath \
 *     -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime \
 *   &amp;&amp; java -Xmx2g -cp bench/target/classes:$(cat bench/target/classpath.txt) \
 *     io.linkwatch.bench.ingest.IngestBenchmark
 * </pre>
 */
@Command(
    name = "ingest-benchmark",
    mixinStandardHelpOptions = true,
    description =
        "Ingest of a simulator file into typed Avro events, next to Kafka's ProducerPerformance"
            + " on the same broker, record size and producer settings.")
public final class IngestBenchmark implements Callable<Integer> {

  @Option(
      names = {"-b", "--bootstrap-servers"},
      description = "An existing broker (default: an embedded single-node broker).")
  String bootstrap;

  @Option(names = "--devices", defaultValue = "10000", description = "Simulated devices.")
  int devices;

  @Option(names = "--hours", defaultValue = "12", description = "Simulated hours.")
  int hours;

  @Option(names = "--partitions", defaultValue = "3", description = "Partitions of every topic.")
  int partitions;

  @Option(
      names = "--parse-threads",
      defaultValue = "0",
      description = "Parse threads of the file source (0: processors, at most 4).")
  int parseThreads;

  @Option(names = "--rounds", defaultValue = "3", description = "Measured rounds of each.")
  int rounds;

  @Option(
      names = "--warmup",
      defaultValue = "2",
      description = "Warm-up rounds of each, not reported (the JIT compiles the parsers).")
  int warmup;

  @Option(
      names = "--work-dir",
      defaultValue = "bench/target/ingest-bench",
      description = "Where the simulator file, the broker data and the results go.")
  Path workDir;

  /** Counts the bytes the ingest producer sends, to give ProducerPerformance the same size. */
  public static final class SizeCounter implements ProducerInterceptor<byte[], byte[]> {
    static final LongAdder RECORDS = new LongAdder();
    static final LongAdder BYTES = new LongAdder();

    @Override
    public ProducerRecord<byte[], byte[]> onSend(ProducerRecord<byte[], byte[]> r) {
      RECORDS.increment();
      BYTES.add(
          (r.key() == null ? 0 : r.key().length) + (r.value() == null ? 0 : r.value().length));
      return r;
    }

    @Override
    public void onAcknowledgement(RecordMetadata metadata, Exception exception) {}

    @Override
    public void close() {}

    @Override
    public void configure(Map<String, ?> configs) {}
  }

  /**
   * One measured run.
   *
   * @param cpuMicrosPerRecord CPU time of the whole process (broker included) per record: a figure
   *     less sensitive than wall-clock time to what else runs on the machine
   */
  record Round(
      double recordsPerSecond,
      double megabytesPerSecond,
      long records,
      double cpuMicrosPerRecord) {}

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new IngestBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Files.createDirectories(workDir);
    Path sim = workDir.resolve("sim");
    deleteRecursively(sim);
    Instant start = Instant.now().minus(Duration.ofHours(hours)).truncatedTo(ChronoUnit.MINUTES);
    SimOptions options = BenchFleet.options(start, hours, devices);
    long t0 = System.nanoTime();
    Simulation.Outcome outcome =
        Simulation.toFiles(options, Simulation.Layout.of(sim, sim + "/", false), 0, 0);
    System.out.printf(
        Locale.ROOT,
        "simulated %,d devices x %d h: %,d records in %,d envelopes/lines, %.1f MB, in %.1f s%n",
        devices,
        hours,
        outcome.records(),
        outcome.units(),
        Files.size(sim.resolve("records.jsonl")) / 1048576.0,
        (System.nanoTime() - t0) / 1e9);

    EmbeddedKafkaBroker broker = null;
    String servers = bootstrap;
    if (servers == null) {
      Path data = workDir.resolve("broker");
      deleteRecursively(data);
      broker = EmbeddedKafkaBroker.builder().port(0).dataDir(data).start();
      servers = broker.bootstrapServers();
    }
    try {
      return measure(servers, sim, outcome);
    } finally {
      if (broker != null) {
        broker.close();
      }
    }
  }

  private int measure(String servers, Path sim, Simulation.Outcome outcome) throws Exception {
    Map<String, String> settings = Map.of("bootstrap.servers", servers);
    String ppTopic = "bench.producer-performance";
    Topics topics;
    try (Admin admin = Admin.create(KafkaClients.admin(settings, "bench-admin"))) {
      TopicPlan plan =
          TopicPlan.builder()
              .namePrefix("bench.")
              .partitions(partitions)
              .replicationFactor((short) 1)
              .build();
      new TopicPlanApplier(admin, Duration.ofSeconds(60)).apply(plan);
      topics = Topics.create(plan.names(), AvroSerdes.singleObject());
      admin
          .createTopics(List.of(new NewTopic(ppTopic, Optional.of(partitions), Optional.empty())))
          .all()
          .get();
    } catch (java.util.concurrent.ExecutionException e) {
      if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
        throw e;
      }
      topics =
          Topics.create(
              TopicPlan.builder().namePrefix("bench.").build().names(), AvroSerdes.singleObject());
    }
    if (parseThreads <= 0) {
      parseThreads = Math.min(4, Runtime.getRuntime().availableProcessors());
    }
    Map<String, Object> producer = KafkaClients.producer(settings, "bench-ingest");
    System.out.println("producer settings (both): " + producerSettings(producer));

    // warm-up, not reported
    Round warmIngest = ingest(producer, topics, sim);
    int recordSize =
        (int) Math.round(SizeCounter.BYTES.doubleValue() / SizeCounter.RECORDS.doubleValue());
    System.out.printf(
        Locale.ROOT, "average ingest record: %d bytes (key + Avro value)%n", recordSize);
    for (int i = 1; i <= warmup; i++) {
      Round pp = producerPerformance(servers, ppTopic, warmIngest.records(), recordSize, producer);
      Round in = i == 1 ? warmIngest : ingest(producer, topics, sim);
      System.out.printf(
          Locale.ROOT,
          "warm-up %d: ProducerPerformance %,.0f records/s, ingest %,.0f events/s%n",
          i,
          pp.recordsPerSecond(),
          in.recordsPerSecond());
    }

    List<Double> ratios = new ArrayList<>();
    List<Round> ingestRounds = new ArrayList<>();
    List<Round> ppRounds = new ArrayList<>();
    for (int i = 1; i <= rounds; i++) {
      Round pp = producerPerformance(servers, ppTopic, warmIngest.records(), recordSize, producer);
      Round in = ingest(producer, topics, sim);
      ppRounds.add(pp);
      ingestRounds.add(in);
      double ratio = in.recordsPerSecond() / pp.recordsPerSecond();
      ratios.add(ratio);
      System.out.printf(
          Locale.ROOT,
          "round %d: ProducerPerformance %,.0f records/s (%.1f MB/s, %.1f us CPU/record),"
              + " ingest %,.0f events/s (%.1f MB/s, %.1f us CPU/record): %.0f %%%n",
          i,
          pp.recordsPerSecond(),
          pp.megabytesPerSecond(),
          pp.cpuMicrosPerRecord(),
          in.recordsPerSecond(),
          in.megabytesPerSecond(),
          in.cpuMicrosPerRecord(),
          ratio * 100);
    }
    double median = median(ratios);
    double ingestCpu = median(ingestRounds.stream().map(Round::cpuMicrosPerRecord).toList());
    double ppCpu = median(ppRounds.stream().map(Round::cpuMicrosPerRecord).toList());
    double ingestMedian = median(ingestRounds.stream().map(Round::recordsPerSecond).toList());
    double ppMedian = median(ppRounds.stream().map(Round::recordsPerSecond).toList());
    System.out.printf(
        Locale.ROOT,
        "%nresult: ingest %,.0f events/s, ProducerPerformance %,.0f records/s of %d bytes:"
            + " ratio %.0f %% (goal >= 60 %%), median of %d rounds; CPU per record (whole"
            + " process, broker included): ingest %.1f us, ProducerPerformance %.1f us%n",
        ingestMedian,
        ppMedian,
        recordSize,
        median * 100,
        rounds,
        ingestCpu,
        ppCpu);
    String json =
        String.format(
            Locale.ROOT,
            "{\"devices\":%d,\"hours\":%d,\"records\":%d,\"recordSize\":%d,\"partitions\":%d,"
                + "\"ingestEventsPerSecond\":%.0f,\"producerPerformanceRecordsPerSecond\":%.0f,"
                + "\"ratio\":%.3f,\"rounds\":%d,\"ingestCpuMicrosPerRecord\":%.2f,"
                + "\"producerPerformanceCpuMicrosPerRecord\":%.2f,\"parseThreads\":%d,"
                + "\"cores\":%d,\"time\":\"%s\"}%n",
            devices,
            hours,
            outcome.records(),
            recordSize,
            partitions,
            ingestMedian,
            ppMedian,
            median,
            rounds,
            ingestCpu,
            ppCpu,
            parseThreads,
            Runtime.getRuntime().availableProcessors(),
            Instant.now());
    Files.writeString(workDir.resolve("result.json"), json, StandardCharsets.UTF_8);
    System.out.println("written " + workDir.resolve("result.json"));
    return 0;
  }

  /** One ingest of the simulator folder, timed from the first read to the last acknowledgement. */
  private Round ingest(Map<String, Object> producerProps, Topics topics, Path sim) {
    Map<String, Object> props = new HashMap<>(producerProps);
    props.put(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG, SizeCounter.class.getName());
    SizeCounter.RECORDS.reset();
    SizeCounter.BYTES.reset();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (KafkaEventSink sink =
        new KafkaEventSink(
            new KafkaProducer<>(props), topics, new IngestMetrics(registry, "file"), 1 << 20)) {
      FileSource source =
          new FileSource(
              new FileSource.Options(
                  List.of(sim),
                  false,
                  500,
                  1000,
                  1 << 20,
                  List.of("truth.jsonl", "*.truth.jsonl", "*summary.json", ".*"),
                  null,
                  parseThreads),
              new AzureLogParser(1 << 20, 1 << 16, System::currentTimeMillis),
              new AgentLogParser(1 << 20, 1 << 16, System::currentTimeMillis),
              sink,
              Checkpoint.none(),
              Progress.none(),
              1 << 16);
      long cpu0 = processCpuNanos();
      Summary s = source.run(() -> false);
      long cpu = processCpuNanos() - cpu0;
      if (s.deadLettersTotal() > 0) {
        throw new IllegalStateException("the simulator file gave dead letters: " + s.deadLetters());
      }
      double seconds = Math.max(1, s.elapsed().toMillis()) / 1000.0;
      long records = s.eventsTotal();
      return new Round(
          records / seconds,
          SizeCounter.BYTES.doubleValue() / 1048576.0 / seconds,
          records,
          cpu / 1000.0 / Math.max(1, records));
    }
  }

  private static final Pattern SUMMARY =
      Pattern.compile("(\\d+) records sent, ([\\d.]+) records/sec \\(([\\d.]+) MB/sec\\)");

  /** Kafka's ProducerPerformance, in this JVM, its summary line parsed. */
  private static Round producerPerformance(
      String servers, String topic, long records, int recordSize, Map<String, Object> producer)
      throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--topic",
                topic,
                "--num-records",
                Long.toString(records),
                "--record-size",
                Integer.toString(recordSize),
                "--throughput",
                "-1",
                "--producer-props",
                "bootstrap.servers=" + servers));
    for (Map.Entry<String, Object> e : producerSettings(producer).entrySet()) {
      args.add(e.getKey() + "=" + e.getValue());
    }
    PrintStream out = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    long cpu0 = processCpuNanos();
    try {
      ProducerPerformance.main(args.toArray(String[]::new));
    } finally {
      System.setOut(out);
    }
    long cpu = processCpuNanos() - cpu0;
    String text = captured.toString(StandardCharsets.UTF_8);
    // the summary is the last line that says "N records sent" (progress lines do not)
    Matcher m = SUMMARY.matcher(text);
    Round last = null;
    while (m.find()) {
      last =
          new Round(
              Double.parseDouble(m.group(2)),
              Double.parseDouble(m.group(3)),
              Long.parseLong(m.group(1)),
              cpu / 1000.0 / Math.max(1, records));
    }
    if (last == null) {
      throw new IllegalStateException("no summary in ProducerPerformance's output:\n" + text);
    }
    return last;
  }

  /** The tuning both producers share (ProducerPerformance sets its own serializers). */
  private static Map<String, Object> producerSettings(Map<String, Object> producer) {
    Map<String, Object> s = new java.util.TreeMap<>();
    for (String k :
        List.of(
            ProducerConfig.ACKS_CONFIG,
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
            ProducerConfig.COMPRESSION_TYPE_CONFIG,
            ProducerConfig.LINGER_MS_CONFIG,
            ProducerConfig.BATCH_SIZE_CONFIG,
            ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION)) {
      s.put(k, producer.get(k));
    }
    return s;
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(null);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
