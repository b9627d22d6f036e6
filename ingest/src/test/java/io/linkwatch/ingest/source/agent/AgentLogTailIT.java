package io.linkwatch.ingest.source.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.linkwatch.avro.AgentCause;
import io.linkwatch.avro.AgentEvent;
import io.linkwatch.ingest.config.KafkaClients;
import io.linkwatch.ingest.parse.AgentLogParser;
import io.linkwatch.ingest.sink.IngestMetrics;
import io.linkwatch.ingest.sink.KafkaEventSink;
import io.linkwatch.ingest.source.Progress;
import io.linkwatch.ingest.source.file.Checkpoint;
import io.linkwatch.ingest.testing.Cli;
import io.linkwatch.schemas.topic.Topics;
import io.linkwatch.testkit.KafkaCluster;
import io.linkwatch.testkit.KafkaTestCluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@KafkaCluster
class AgentLogTailIT {

  private static final Duration WAIT = Duration.ofSeconds(60);

  static KafkaTestCluster kafka;

  // recent event times: the broker's time-based retention deletes rolled segments of old ones
  private static final java.time.Instant T0 =
      java.time.Instant.now()
          .minus(Duration.ofHours(1))
          .truncatedTo(java.time.temporal.ChronoUnit.SECONDS);

  private static String line(int n) {
    return "time=\"" + T0.plusSeconds(n) + "\" level=info msg=\"line-" + n + "\"\n";
  }

  private static void append(Path file, int... numbers) throws IOException {
    StringBuilder b = new StringBuilder();
    for (int n : numbers) {
      b.append(line(n));
    }
    Files.writeString(
        file, b, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  private static List<String> messages(Topics topics, String machine, int count) {
    List<ConsumerRecord<String, AgentEvent>> records =
        kafka.awaitRecords(
            topics.agent(),
            rs -> rs.stream().filter(r -> r.key().equals(machine)).count() >= count,
            count + " lines of " + machine,
            WAIT);
    List<String> out = new ArrayList<>();
    records.stream()
        .filter(r -> r.key().equals(machine))
        .forEach(r -> out.add(r.value().getMessage()));
    return out;
  }

  private static KafkaEventSink sink(Topics topics) {
    Map<String, Object> props =
        KafkaClients.producer(Map.of("bootstrap.servers", kafka.bootstrapServers()), "agent-it");
    return new KafkaEventSink(
        new KafkaProducer<>(props),
        topics,
        new IngestMetrics(new SimpleMeterRegistry(), "agent-log"),
        1 << 20);
  }

  @Test
  void shouldFollowTheLogThroughRenameAndCopytruncateRotations(@TempDir Path dir) throws Exception {
    Topics topics = kafka.createLinkwatchTopics("tail.");
    Path log = dir.resolve("azcmagent.log");
    append(log, 1, 2, 3);
    AtomicBoolean stop = new AtomicBoolean();
    try (KafkaEventSink sink = sink(topics)) {
      AgentLogTail tail =
          new AgentLogTail(
              new AgentLogTail.Options(log, "arc-tail", true, false, 50, 100, 1 << 20),
              new AgentLogParser(1 << 20, 1 << 16, System::currentTimeMillis),
              sink,
              Checkpoint.load(dir.resolve("cp/tail.checkpoint")),
              Progress.none());
      CompletableFuture<?> running = CompletableFuture.runAsync(() -> tail.run(stop::get));

      assertThat(messages(topics, "arc-tail", 3)).containsExactly("line-1", "line-2", "line-3");

      // logrotate's default: the log is renamed, the agent still writes a line to the old file,
      // then a new log is created
      append(log, 4);
      Files.move(log, dir.resolve("azcmagent.log.1"));
      append(dir.resolve("azcmagent.log.1"), 5);
      append(log, 6, 7);
      assertThat(messages(topics, "arc-tail", 7))
          .containsExactly("line-1", "line-2", "line-3", "line-4", "line-5", "line-6", "line-7");

      // copytruncate: the log is copied away and emptied in place, then written again
      Files.copy(log, dir.resolve("azcmagent.log.2"));
      Files.write(log, new byte[0], StandardOpenOption.TRUNCATE_EXISTING);
      append(log, 8);
      assertThat(messages(topics, "arc-tail", 8)).endsWith("line-7", "line-8").hasSize(8);

      stop.set(true);
      running.get();
    }
  }

  @Test
  void shouldFinishTheOldFileWhenTheLogRotatedWhileStopped(@TempDir Path dir) throws Exception {
    Topics topics = kafka.createLinkwatchTopics("rotated.");
    Path log = dir.resolve("machine-a").resolve("azcmagent.log");
    Files.createDirectories(log.getParent());
    Files.writeString(
        log,
        line(1)
            + "time=\""
            + T0.plusSeconds(2)
            + "\" level=error msg=\"Failed to acquire authorization"
            + " token from SPN: Failed to execute the refresh request. Error = 'Post"
            + " https://login.windows.net/t/oauth2/token?api-version=1.0: Forbidden'\"\n",
        StandardCharsets.UTF_8);
    List<String> args =
        new ArrayList<>(
            List.of(
                "ingest",
                "agent-log",
                log.toString(),
                "--machine",
                "arc-rot",
                "--no-follow",
                "--checkpoint",
                dir.resolve("agent.checkpoint").toString(),
                "-b",
                kafka.bootstrapServers()));
    args.addAll(Cli.topics(topics));

    Cli.Run first = Cli.run(args.toArray(String[]::new));
    assertThat(first.exit()).as(first.err()).isZero();
    append(log, 3, 4);
    Files.move(log, log.resolveSibling("azcmagent.log.1"));
    append(log, 5);
    Cli.Run second = Cli.run(args.toArray(String[]::new));

    assertThat(second.exit()).as(second.err()).isZero();
    List<String> messages = messages(topics, "arc-rot", 5);
    assertThat(messages).hasSize(5).doesNotHaveDuplicates().contains("line-3", "line-4", "line-5");
    assertThat(kafka.readAll(topics.agent()))
        .anySatisfy(
            r -> assertThat(r.value().getCause()).isEqualTo(AgentCause.PROXY_OR_FIREWALL_BLOCKED));
  }
}
