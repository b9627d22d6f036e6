package io.linkwatch.deploy.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.linkwatch.schemas.topic.TopicRole;
import io.linkwatch.schemas.topic.Topics;
import io.linkwatch.streams.app.StreamsRunner;
import io.linkwatch.testkit.JvmProcess;
import io.linkwatch.testkit.KafkaCluster;
import io.linkwatch.testkit.KafkaTestCluster;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "A crash at any point and a restart neither drop nor duplicate an alert" (DESIGN.md), on a real
 * three-broker cluster with {@code min.insync.replicas=2}: the simulator's scripted scenarios are
 * worked off once undisturbed (the reference) and then again under a fault, each run with its own
 * application id and output topics; the alerts topic of the disturbed run, read as a user reads it
 * ({@code read_committed}), must hold exactly the reference's transitions, byte for byte.
 */
@KafkaCluster(
    brokers = 3,
    brokerProperties = {"min.insync.replicas=2"})
class StreamsFaultsIT {

  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(4);
  private static final String MAIN = "io.linkwatch.deploy.cli.Main";

  @TempDir static Path dir;
  static Topics topics;
  static AlertLog reference;

  @BeforeAll
  static void referenceRun(KafkaTestCluster kafka) throws Exception {
    long t0 = System.nanoTime();
    topics = SimulatedInput.load(kafka, dir);
    long loaded = System.nanoTime();
    createOutputs(kafka, "reference");
    try (StreamsRunner streams =
        new StreamsRunner(StreamsRuns.settings(kafka, "reference", "a", dir))) {
      streams.start();
      StreamsRuns.awaitCaughtUp(kafka, "reference", RUN_TIMEOUT, () -> "");
    }
    reference = read(kafka, "reference");
    System.out.printf(
        "StreamsFaultsIT: input %d events loaded in %d s; reference run in %d s: %s%n",
        StreamsRuns.inputSize(kafka),
        seconds(loaded - t0),
        seconds(System.nanoTime() - loaded),
        reference.summary());
    assertThat(reference.size())
        .as("the scenarios fire alerts (a reference without any proves nothing)")
        .isGreaterThan(10);
  }

  @Test
  void shouldNeitherLoseNorDuplicateAnAlertWhenAStreamsInstanceIsKilled(KafkaTestCluster kafka)
      throws Exception {
    String run = "kill";
    createOutputs(kafka, run);
    long t0 = System.nanoTime();
    try (JvmProcess a = streamsProcess(kafka, run, "a");
        JvmProcess b = streamsProcess(kafka, run, "b")) {
      a.awaitLog("-> RUNNING", RUN_TIMEOUT);
      b.awaitLog("-> RUNNING", RUN_TIMEOUT);

      awaitFaultPoint(kafka, run, a);
      JvmProcess victim = mostActive(kafka, run, a, b);
      JvmProcess survivor = victim == a ? b : a;
      long left = StreamsRuns.lag(kafka, run);
      int exit = victim.kill();
      long killed = System.nanoTime();
      int before = read(kafka, run).size();
      System.out.printf(
          "StreamsFaultsIT: killed %s (exit %d) with %d source records left and %d of %d alert"
              + " transitions committed%n",
          victim, exit, left, before, reference.size());
      assertMidStream(left);

      StreamsRuns.awaitCaughtUp(kafka, run, RUN_TIMEOUT, survivor::tail);
      assertThat(survivor.isAlive()).as("the survivor runs on").isTrue();
      AlertLog log = read(kafka, run);
      AlertLog.Comparison diff = log.compareWith(reference);
      System.out.printf(
          "StreamsFaultsIT: survivor caught up %d s after the kill (run %d s)%n%s",
          seconds(System.nanoTime() - killed), seconds(System.nanoTime() - t0), diff.report());
      assertThat(diff.identical()).as(diff.report()).isTrue();
    }
  }

