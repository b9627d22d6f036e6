package io.linkwatch.deploy.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.linkwatch.schemas.topic.TopicRole;
import io.linkwatch.schemas.topic.Topics;
import io.linkwatch.streams.app.StreamsRunner;
import io.linkwatch.testkit.JvmProcess;
import io.linkwatch.testkit.KafkaCluster;
import io.linkwatch.testkit.KafkaTestCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
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

      awaitAlerts(kafka, run, early(), a, b);
      JvmProcess victim = mostActive(kafka, run, a, b);
      JvmProcess survivor = victim == a ? b : a;
      int before = read(kafka, run).size();
      int exit = victim.kill();
      long killed = System.nanoTime();
      System.out.printf(
          "StreamsFaultsIT: killed %s (exit %d) with %d of %d alert transitions out%n",
          victim, exit, before, reference.size());
      assertThat(before)
          .as("the kill came mid-stream, before the run had written every alert")
          .isLessThan(reference.size());

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
      awaitAlerts(kafka, run, early(), streams);

      int leader = kafka.leaderOf(alerts, 0);
      int before = read(kafka, run).size();
      kafka.killBroker(leader);
      long killed = System.nanoTime();
      System.out.printf(
          "StreamsFaultsIT: killed broker %d, leader of %s-0, with %d of %d alert transitions"
              + " out%n",
          leader, alerts, before, reference.size());
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
      assertThat(before)
          .as("the crash came mid-stream, before the run had written every alert")
          .isLessThan(reference.size());
      assertThat(diff.identical()).as(diff.report()).isTrue();
    }
  }

  @Test
  void shouldNeitherLoseNorDuplicateAnAlertWhenTheOnlyInstanceIsKilledAndRestarted(
      KafkaTestCluster kafka) throws Exception {
    String run = "restart";
    createOutputs(kafka, run);
    long t0 = System.nanoTime();
    int before;
    try (JvmProcess first = streamsProcess(kafka, run, "a")) {
      first.awaitLog("-> RUNNING", RUN_TIMEOUT);
      awaitAlerts(kafka, run, early(), first);
      before = read(kafka, run).size();
      first.kill();
    }
    long killed = System.nanoTime();
    // the same instance again: same state directory, same application id
    try (JvmProcess second = streamsProcess(kafka, run, "a", "again")) {
      StreamsRuns.awaitCaughtUp(kafka, run, RUN_TIMEOUT, second::tail);
      AlertLog.Comparison diff = read(kafka, run).compareWith(reference);
      System.out.printf(
          "StreamsFaultsIT: the only instance killed with %d of %d alert transitions out,"
              + " restarted; caught up %d s after the kill (run %d s)%n%s",
          before,
          reference.size(),
          seconds(System.nanoTime() - killed),
          seconds(System.nanoTime() - t0),
          diff.report());
      assertThat(before)
          .as("the kill came mid-stream, before the run had written every alert")
          .isLessThan(reference.size());
      assertThat(diff.identical()).as(diff.report()).isTrue();
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

  /**
   * When the fault strikes: once a quarter of the reference's transitions are out, early enough
   * that a fast machine has not finished the run by the time the test acts.
   */
  private static int early() {
    return Math.max(1, reference.size() / 4);
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
