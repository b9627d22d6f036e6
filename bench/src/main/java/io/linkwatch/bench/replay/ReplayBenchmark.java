package io.linkwatch.bench.replay;

import io.linkwatch.bench.support.BenchFleet;
import io.linkwatch.deploy.broker.EmbeddedKafkaBroker;
import io.linkwatch.ingest.config.KafkaClients;
import io.linkwatch.ingest.parse.AgentLogParser;
import io.linkwatch.ingest.parse.AzureLogParser;
import io.linkwatch.ingest.sim.SimOptions;
import io.linkwatch.ingest.sim.Simulation;
import io.linkwatch.ingest.sink.IngestMetrics;
import io.linkwatch.ingest.sink.KafkaEventSink;
import io.linkwatch.schemas.serde.AvroSerdes;
import io.linkwatch.schemas.topic.TopicPlan;
import io.linkwatch.schemas.topic.TopicPlanApplier;
import io.linkwatch.schemas.topic.TopicRole;
import io.linkwatch.schemas.topic.Topics;
import io.linkwatch.streams.app.StreamsRunner;
import io.linkwatch.streams.replay.Replay;
import io.linkwatch.streams.replay.ReplayResult;
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
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.tools.ConsumerPerformance;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Replay throughput next to Kafka's own {@code ConsumerPerformance}, on the same broker and the
 * same records, in one run.
 *
 * <p>Loads a simulated fleet (all scenarios) into the event topics through the ingest parsers, then
 * alternates rounds of: {@code ConsumerPerformance} reading every record of the three event topics
 * (the rate it reports without its group join), and {@code Replay.run} replaying the whole range
 * with the default rule pack (reading the same records, processing them through the topology in a
 * TopologyTestDriver, collecting the outputs). The figure is the ratio of their records per second
 * (goal: at least 30 %), the median of the rounds, after a warm-up round of each.
 *
 * <pre>
 * ./mvnw -q -B -pl bench -am package -DskipTests dependency:build-classpath \
 *     -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime \
 *   &amp;&amp; java -Xmx2g -cp bench/target/classes:$(cat bench/target/classpath.txt) \
 *     io.linkwatch.bench.replay.ReplayBenchmark
 * </pre>
 */
@Command(
    name = "replay-benchmark",
    mixinStandardHelpOptions = true,
    description =
        "Replay of retained events through the topology, next to Kafka's ConsumerPerformance on"
            + " the same broker and records.")
public final class ReplayBenchmark implements Callable<Integer> {

  @Option(
      names = {"-b", "--bootstrap-servers"},
      description = "An existing broker (default: an embedded single-node broker).")
  String bootstrap;

  @Option(names = "--devices", defaultValue = "2000", description = "Simulated devices.")
  int devices;

  @Option(names = "--hours", defaultValue = "6", description = "Simulated hours.")
  int hours;

  @Option(names = "--partitions", defaultValue = "3", description = "Partitions of every topic.")
  int partitions;

  @Option(names = "--rounds", defaultValue = "3", description = "Measured rounds of each.")
  int rounds;

  @Option(
      names = "--warmup",
      defaultValue = "1",
      description = "Warm-up rounds of each, not reported.")
  int warmup;

  @Option(
      names = "--no-role",
      description =
          "Skip the streams role's own run on the same records (context only; minutes long).")
  boolean noRole;

  @Option(
      names = "--work-dir",
      defaultValue = "bench/target/replay-bench",
      description = "Where the broker data and the results go.")
  Path workDir;

  /** One measured run: records per second, records, CPU of the whole process per record. */
  record Round(double recordsPerSecond, long records, double cpuMicrosPerRecord) {}

