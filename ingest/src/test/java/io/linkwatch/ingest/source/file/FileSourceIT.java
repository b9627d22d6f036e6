package io.linkwatch.ingest.source.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.linkwatch.avro.AgentEvent;
import io.linkwatch.avro.ConnectionEvent;
import io.linkwatch.avro.DeadLetter;
import io.linkwatch.avro.DeadLetterReason;
import io.linkwatch.avro.ProvisioningEvent;
import io.linkwatch.avro.SourceKind;
import io.linkwatch.ingest.config.KafkaClients;
import io.linkwatch.ingest.parse.AgentLogParser;
import io.linkwatch.ingest.parse.AzureLogParser;
import io.linkwatch.ingest.parse.Origin;
import io.linkwatch.ingest.parse.ParseOutput;
import io.linkwatch.ingest.sink.IngestMetrics;
import io.linkwatch.ingest.sink.KafkaEventSink;
import io.linkwatch.ingest.source.Progress;
import io.linkwatch.ingest.testing.AzureRecords;
import io.linkwatch.ingest.testing.Cli;
import io.linkwatch.schemas.topic.Topics;
import io.linkwatch.testkit.KafkaCluster;
import io.linkwatch.testkit.KafkaTestCluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@KafkaCluster
class FileSourceIT {

  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final String[] SAMPLES = {
    "iothub-connections-404104-learn-2023.json",
    "iothub-connections-pair-concatenated.json",
    "iothub-connections-404104-tutorial-2018.json",
    "iothub-routes-403004-endpointunhealthy.json",
    "dps-deviceoperations-attestationattempt-success.json",
    "dps-serviceoperations-upsert-success.json",
    "azure-monitor-eventhubs-records-envelope.json",
    "iothub-connections-deviceconnect-template.json"
  };

  static KafkaTestCluster kafka;
  static Topics topics;

  @BeforeAll
  static void topics() {
    topics = kafka.createLinkwatchTopics();
  }