  @Test
  void shouldNeitherLoseNorDuplicateAnAlertWhenTheLeaderOfTheAlertsTopicCrashesAndRestarts(
      KafkaTestCluster kafka) throws Exception {
    String run = "broker";
    createOutputs(kafka, run);
    String alerts = StreamsRuns.outputTopic(run, TopicRole.ALERTS);
    long t0 = System.nanoTime();
    try (JvmProcess streams = streamsProcess(kafka, run, "a")) {
      streams.awaitLog("-> RUNNING", RUN_TIMEOUT);
      awaitFaultPoint(kafka, run, streams);

      int leader = kafka.leaderOf(alerts, 0);
      int before = read(kafka, run).size();
      long left = StreamsRuns.lag(kafka, run);
      kafka.killBroker(leader);
      long killed = System.nanoTime();
      System.out.printf(
          "StreamsFaultsIT: killed broker %d, leader of %s-0, with %d source records left and %d"
              + " of %d alert transitions committed%n",
          leader, alerts, left, before, reference.size());
      assertMidStream(left);
      kafka.awaitBrokerGone(leader, "the controller noticing the crash of broker " + leader);
      long gone = System.nanoTime();
      // the two brokers left (min.insync.replicas=2) take writes: the run goes on without it
      awaitAlerts(kafka, run, Math.min(reference.size(), before + 1), streams);
      kafka.startBroker(leader);
      long restarted = System.nanoTime();

      StreamsRuns.awaitCaughtUp(kafka, run, RUN_TIMEOUT, streams::tail);
      kafka.awaitReplicasInSync(List.of(alerts), RUN_TIMEOUT);
      assertThat(streams.isAlive()).as("the streams role rides out the crash").isTrue();
      AlertLog log = read(kafka, run);
      AlertLog.Comparison diff = log.compareWith(reference);
      System.out.printf(
          "StreamsFaultsIT: broker gone %d s after the crash, back after %d s; run caught up %d s"
              + " after the restart (run %d s)%n%s",
          seconds(gone - killed),
          seconds(restarted - killed),
          seconds(System.nanoTime() - restarted),
          seconds(System.nanoTime() - t0),
          diff.report());
      assertThat(diff.identical()).as(diff.report()).isTrue();
    }
  }

  /**
   * The pipeline after the events, restarted whole: the only streams instance and the sink that
   * delivers its alerts to a webhook receiver, both killed with SIGKILL at once mid-stream and
   * started again on their state directories. The alerts topic must equal the reference's, and the
   * receiver must get what the sink delivers of the reference when nothing fails.
   */
  @Test
  void shouldNeitherLoseNorDuplicateAnAlertWhenStreamsAndSinkAreKilledAndRestarted(
      KafkaTestCluster kafka) throws Exception {
    String run = "restart";
    createOutputs(kafka, run);
    try (WebhookReceiver expectedHook = WebhookReceiver.start();
        WebhookReceiver hook = WebhookReceiver.start()) {
      // what the sink delivers of the reference's alerts when nothing fails
      try (JvmProcess sink = sinkProcess(kafka, "reference", expectedHook)) {
        awaitDelivered(kafka, "reference", sink);
      }
      List<String> expected = expectedHook.keys();

      // a receiver that answers after 300 ms: notifications are in flight when the sink dies
      hook.answerAfter(Duration.ofMillis(300));
      long t0 = System.nanoTime();
      long left;
      try (JvmProcess streams = streamsProcess(kafka, run, "a");
          JvmProcess sink = sinkProcess(kafka, run, hook)) {
        streams.awaitLog("-> RUNNING", RUN_TIMEOUT);
        awaitFaultPoint(kafka, run, streams);
        left = StreamsRuns.lag(kafka, run);
        streams.kill();
        sink.kill();
      }
      long killed = System.nanoTime();
      // both are dead: what they had committed by then stays as it is until the restart
      int before = read(kafka, run).size();
      int notifiedAtKill = hook.keys().size();
      // the same instances again: same state directories, application id and consumer groups
      try (JvmProcess streams = streamsProcess(kafka, run, "a", "again");
          JvmProcess sink = sinkProcess(kafka, run, hook)) {
        StreamsRuns.awaitCaughtUp(kafka, run, RUN_TIMEOUT, streams::tail);
        awaitDelivered(kafka, run, sink);
      }
      AlertLog.Comparison diff = read(kafka, run).compareWith(reference);
      Map<String, Long> repeated = hook.repeated();
      System.out.printf(
          "StreamsFaultsIT: streams and sink killed with %d of %d alert transitions out and %d of"
              + " %d notifications sent, restarted; all done %d s after the kill (run %d s);"
              + " notifications sent twice: %s%n%s",
          before,
          reference.size(),
          notifiedAtKill,
          expected.size(),
          seconds(System.nanoTime() - killed),
          seconds(System.nanoTime() - t0),
          repeated,
          diff.report());
      assertMidStream(left);
      assertThat(notifiedAtKill)
          .as("the kill came before the sink had sent every notification")
          .isLessThan(expected.size());
      assertThat(diff.identical()).as(diff.report()).isTrue();
      assertThat(expected).as("the reference's alerts make the sink notify").isNotEmpty();
      assertThat(hook.keys().stream().distinct().toList())
          .as("notifications after the restart, by idempotency key")
          .containsExactlyInAnyOrderElementsOf(expected);
      // the sink may send again the one notification in flight when it died (same key)
      assertThat(repeated.values().stream().mapToLong(c -> c - 1).sum())
          .as("notifications sent twice")
          .isLessThanOrEqualTo(1);
    }
  }

