package io.linkwatch.deploy.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.linkwatch.avro.Alert;
import io.linkwatch.schemas.topic.Topics;
import io.linkwatch.testkit.JvmProcess;
import io.linkwatch.testkit.KafkaCluster;
import io.linkwatch.testkit.KafkaTestCluster;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "A notification that cannot be delivered is retried; a crash and a restart neither drop nor
 * duplicate an alert" (DESIGN.md), for the sink: {@code linkwatch sink} as a process of its own,
 * delivering to a real Alertmanager and to a webhook receiver, while alerts fire and resolve.
 *
 * <p>The webhook receiver goes down (connections refused) for {@code faults.outage.seconds} (75 s
 * here, with a backoff capped at 4 s so that the outage spans many retry cycles; {@code
 * -Dfaults.outage.seconds=240 -Dfaults.sink.backoff=default} runs the sink's own backoff for four
 * minutes). Then the sink is killed with SIGKILL while a notification is in flight.
 */
@KafkaCluster
class SinkFaultsIT {

  private static final Duration OUTAGE =
      Duration.ofSeconds(Long.getLong("faults.outage.seconds", 75));
  private static final boolean DEFAULT_BACKOFF =
      "default".equals(System.getProperty("faults.sink.backoff"));
  private static final Duration WAIT = Duration.ofSeconds(120);

