package io.linkwatch.deploy.faults;

import io.linkwatch.schemas.topic.TopicRole;
import io.linkwatch.testkit.KafkaTestCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;

/**
 * Settings of one run of the streams role over the shared input, and the wait for a run to have
 * worked off that input. Each run has its own application id (consumer group, internal topics,
 * state) and its own output topics ({@code <run>.linkwatch.alerts.v1}, ...), so that runs of the
 * same input can be compared.
 */
final class StreamsRuns {

  private static final Duration REPORT_EVERY = Duration.ofSeconds(10);

  private StreamsRuns() {}

  /** The event topics every run reads. */
  static final List<TopicRole> INPUTS =
      List.of(TopicRole.CONNECTIONS, TopicRole.PROVISIONING, TopicRole.AGENT);

  /** The topics each run writes, renamed with the run's prefix. */
  static final List<TopicRole> OUTPUTS =
      List.of(TopicRole.INCIDENTS, TopicRole.AGGREGATES, TopicRole.ALERTS);

  static String outputTopic(String run, TopicRole role) {
    return run + "." + role.defaultName();
  }

  /**
   * The streams role's settings for one run (one instance of it: {@code instance} names its state
   * directory and client id).
   *
   * <p>The wall-clock close is pushed out of reach ({@code streams.idle.close.ms} of 10 minutes):
   * each run then decides everything on the input's event time alone, so that a run disturbed by a
   * fault must give the reference run's alerts exactly. Grace periods of 15 minutes cover the
   * simulator's late records (up to 12 minutes late), as in the demo.
   */
  static Map<String, String> settings(
      KafkaTestCluster kafka, String run, String instance, Path stateRoot) {
    Map<String, String> s = new HashMap<>();
    s.put("bootstrap.servers", kafka.bootstrapServers());
    s.put("application.id", "faults-" + run);
    s.put("client.id", "faults-" + run + "-" + instance);
    s.put("state.dir", stateRoot.resolve(run + "-" + instance).toString());
    for (TopicRole role : OUTPUTS) {
      s.put(role.configKey(), outputTopic(run, role));
    }
    s.put("streams.grace.ms", "900000");
    s.put("streams.correlation.grace.ms", "900000");
    s.put("streams.idle.close.ms", "600000");
    s.put("streams.window.partitions", Integer.toString(SimulatedInput.PARTITIONS));
    s.put("streams.http.port", "0");
    s.put("num.stream.threads", "1");
    s.put("num.standby.replicas", "1");
    s.put("commit.interval.ms", System.getProperty("faults.commit.ms", "1000"));
    // a dead instance is noticed in seconds, not the default 45 s
    s.put("session.timeout.ms", "6000");
    s.put("heartbeat.interval.ms", "1500");
    // A killed instance leaves its open transaction behind, and every read_committed reader of the
    // partitions it wrote (the survivor included) waits until the coordinator aborts it: this
    // timeout is how long a failover takes. The role's default of 60 s suits a loaded production
    // machine; 20 s keeps the test short.
    s.put("producer.transaction.timeout.ms", "20000");
    return s;
  }