  public static void main(String[] args) {
    System.exit(new CommandLine(new ReplayBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Files.createDirectories(workDir);
    EmbeddedKafkaBroker broker = null;
    String servers = bootstrap;
    if (servers == null) {
      Path data = workDir.resolve("broker");
      deleteRecursively(data);
      broker = EmbeddedKafkaBroker.builder().port(0).dataDir(data).start();
      servers = broker.bootstrapServers();
    }
    try {
      return measure(servers);
    } finally {
      if (broker != null) {
        broker.close();
      }
    }
  }

  private int measure(String servers) throws Exception {
    Map<String, String> settings = new HashMap<>();
    settings.put("bootstrap.servers", servers);
    TopicPlan plan =
        TopicPlan.builder()
            .namePrefix("replaybench.")
            .partitions(partitions)
            .replicationFactor((short) 1)
            .build();
    try (Admin admin = Admin.create(KafkaClients.admin(settings, "bench-admin"))) {
      new TopicPlanApplier(admin, Duration.ofSeconds(60)).apply(plan);
    }
    Topics topics = Topics.create(plan.names(), AvroSerdes.singleObject());
    for (TopicRole role : TopicRole.values()) {
      settings.put(role.configKey(), topics.name(role));
    }
    Instant start = Instant.now().minus(Duration.ofHours(hours)).truncatedTo(ChronoUnit.MINUTES);
    Instant end = load(settings, topics, start);

    Replay.Request request =
        new Replay.Request(start, end, Duration.ZERO, new Replay.Rules.DefaultPack(), false);
    String include =
        String.join(
                "|",
                List.of(
                    topics.connections().name(),
                    topics.provisioning().name(),
                    topics.agent().name()))
            .replace(".", "\\.");
    for (int i = 1; i <= warmup; i++) {
      Round cp = consumerPerformance(servers, include, expected(settings, request));
      Round replay = replay(settings, request);
      System.out.printf(
          Locale.ROOT,
          "warm-up %d: ConsumerPerformance %,.0f records/s, replay %,.0f records/s%n",
          i,
          cp.recordsPerSecond(),
          replay.recordsPerSecond());
    }
    // for context: the streams role itself (Kafka Streams, exactly once) on the same records
    Round role = noRole ? new Round(Double.NaN, 0, Double.NaN) : streamsRole(settings, topics);
    if (!noRole) {
      System.out.printf(
          Locale.ROOT,
          "streams role (Kafka Streams, exactly_once_v2, %d partitions) on the same records:"
              + " %,.0f records/s (%.1f us CPU/record)%n",
          partitions,
          role.recordsPerSecond(),
          role.cpuMicrosPerRecord());
    }
    List<Double> ratios = new ArrayList<>();
    List<Round> cps = new ArrayList<>();
    List<Round> replays = new ArrayList<>();
    for (int i = 1; i <= rounds; i++) {
      Round cp = consumerPerformance(servers, include, expected(settings, request));
      Round replay = replay(settings, request);
      cps.add(cp);
      replays.add(replay);
      ratios.add(replay.recordsPerSecond() / cp.recordsPerSecond());
      System.out.printf(
          Locale.ROOT,
          "round %d: ConsumerPerformance %,.0f records/s (%.1f us CPU/record), replay %,.0f"
              + " records/s (%.1f us CPU/record): %.1f %%%n",
          i,
          cp.recordsPerSecond(),
          cp.cpuMicrosPerRecord(),
          replay.recordsPerSecond(),
          replay.cpuMicrosPerRecord(),
          ratios.get(ratios.size() - 1) * 100);
    }
    double ratio = median(ratios);
    double cpRate = median(cps.stream().map(Round::recordsPerSecond).toList());
    double replayRate = median(replays.stream().map(Round::recordsPerSecond).toList());
    double cpCpu = median(cps.stream().map(Round::cpuMicrosPerRecord).toList());
    double replayCpu = median(replays.stream().map(Round::cpuMicrosPerRecord).toList());
    System.out.printf(
        Locale.ROOT,
        "%nresult: replay %,.0f records/s, ConsumerPerformance %,.0f records/s: ratio %.1f %%"
            + " (goal >= 30 %%), median of %d rounds of %,d records; CPU per record (whole"
            + " process, broker included): replay %.1f us, ConsumerPerformance %.1f us%s%n",
        replayRate,
        cpRate,
        ratio * 100,
        rounds,
        replays.get(0).records(),
        replayCpu,
        cpCpu,
        noRole
            ? ""
            : String.format(
                Locale.ROOT,
                "; the streams role: %,.0f records/s (replay at %.0f %% of it)",
                role.recordsPerSecond(),
                100 * replayRate / role.recordsPerSecond()));
    String json =
        String.format(
            Locale.ROOT,
            "{\"devices\":%d,\"hours\":%d,\"records\":%d,\"partitions\":%d,"
                + "\"replayRecordsPerSecond\":%.0f,\"consumerPerformanceRecordsPerSecond\":%.0f,"
                + "\"ratio\":%.4f,\"rounds\":%d,\"replayCpuMicrosPerRecord\":%.2f,"
                + "\"consumerPerformanceCpuMicrosPerRecord\":%.2f,"
                + "\"streamsRoleRecordsPerSecond\":%s,\"cores\":%d,\"time\":\"%s\"}%n",
            devices,
            hours,
            replays.get(0).records(),
            partitions,
            replayRate,
            cpRate,
            ratio,
            rounds,
            replayCpu,
            cpCpu,
            noRole ? "null" : String.format(Locale.ROOT, "%.0f", role.recordsPerSecond()),
            Runtime.getRuntime().availableProcessors(),
            Instant.now());
    Files.writeString(workDir.resolve("result.json"), json, StandardCharsets.UTF_8);
    System.out.println("written " + workDir.resolve("result.json"));
    return 0;
  }

  /** Simulates the fleet into the event topics through the ingest parsers; returns the end. */
  private Instant load(Map<String, String> settings, Topics topics, Instant start) {
    SimOptions options = BenchFleet.options(start, hours, devices);
    long t0 = System.nanoTime();
    Simulation.Outcome outcome;
    try (KafkaEventSink sink =
        new KafkaEventSink(
            new KafkaProducer<>(KafkaClients.producer(settings, "bench-load")),
            topics,
            new IngestMetrics(new SimpleMeterRegistry(), "bench"),
            1 << 20)) {
      outcome =
          Simulation.toEvents(
              options,
              new AzureLogParser(1 << 20, 1 << 16, System::currentTimeMillis),
              new AgentLogParser(1 << 20, 1 << 16, System::currentTimeMillis),
              sink,
              null,
              null,
              0,
              0);
    }
    System.out.printf(
        Locale.ROOT,
        "loaded %,d devices x %d h: %,d simulator records into the event topics in %.1f s%n",
        devices,
        hours,
        outcome.records(),
        (System.nanoTime() - t0) / 1e9);
    // late records of the simulator may be stamped a little after the simulated end
    return start.plus(Duration.ofHours(hours)).plus(Duration.ofHours(1));
  }

  /** How many records the range holds (what ConsumerPerformance is asked to read). */
  private static long expected(Map<String, String> settings, Replay.Request request)
      throws Exception {
    return Replay.count(settings, request);
  }

  private static Round replay(Map<String, String> settings, Replay.Request request)
      throws Exception {
    long cpu0 = processCpuNanos();
    var threads = java.lang.management.ManagementFactory.getThreadMXBean();
    long thread0 = threads.getCurrentThreadCpuTime();
    ReplayResult r = Replay.run(settings, request, new Replay.Listener() {}, null);
    long cpu = processCpuNanos() - cpu0;
    long thread = threads.getCurrentThreadCpuTime() - thread0;
    System.out.printf(
        Locale.ROOT,
        "  replay: %,d records, %.1f s, %.1f us CPU/record on the replay thread, %.1f us in the"
            + " whole process (RocksDB background work, GC, JIT and the broker included)%n",
        r.records(),
        r.elapsed().toMillis() / 1000.0,
        thread / 1000.0 / Math.max(1, r.records()),
        cpu / 1000.0 / Math.max(1, r.records()));
    return new Round(r.recordsPerSecond(), r.records(), cpu / 1000.0 / Math.max(1, r.records()));
  }

  /**
   * The streams role on the same topics from the beginning, timed from start until its group has
   * committed every input record and drained its repartition topics.
   */
  private Round streamsRole(Map<String, String> settings, Topics topics) throws Exception {
    String app = "replay-bench-role-" + System.nanoTime();
    Path state = Files.createTempDirectory("replay-bench-role");
    Map<String, String> role = new HashMap<>(settings);
    role.put("application.id", app);
    role.put("state.dir", state.toString());
    role.put("streams.http.port", "0");
    role.put("auto.offset.reset", "earliest");
    List<String> inputs =
        List.of(topics.connections().name(), topics.provisioning().name(), topics.agent().name());
    try (Admin admin = Admin.create(KafkaClients.admin(settings, "bench-role-admin"));
        StreamsRunner runner = new StreamsRunner(role)) {
      Map<TopicPartition, Long> inputEnd = endOffsets(admin, inputs);
      long records = inputEnd.values().stream().mapToLong(Long::longValue).sum();
      long cpu0 = processCpuNanos();
      long t0 = System.nanoTime();
      runner.start();
      while (true) {
        Map<TopicPartition, OffsetAndMetadata> committed =
            admin.listConsumerGroupOffsets(app).partitionsToOffsetAndMetadata().get();
        boolean inputsDone =
            inputEnd.entrySet().stream()
                .allMatch(
                    e ->
                        committed.get(e.getKey()) != null
                            && committed.get(e.getKey()).offset() >= e.getValue());
        if (inputsDone && drained(admin, committed)) {
          break;
        }
        if (System.nanoTime() - t0 > Duration.ofMinutes(30).toNanos()) {
          throw new IllegalStateException("the streams role did not finish within 30 minutes");
        }
        Thread.sleep(100);
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      long cpu = processCpuNanos() - cpu0;
      return new Round(records / seconds, records, cpu / 1000.0 / Math.max(1, records));
    } finally {
      deleteRecursively(state);
    }
  }

  /** True when every repartition topic the group reads is consumed to its last stable offset. */
  private static boolean drained(Admin admin, Map<TopicPartition, OffsetAndMetadata> committed)
      throws Exception {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    committed.keySet().stream()
        .filter(tp -> tp.topic().endsWith("-repartition"))
        .forEach(tp -> latest.put(tp, OffsetSpec.latest()));
    if (latest.isEmpty()) {
      return false;
    }
    var ends =
        admin
            .listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
            .all()
            .get();
    return ends.entrySet().stream()
        .allMatch(e -> committed.get(e.getKey()).offset() >= e.getValue().offset());
  }

  private static Map<TopicPartition, Long> endOffsets(Admin admin, List<String> topics)
      throws Exception {
    Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
    for (var d : admin.describeTopics(topics).allTopicNames().get().values()) {
      d.partitions()
          .forEach(
              p -> specs.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest()));
    }
    Map<TopicPartition, Long> out = new HashMap<>();
    admin
        .listOffsets(specs, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
        .all()
        .get()
        .forEach((tp, info) -> out.put(tp, info.offset()));
    return out;
  }

  /** Kafka's ConsumerPerformance, in this JVM, its result line parsed (fetch rate, no join). */
  private static Round consumerPerformance(String servers, String include, long records)
      throws Exception {
    List<String> args =
        List.of(
            "--bootstrap-server",
            servers,
            "--include",
            include,
            "--num-records",
            Long.toString(records),
            "--timeout",
            "60000");
    PrintStream out = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    long cpu0 = processCpuNanos();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      ConsumerPerformance.main(args.toArray(String[]::new));
    } finally {
      System.setOut(out);
    }
    long cpu = processCpuNanos() - cpu0;
    String[] lines = captured.toString(StandardCharsets.UTF_8).strip().split("\n");
    // start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec,
    // rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
    String[] f = lines[lines.length - 1].split(",\\s*");
    long consumed = Long.parseLong(f[4].strip());
    if (consumed < records) {
      throw new IllegalStateException(
          "ConsumerPerformance read "
              + consumed
              + " of "
              + records
              + " records: "
              + lines[lines.length - 1]);
    }
    return new Round(
        Double.parseDouble(f[9].strip()), consumed, cpu / 1000.0 / Math.max(1, consumed));
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(Comparator.naturalOrder());
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