  /** Alertmanager must hold a transition this soon after it was written, outage or not. */
  private static final Duration PROMPT = Duration.ofSeconds(20);

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void shouldDeliverEveryTransitionOnceWhenAWebhookReceiverIsDownForMinutes(
      KafkaTestCluster kafka, @TempDir Path dir) throws Exception {
    Topics topics = kafka.createLinkwatchTopics("outage.");
    AlertScript script = new AlertScript("outage");
    try (Alertmanager am = Alertmanager.start(dir.resolve("am"));
        WebhookReceiver hook = WebhookReceiver.start();
        JvmProcess sink = sink("outage", kafka, topics, am, hook, dir)) {
      int metricsPort = dashboardPort(sink);

      // given two alerts delivered to both receivers
      List<Long> amLags = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        play(kafka, topics, script, script.fire(i), am, sink, amLags);
      }
      await(
          sink,
          "the webhook receiver accepting the first 2 transitions",
          WAIT,
          () -> hook.keys().size() >= 2);

      // when the webhook receiver is down while alerts fire and resolve
      hook.goDown();
      long down = System.nanoTime();
      int next = 2;
      for (int step = 0; step < 12; step++) {
        Alert a =
            step % 3 == 2 && script.anyFiring() ? script.resolveOldest() : script.fire(next++);
        play(kafka, topics, script, a, am, sink, amLags);
      }
      int minRetries = DEFAULT_BACKOFF ? 8 : 12;
      await(
          sink,
          "the outage of "
              + OUTAGE.toSeconds()
              + " s to pass with at least "
              + minRetries
              + " failed attempts against the webhook receiver",
          OUTAGE.plus(WAIT),
          () ->
              System.nanoTime() - down >= OUTAGE.toNanos()
                  && retries(metricsPort, "hook") >= minRetries);
      double retriesDuringOutage = retries(metricsPort, "hook");
      assertThat(hook.keys()).as("nothing reaches a receiver that is down").hasSize(2);

      // then, back up, it gets every transition once, in order per series
      hook.comeBack();
      long up = System.nanoTime();
      play(kafka, topics, script, script.fire(next++), am, sink, amLags);
      play(kafka, topics, script, script.resolveOldest(), am, sink, amLags);
      List<String> expected = script.keys();
      await(
          sink,
          "the webhook receiver, back up, accepting all " + expected.size() + " transitions",
          WAIT,
          () -> hook.keys().size() >= expected.size());
      long caughtUp = System.nanoTime();

      System.out.printf(
          "SinkFaultsIT: webhook down %d s, %.0f failed attempts meanwhile; back up, it had all"
              + " %d transitions %d ms later; Alertmanager held each transition %d ms (max) after"
              + " it was written%n",
          TimeUnit.NANOSECONDS.toSeconds(up - down),
          retriesDuringOutage,
          expected.size(),
          TimeUnit.NANOSECONDS.toMillis(caughtUp - up),
          amLags.stream().mapToLong(Long::longValue).max().orElse(0));
      assertThat(hook.keys())
          .as("every transition reaches the webhook receiver exactly once")
          .containsExactlyInAnyOrderElementsOf(expected);
      assertOrderPerSeries(hook.keys(), expected);
      assertThat(am.firing()).as("what Alertmanager holds as firing").isEqualTo(script.firingNow());
      assertThat(kafka.readAll(topics.sinkDeadLetter()))
          .as("dead-lettered notifications")
          .isEmpty();
    }
  }

  @Test
  void shouldDeliverEveryTransitionWhenTheSinkIsKilledMidDeliveryAndRestarted(
      KafkaTestCluster kafka, @TempDir Path dir) throws Exception {
    Topics topics = kafka.createLinkwatchTopics("kill.");
    AlertScript script = new AlertScript("kill");
    try (Alertmanager am = Alertmanager.start(dir.resolve("am"));
        WebhookReceiver hook = WebhookReceiver.start()) {
      // a slow receiver: each notification is in flight for 400 ms
      hook.answerAfter(Duration.ofMillis(400));
      for (int i = 0; i < 16; i++) {
        Alert a = i % 3 == 2 ? script.resolveOldest() : script.fire(i);
        kafka.produce(topics.alerts(), a.getFingerprint(), a);
      }
      List<String> expected = script.keys();

      int atKill;
      try (JvmProcess first = sink("kill", kafka, topics, am, hook, dir)) {
        await(
            first,
            "a third of the transitions delivered",
            WAIT,
            () -> hook.keys().size() >= expected.size() / 3);
        first.kill();
        atKill = hook.keys().size();
      }
      assertThat(atKill).as("the kill came mid-delivery").isLessThan(expected.size());

      try (JvmProcess second = sink("kill", kafka, topics, am, hook, dir)) {
        await(
            second,
            "every transition delivered after the restart",
            WAIT,
            () -> hook.keys().stream().distinct().count() >= expected.size());
        await(
            second,
            "Alertmanager holding the firing alerts",
            WAIT,
            () -> am.firing().equals(script.firingNow()));
      }
      Map<String, Long> repeated = hook.repeated();
      System.out.printf(
          "SinkFaultsIT: sink killed after %d of %d transitions; after the restart every one"
              + " arrived; sent twice: %s%n",
          atKill, expected.size(), repeated);
      assertThat(hook.keys().stream().distinct().toList())
          .as("every transition reaches the webhook receiver")
          .containsExactlyInAnyOrderElementsOf(expected);
      // the one in flight when the sink died may come again, under the same idempotency key;
      // what was delivered and recorded before the kill does not
      assertThat(repeated.values().stream().mapToLong(c -> c - 1).sum())
          .as("transitions sent again after the restart (only the one in flight at the kill)")
          .isLessThanOrEqualTo(1);
      assertOrderPerSeries(hook.keys().stream().distinct().toList(), expected);
      assertThat(kafka.readAll(topics.sinkDeadLetter()))
          .as("dead-lettered notifications")
          .isEmpty();
    }
  }

  // ------------------------------------------------------------------ helpers

  /**
   * Writes one transition and waits until Alertmanager shows it (a FIRED one firing with its
   * sequence, a RESOLVED one gone), recording how long that took.
   */
  private static void play(
      KafkaTestCluster kafka,
      Topics topics,
      AlertScript script,
      Alert a,
      Alertmanager am,
      JvmProcess sink,
      List<Long> lags) {
    long t0 = System.nanoTime();
    kafka.produce(topics.alerts(), a.getFingerprint(), a);
    String id = a.getAlertId().toString();
    String seq = Long.toString(a.getSequence());
    boolean firing = a.getResolvedTime() == null;
    await(
        sink,
        "Alertmanager showing " + a.getTransition() + " " + id,
        PROMPT,
        () -> firing ? seq.equals(am.firing().get(id)) : !am.firing().containsKey(id));
    lags.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
  }

  /** {@code linkwatch sink} in a JVM of its own, delivering to Alertmanager and the webhook. */
  private static JvmProcess sink(
      String run,
      KafkaTestCluster kafka,
      Topics topics,
      Alertmanager am,
      WebhookReceiver hook,
      Path dir)
      throws IOException {
    String routing =
        "receivers:\n"
            + "  - {name: oncall, type: alertmanager, url: '"
            + am.url()
            + "'}\n"
            + "  - {name: hook, type: webhook, url: '"
            + hook.url()
            + "', timeout: 2s}\n";
    Map<String, String> retries =
        DEFAULT_BACKOFF
            ? Map.of()
            // the outage spans many retry cycles in a minute or two, none of them dead-letters
            : Map.of(
                "sink.retry.initial.backoff.ms", "250",
                "sink.retry.max.backoff.ms", "4000",
                "sink.retry.max.attempts", "1000");
    return SinkProcess.start(run, kafka.bootstrapServers(), topics.names(), routing, dir, retries);
  }

  private static final Pattern LISTENING =
      Pattern.compile("dashboard: listening on http://[^:]+:(\\d+)/");

  private static int dashboardPort(JvmProcess sink) throws IOException {
    Matcher m = LISTENING.matcher(Files.readString(sink.log(), StandardCharsets.UTF_8));
    if (!m.find()) {
      throw new AssertionError("no dashboard port in the sink's log" + sink.tail());
    }
    return Integer.parseInt(m.group(1));
  }

  private static final Pattern RETRIES =
      Pattern.compile(
          "^linkwatch_sink_retries_total\\{[^}]*receiver=\"(\\w+)\"[^}]*} ([0-9.eE+]+)$",
          Pattern.MULTILINE);

  /** Failed attempts the sink will retry, against one receiver, from its {@code /metrics}. */
  private double retries(int port, String receiver) {
    try {
      String text =
          http.send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                      .timeout(Duration.ofSeconds(10))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      double sum = 0;
      Matcher m = RETRIES.matcher(text);
      while (m.find()) {
        if (m.group(1).equals(receiver)) {
          sum += Double.parseDouble(m.group(2));
        }
      }
      return sum;
    } catch (IOException e) {
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void assertOrderPerSeries(List<String> got, List<String> expected) {
    // a key is <alertId>:<sequence>, and the alert id starts with the series' fingerprint
    Map<String, List<String>> want = new LinkedHashMap<>();
    Map<String, List<String>> have = new LinkedHashMap<>();
    expected.forEach(k -> want.computeIfAbsent(series(k), s -> new ArrayList<>()).add(k));
    got.forEach(k -> have.computeIfAbsent(series(k), s -> new ArrayList<>()).add(k));
    assertThat(have).as("transitions of each series, in arrival order").isEqualTo(want);
  }

  private static String series(String key) {
    return key.substring(0, key.lastIndexOf(':'));
  }

  private static void await(
      JvmProcess sink, String description, Duration timeout, BooleanSupplier condition) {
    sink.await(description, timeout, condition);
  }
}