  /**
   * The control: a second undisturbed run gives the reference's bytes. Without it a difference
   * under a fault could come from the topology's scheduling rather than from the fault.
   */
  @Test
  void shouldGiveTheReferenceAlertsAgainWhenNothingFails(KafkaTestCluster kafka) {
    String run = "again";
    createOutputs(kafka, run);
    try (StreamsRunner streams = new StreamsRunner(StreamsRuns.settings(kafka, run, "a", dir))) {
      streams.start();
      StreamsRuns.awaitCaughtUp(kafka, run, RUN_TIMEOUT, () -> "");
    }
    AlertLog.Comparison diff = read(kafka, run).compareWith(reference);
    System.out.printf("StreamsFaultsIT: undisturbed second run%n%s", diff.report());
    assertThat(diff.identical()).as(diff.report()).isTrue();
  }

  // ------------------------------------------------------------------ helpers

  private static void createOutputs(KafkaTestCluster kafka, String run) {
    for (TopicRole role : StreamsRuns.OUTPUTS) {
      kafka.createTopic(StreamsRuns.outputTopic(run, role), 3);
    }
  }

  private static AlertLog read(KafkaTestCluster kafka, String run) {
    return AlertLog.read(kafka, StreamsRuns.outputTopic(run, TopicRole.ALERTS), topics.serdes());
  }

  /** {@code linkwatch streams --config <file>} in a JVM of its own. */
  private static JvmProcess streamsProcess(KafkaTestCluster kafka, String run, String instance) {
    return streamsProcess(kafka, run, instance, "");
  }

  /** The same, its log file told apart by {@code incarnation} (a restart of the instance). */
  private static JvmProcess streamsProcess(
      KafkaTestCluster kafka, String run, String instance, String incarnation) {
    Map<String, String> settings = StreamsRuns.settings(kafka, run, instance, dir);
    Path config =
        StreamsRuns.writeProperties(settings, dir.resolve(run + "-" + instance + ".properties"));
    String name =
        "streams-" + run + "-" + instance + (incarnation.isEmpty() ? "" : "-" + incarnation);
    return JvmProcess.builder(name, MAIN)
        .args("streams", "--config", config.toString())
        .heap("384m")
        .logDirectory(Path.of("target", "faults"))
        .start();
  }