  /** The settings as a properties file, for a role started as a process. */
  static Path writeProperties(Map<String, String> settings, Path file) {
    Properties p = new Properties();
    p.putAll(settings);
    try (var out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      p.store(out, "streams role of a fault test");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  /**
   * Records of a run's sources (the event topics and its repartition topics) that its committed
   * offsets have not passed yet: 0 once the run has worked off its input and committed every
   * result.
   */
  static long lag(KafkaTestCluster kafka, String run) {
    return lagByPartition(kafka, run).values().stream().mapToLong(Long::longValue).sum();
  }

  static Map<TopicPartition, Long> lagByPartition(KafkaTestCluster kafka, String run) {
    Admin admin = kafka.admin();
    String appId = "faults-" + run;
    try {
      List<String> sources = new ArrayList<>();
      INPUTS.forEach(r -> sources.add(r.defaultName()));
      Set<String> all = admin.listTopics().names().get(60, TimeUnit.SECONDS);
      all.stream()
          .filter(t -> t.startsWith(appId + "-") && t.endsWith("-repartition"))
          .forEach(sources::add);
      Map<TopicPartition, Long> ends = endOffsets(admin, sources);
      Map<TopicPartition, Long> committed = committed(kafka, appId);
      Map<TopicPartition, Long> lag =
          new TreeMap<>(java.util.Comparator.comparing(Object::toString));
      ends.forEach(
          (tp, end) -> {
            long behind = end - committed.getOrDefault(tp, 0L);
            if (behind > 0) {
              lag.put(tp, behind);
            }
          });
      return lag;
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot read the offsets of run " + run, e.getCause());
    } catch (InterruptedException | TimeoutException e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException("cannot read the offsets of run " + run, e);
    }
  }

  /**
   * Waits until the run has committed its way to the end of its sources. Fails with the partitions
   * still behind and whatever {@code context} adds (e.g. the tail of a process log).
   */
  static void awaitCaughtUp(
      KafkaTestCluster kafka, String run, Duration timeout, Supplier<String> context) {
    long started = System.nanoTime();
    long deadline = started + timeout.toNanos();
    long nextReport = started + REPORT_EVERY.toNanos();
    Map<TopicPartition, Long> behind = Map.of();
    while (System.nanoTime() < deadline) {
      behind = lagByPartition(kafka, run);
      if (behind.isEmpty()) {
        return;
      }
      if (System.nanoTime() >= nextReport) {
        nextReport += REPORT_EVERY.toNanos();
        System.out.printf(
            "run %s, %d s: %d records of its sources not yet committed%n",
            run,
            TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started),
            behind.values().stream().mapToLong(Long::longValue).sum());
      }
      pause(Duration.ofMillis(500));
    }
    throw new AssertionError(
        "awaited run "
            + run
            + " to commit to the end of its input and repartition topics for "
            + timeout.toSeconds()
            + " s; still behind: "
            + behind
            + context.get());
  }

  /**
   * Records the run has written to its alerts topic, committed or not (end offsets, transaction
   * markers included): a cheap sign of progress, read in milliseconds.
   */
  static long written(KafkaTestCluster kafka, String run) {
    try {
      return endOffsets(kafka.admin(), List.of(outputTopic(run, TopicRole.ALERTS)))
          .values()
          .stream()
          .mapToLong(Long::longValue)
          .sum();
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot read the end offsets of run " + run, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The offsets a consumer group has committed, by partition. */
  static Map<TopicPartition, Long> committed(KafkaTestCluster kafka, String groupId) {
    try {
      Map<TopicPartition, Long> out = new HashMap<>();
      kafka
          .admin()
          .listConsumerGroupOffsets(groupId)
          .partitionsToOffsetAndMetadata()
          .get(60, TimeUnit.SECONDS)
          .forEach(
              (tp, o) -> {
                if (o != null) {
                  out.put(tp, o.offset());
                }
              });
      return out;
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot read the offsets of group " + groupId, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Total records in the event topics. */
  static long inputSize(KafkaTestCluster kafka) {
    try {
      Collection<String> names = INPUTS.stream().map(TopicRole::defaultName).toList();
      return endOffsets(kafka.admin(), names).values().stream().mapToLong(Long::longValue).sum();
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot read the end offsets of the event topics", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The end offset of every partition of the topics. */
  private static Map<TopicPartition, Long> endOffsets(Admin admin, Collection<String> topics)
      throws ExecutionException, InterruptedException, TimeoutException {
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    for (TopicDescription d :
        admin.describeTopics(topics).allTopicNames().get(60, TimeUnit.SECONDS).values()) {
      d.partitions()
          .forEach(
              p -> request.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest()));
    }
    Map<TopicPartition, Long> out = new HashMap<>();
    admin
        .listOffsets(request)
        .all()
        .get(60, TimeUnit.SECONDS)
        .forEach((tp, info) -> out.put(tp, info.offset()));
    return out;
  }

  private static void pause(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