  @Test
  void shouldPutThePublishedSamplesOnTheEventTopicsAndDeadLetterWhatIsNotIotOrIsATemplate(
      @TempDir Path dir) throws IOException {
    Path samples = Files.createDirectories(dir.resolve("samples"));
    for (String s : SAMPLES) {
      try (InputStream in = getClass().getResourceAsStream("/samples/" + s)) {
        Files.copy(in, samples.resolve(s));
      }
    }

    Cli.Run run =
        Cli.run(
            "ingest",
            "file",
            samples.toString(),
            "-b",
            kafka.bootstrapServers(),
            "--no-checkpoint",
            "--no-progress");

    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.out()).contains("events   8").contains("dead letters 3");
    List<ConsumerRecord<String, ConnectionEvent>> connections =
        kafka.awaitRecords(topics.connections(), 6, WAIT);
    assertThat(connections)
        .extracting(ConsumerRecord::key)
        .contains(
            "iot-training-dm092121/sensor-th-2001",
            "contosotesthub/Contoso-Test-Device",
            "anonhub1/-");
    assertThat(connections)
        .allSatisfy(r -> assertThat(r.timestamp()).isEqualTo(r.value().getTime().toEpochMilli()));
    List<ConsumerRecord<String, ProvisioningEvent>> provisioning =
        kafka.awaitRecords(topics.provisioning(), 2, WAIT);
    assertThat(provisioning)
        .extracting(ConsumerRecord::key)
        .containsOnly("myexampledps/my-device-1");
    List<ConsumerRecord<String, DeadLetter>> dead =
        kafka.awaitRecords(topics.ingestDeadLetter(), 3, WAIT);
    assertThat(dead)
        .extracting(r -> r.value().getReasonCode())
        .containsExactlyInAnyOrder(
            DeadLetterReason.UNSUPPORTED_RECORD,
            DeadLetterReason.UNSUPPORTED_RECORD,
            DeadLetterReason.INVALID_VALUE);
    ConsumerRecord<String, DeadLetter> template =
        dead.stream()
            .filter(r -> r.value().getReasonCode() == DeadLetterReason.INVALID_VALUE)
            .findFirst()
            .orElseThrow();
    assertThat(template.key()).endsWith("iothub-connections-deviceconnect-template.json");
    assertThat(header(template, KafkaEventSink.H_REASON_CODE)).isEqualTo("INVALID_VALUE");
    assertThat(header(template, KafkaEventSink.H_SOURCE)).isEqualTo(template.key());
    assertThat(header(template, KafkaEventSink.H_POSITION)).isEqualTo("4");
    assertThat(header(template, KafkaEventSink.H_REASON)).contains("resourceId 'Resource Id'");
    assertThat(new String(KafkaEventSink.raw(template.value()), StandardCharsets.UTF_8))
        .contains("\"operationName\": \"deviceConnect\"");
  }

  @Test
  void shouldLoseNothingWhenKilledMidFileAndRestarted(@TempDir Path dir) throws Exception {
    Topics isolated = kafka.createLinkwatchTopics("restart.");
    Path file = dir.resolve("PT1H.json");
    int records = 60_000;
    List<String> lines = new ArrayList<>(records);
    // recent event times: the broker's time-based retention deletes rolled segments of old ones
    Instant t0 = Instant.now().minus(Duration.ofHours(2));
    for (int i = 0; i < records; i++) {
      lines.add(
          AzureRecords.connection(
              "hub-" + (i % 3), "dev-" + i, t0.plusMillis(i * 37L), "deviceConnect", null));
    }
    Files.write(file, lines, StandardCharsets.UTF_8);
    Set<String> expectedIds = eventIds(file);
    Path checkpoint = dir.resolve("cp/PT1H.checkpoint");
    List<String> args =
        new ArrayList<>(
            List.of(
                "ingest",
                "file",
                file.toString(),
                "-b",
                kafka.bootstrapServers(),
                "--checkpoint",
                checkpoint.toString(),
                "--no-progress",
                "--set",
                "ingest.flush.interval.ms=100"));
    args.addAll(Cli.topics(isolated));

    // given an ingest process killed (SIGKILL) once it has checkpointed part of the file
    Process first = Cli.fork(args, dir.resolve("first.log"));
    await("a checkpoint part-way through the file")
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(20))
        .until(() -> offset(checkpoint, file) > 0 || !first.isAlive());
    first.destroyForcibly().waitFor();
    long killedAt = offset(checkpoint, file);
    assertThat(killedAt).as("killed mid-file").isBetween(1L, Files.size(file) - 1);

    // when it is started again
    Cli.Run second = Cli.run(args.toArray(String[]::new));

    // then every record of the file is on the topic, none lost
    assertThat(second.exit()).as(second.err()).isZero();
    assertThat(offset(checkpoint, file)).isEqualTo(Files.size(file));
    List<ConsumerRecord<String, ConnectionEvent>> produced =
        kafka.awaitRecords(
            isolated.connections(),
            rs ->
                rs.stream().map(r -> r.value().getEventId()).collect(Collectors.toSet()).size()
                    >= records,
            records + " distinct events",
            WAIT);
    Set<String> ids = new HashSet<>();
    produced.forEach(r -> ids.add(r.value().getEventId()));
    assertThat(ids).isEqualTo(expectedIds);
    assertThat(kafka.readAll(isolated.ingestDeadLetter())).isEmpty();
  }

  @Test
  void shouldCarryTheSimulatorOutputToTypedEventsWithoutADeadLetter(@TempDir Path dir) {
    Topics isolated = kafka.createLinkwatchTopics("sim.");
    Path out = dir.resolve("sim");
    Cli.Run simulated =
        Cli.run(
            "simulate",
            "--out",
            out + "/",
            "--seed",
            "3",
            "--start",
            Instant.now().minus(Duration.ofHours(3)).truncatedTo(ChronoUnit.MINUTES).toString(),
            "--duration",
            "3h",
            "--devices",
            "150");
    assertThat(simulated.exit()).as(simulated.err()).isZero();

    List<String> args =
        new ArrayList<>(
            List.of(
                "ingest",
                "file",
                out.toString(),
                "-b",
                kafka.bootstrapServers(),
                "--no-checkpoint",
                "--no-progress"));
    args.addAll(Cli.topics(isolated));
    Cli.Run run = Cli.run(args.toArray(String[]::new));

    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.out()).contains("dead letters 0");
    List<ConsumerRecord<String, ConnectionEvent>> connections =
        kafka.readAll(isolated.connections());
    assertThat(connections).hasSizeGreaterThan(1000);
    assertThat(connections)
        .allSatisfy(r -> assertThat(r.key()).matches("lw-hub-0[1-3]/(dev-\\d{5}|-)"));
    assertThat(kafka.readAll(isolated.provisioning()))
        .isNotEmpty()
        .allSatisfy(r -> assertThat(r.key()).matches("lw-dps-0[12]/(dev-\\d{5}|eg-0[12]-.+)"));
    assertThat(kafka.readAll(isolated.agent()))
        .isNotEmpty()
        .allSatisfy(r -> assertThat(r.key()).matches("arc-srv-0[1-4]"))
        .anySatisfy(
            r ->
                assertThat(r.value().getCause())
                    .isEqualTo(io.linkwatch.avro.AgentCause.PROXY_OR_FIREWALL_BLOCKED));
    assertThat(kafka.readAll(isolated.ingestDeadLetter())).isEmpty();
  }

  @Test
  void shouldFollowAppendedRecordsAndNewFilesUntilStopped(@TempDir Path dir) throws Exception {
    Topics followed = kafka.createLinkwatchTopics("follow.");
    Instant t0 = Instant.now().minus(Duration.ofMinutes(30));
    Path a = dir.resolve("a.json");
    Files.writeString(a, line("f-1", t0) + line("f-2", t0.plusSeconds(1)), StandardCharsets.UTF_8);
    Path checkpoint = dir.resolve("follow.checkpoint");
    AtomicBoolean stop = new AtomicBoolean();
    try (KafkaEventSink sink =
        new KafkaEventSink(
            new KafkaProducer<>(
                KafkaClients.producer(Map.of("bootstrap.servers", kafka.bootstrapServers()), "f")),
            followed,
            new IngestMetrics(new SimpleMeterRegistry(), "file"),
            1 << 20)) {
      FileSource source =
          new FileSource(
              new FileSource.Options(
                  List.of(dir), true, 50, 100, 1 << 20, List.of("*.checkpoint*"), null, 2),
              new AzureLogParser(1 << 20, 1 << 16, System::currentTimeMillis),
              new AgentLogParser(1 << 20, 1 << 16, System::currentTimeMillis),
              sink,
              Checkpoint.load(checkpoint),
              Progress.none(),
              1 << 16);
      CompletableFuture<?> running = CompletableFuture.runAsync(() -> source.run(stop::get));
      awaitDevices(followed, "f-1", "f-2");

      // a record written in two parts is read once it is whole; a new file is picked up
      String third = line("f-3", t0.plusSeconds(2));
      Files.writeString(
          a, third.substring(0, 40), StandardCharsets.UTF_8, StandardOpenOption.APPEND);
      Files.writeString(a, third.substring(40), StandardCharsets.UTF_8, StandardOpenOption.APPEND);
      Files.writeString(
          dir.resolve("b.json"), line("f-4", t0.plusSeconds(3)), StandardCharsets.UTF_8);
      awaitDevices(followed, "f-1", "f-2", "f-3", "f-4");

      stop.set(true);
      running.get();
    }
    assertThat(kafka.readAll(followed.connections())).hasSize(4);
    assertThat(kafka.readAll(followed.ingestDeadLetter())).isEmpty();
    assertThat(offset(checkpoint, a)).isEqualTo(Files.size(a));
  }

  private static String line(String device, Instant time) {
    return AzureRecords.connection("hub-f", device, time, "deviceConnect", null) + "\n";
  }

  private static void awaitDevices(Topics topics, String... devices) {
    kafka.awaitRecords(
        topics.connections(),
        rs ->
            rs.stream()
                .map(r -> r.value().getDeviceId())
                .collect(Collectors.toSet())
                .containsAll(List.of(devices)),
        "events of " + List.of(devices),
        WAIT);
  }

  private static long offset(Path checkpoint, Path file) throws IOException {
    if (!Files.exists(checkpoint)) {
      return 0;
    }
    Properties p = new Properties();
    try (var r = Files.newBufferedReader(checkpoint)) {
      p.load(r);
    }
    String v = p.getProperty(file.toAbsolutePath().normalize().toString());
    return v == null ? 0 : Long.parseLong(v.split(",")[0]);
  }

  private static Set<String> eventIds(Path file) throws IOException {
    Set<String> ids = new HashSet<>();
    AzureLogParser parser = new AzureLogParser(1 << 20, 1 << 16, () -> 0L);
    byte[] bytes = Files.readAllBytes(file);
    parser.parsePayload(
        bytes,
        0,
        bytes.length,
        Origin.line(SourceKind.FILE, "x", 1),
        new ParseOutput() {
          @Override
          public void connection(String key, ConnectionEvent event) {
            ids.add(event.getEventId());
          }

          @Override
          public void provisioning(String key, ProvisioningEvent event) {}

          @Override
          public void agent(String key, AgentEvent event) {}

          @Override
          public void deadLetter(String key, DeadLetter deadLetter) {
            throw new AssertionError(deadLetter.getReason());
          }
        });
    return ids;
  }

  private static String header(ConsumerRecord<?, ?> r, String name) {
    var h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