  /** The sink of a run: its alerts to one webhook receiver. */
  private static JvmProcess sinkProcess(KafkaTestCluster kafka, String run, WebhookReceiver hook)
      throws IOException {
    Map<TopicRole, String> names = new EnumMap<>(topics.names());
    StreamsRuns.OUTPUTS.forEach(role -> names.put(role, StreamsRuns.outputTopic(run, role)));
    return SinkProcess.start(
        run,
        kafka.bootstrapServers(),
        names,
        "receivers:\n  - {name: hook, type: webhook, url: '" + hook.url() + "', timeout: 5s}\n",
        dir,
        Map.of());
  }

  /**
   * Waits until the sink of a run has settled every transition of the run's alerts topic: its
   * receiver's group has committed past the last record of each partition.
   */
  private static void awaitDelivered(KafkaTestCluster kafka, String run, JvmProcess sink) {
    Map<Integer, Long> next = new HashMap<>();
    read(kafka, run)
        .transitions()
        .forEach(t -> next.merge(t.partition(), t.offset() + 1, Math::max));
    String topic = StreamsRuns.outputTopic(run, TopicRole.ALERTS);
    String group = SinkProcess.group(run, "hook");
    sink.await(
        "the sink of run " + run + " settling every transition of " + topic + " " + next,
        RUN_TIMEOUT,
        () -> {
          Map<TopicPartition, Long> committed = StreamsRuns.committed(kafka, group);
          return next.entrySet().stream()
              .allMatch(
                  e ->
                      committed.getOrDefault(new TopicPartition(topic, e.getKey()), 0L)
                          >= e.getValue());
        });
  }

  /**
   * Waits for the moment the fault strikes: once the run has written a quarter as many records to
   * its alerts topic as the reference's transitions. Polled on the end offsets, which takes
   * milliseconds, so that a fast machine has not finished the run by the time the test acts.
   */
  private static void awaitFaultPoint(KafkaTestCluster kafka, String run, JvmProcess watched) {
    long quarter = Math.max(1, reference.size() / 4);
    watched.await(
        quarter + " records written to the alerts topic of run " + run,
        RUN_TIMEOUT,
        () -> StreamsRuns.written(kafka, run) >= quarter);
  }

  private static void assertMidStream(long sourceRecordsLeft) {
    assertThat(sourceRecordsLeft)
        .as("source records the run had not worked off when the fault struck (mid-stream)")
        .isPositive();
  }

  private static void awaitAlerts(
      KafkaTestCluster kafka, String run, int count, JvmProcess... watched) {
    for (JvmProcess p : watched) {
      p.await(
          count + " alert transitions from run " + run,
          RUN_TIMEOUT,
          () -> read(kafka, run).size() >= count);
    }
  }

  /** The instance whose consumer holds the most partitions (active tasks). */
  private static JvmProcess mostActive(KafkaTestCluster kafka, String run, JvmProcess... candidates)
      throws InterruptedException, ExecutionException, TimeoutException {
    ConsumerGroupDescription group =
        kafka
            .admin()
            .describeConsumerGroups(List.of("faults-" + run))
            .all()
            .get(60, TimeUnit.SECONDS)
            .get("faults-" + run);
    Map<String, Integer> held = new java.util.HashMap<>();
    for (MemberDescription m : group.members()) {
      held.merge(m.clientId(), m.assignment().topicPartitions().size(), Integer::sum);
    }
    System.out.println(
        "StreamsFaultsIT: partitions held by the members of run " + run + ": " + held);
    return List.of(candidates).stream()
        .max(
            Comparator.comparingInt(
                p ->
                    held.entrySet().stream()
                        .filter(e -> e.getKey().startsWith("faults-" + p.name().substring(8)))
                        .mapToInt(Map.Entry::getValue)
                        .sum()))
        .orElseThrow();
  }

  private static long seconds(long nanos) {
    return TimeUnit.NANOSECONDS.toSeconds(nanos);
  }
}
