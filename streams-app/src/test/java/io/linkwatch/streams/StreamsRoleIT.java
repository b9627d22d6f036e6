package io.linkwatch.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.linkwatch.avro.AgentCause;
import io.linkwatch.avro.ConnectionEvent;
import io.linkwatch.avro.Incident;
import io.linkwatch.avro.IncidentKind;
import io.linkwatch.schemas.topic.Topics;
import io.linkwatch.streams.app.StreamsRunner;
import io.linkwatch.testkit.KafkaCluster;
import io.linkwatch.testkit.KafkaTestCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The streams role on a real in-JVM cluster: a fleet with hourly SAS renewals, revoked devices that
 * keep retrying, a DPS registration failing attestation and an Arc agent behind a blocking proxy,
 * fed in two halves with the application stopped and started again in between. Every injected
 * incident must be found once (recall), nothing else reported as a failure (precision), and no
 * incident duplicated by the restart.
 */
@KafkaCluster
class StreamsRoleIT {

  // recent event times: the event topics keep 7 days, older records would be deleted by retention
  private static final Instant T0 =
      Instant.now().truncatedTo(java.time.temporal.ChronoUnit.HOURS).minus(Duration.ofHours(6));
  private static final int DEVICES = 40;
  private static final int HOURS = 3;
  private static final Set<String> REVOKED = Set.of("dev-3", "dev-17", "dev-29");
  private static final int HTTP_PORT = 38081;

  private record Truth(IncidentKind kind, String subject) {}

  @Test
  void shouldFindEveryInjectedIncidentOnceAcrossARestart(KafkaTestCluster kafka) throws Exception {
    Topics topics = kafka.createLinkwatchTopics();
    Map<String, String> settings = new HashMap<>();
    kafka
        .streamsConfig(kafka.uniqueName("linkwatch-it"))
        .forEach((k, v) -> settings.put(k, v.toString()));
    settings.put("streams.grace.ms", "30000");
    settings.put("streams.correlation.grace.ms", "30000");
    settings.put(
        "streams.idle.close.ms", "600000"); // the test's own pauses must not close anything
    settings.put("streams.window.partitions", "3");
    settings.put("streams.http.port", Integer.toString(HTTP_PORT));
    settings.put("num.stream.threads", "1");
    settings.put("session.timeout.ms", "10000"); // the restarted instance need not wait 45 s

    List<ProducerRecord<String, ConnectionEvent>> fleet = new ArrayList<>();
    List<Truth> truth = new ArrayList<>();
    for (int h = 0; h < HOURS; h++) {
      for (int d = 0; d < DEVICES; d++) {
        String hub = d % 2 == 0 ? "hub-a" : "hub-b";
        String dev = "dev-" + d;
        Instant t = T0.plus(Duration.ofHours(h)).plusSeconds(d * 60L);
        fleet.add(record(topics, Events.unauthorized(hub, dev, t)));
        fleet.add(record(topics, Events.closedRemotely(hub, dev, t.plusSeconds(1))));
        if (!REVOKED.contains(dev)) {
          fleet.add(record(topics, Events.connect(hub, dev, t.plusSeconds(8))));
          truth.add(new Truth(IncidentKind.TOKEN_RENEWAL, hub + "/" + dev));
        } else if (h == 0) {
          truth.add(new Truth(IncidentKind.AUTH_FAILURE, hub + "/" + dev));
        }
      }
    }
    fleet.sort((a, b) -> Long.compare(a.timestamp(), b.timestamp()));
    // a repeated delivery of a few records (at-least-once export) must change nothing
    fleet.add(fleet.size() / 3, fleet.get(5));
    fleet.add(fleet.size() / 3, fleet.get(6));

    kafka.produce(
        topics.provisioning(),
        new ProducerRecord<>(
            topics.provisioning().name(),
            null,
            T0.toEpochMilli(),
            "dps-1/reg-bad",
            Events.attestationFailure("dps-1", "reg-bad", "group-x509", T0.plusSeconds(30))));
    truth.add(new Truth(IncidentKind.ATTESTATION_FAILURE, "dps-1/reg-bad"));
    kafka.produce(
        topics.agent(),
        new ProducerRecord<>(
            topics.agent().name(),
            null,
            T0.toEpochMilli(),
            "machine-7",
            Events.agentFailure(
                "machine-7", AgentCause.PROXY_OR_FIREWALL_BLOCKED, T0.plusSeconds(40))));
    truth.add(new Truth(IncidentKind.AGENT_CONNECTION_FAILURE, "machine-7"));
    int half = fleet.size() / 2;
    Set<String> seen;
    try (StreamsRunner first = new StreamsRunner(settings)) {
      first.start();
      fleet.subList(0, half).forEach(r -> kafka.produce(topics.connections(), r));
      kafka.awaitRecords(topics.incidents(), 20, Duration.ofSeconds(120));
    }
    Instant end = T0.plus(Duration.ofHours(HOURS + 1));
    // the second instance reuses the first one's state and committed offsets
    fleet.subList(half, fleet.size()).forEach(r -> kafka.produce(topics.connections(), r));
    kafka.produce(topics.connections(), record(topics, Events.connect("hub-a", "tick", end)));

    try (StreamsRunner second = new StreamsRunner(settings)) {
      second.start();
      List<ConsumerRecord<String, Incident>> records =
          kafka.awaitRecords(
              topics.incidents(),
              rs ->
                  found(rs).containsAll(truth)
                      && rs.stream()
                              .filter(r -> r.value().getKind() == IncidentKind.TOKEN_RENEWAL)
                              .count()
                          >= (long) (DEVICES - REVOKED.size()) * HOURS,
              "every injected incident ("
                  + truth.size()
                  + ", of which "
                  + (DEVICES - REVOKED.size()) * HOURS
                  + " token renewals)",
              Duration.ofSeconds(180));
      List<Incident> incidents = records.stream().map(ConsumerRecord::value).toList();

      Set<Truth> found = found(records);
      Set<Truth> failures =
          found.stream()
              .filter(t -> t.kind() != IncidentKind.TOKEN_RENEWAL)
              .collect(Collectors.toSet());
      Set<Truth> expectedFailures =
          truth.stream()
              .filter(t -> t.kind() != IncidentKind.TOKEN_RENEWAL)
              .collect(Collectors.toSet());
      Set<Truth> injected = new HashSet<>(truth);
      long tp = injected.stream().filter(found::contains).count();
      double recall = (double) tp / injected.size();
      long correct = found.stream().filter(injected::contains).count();
      double precision = (double) correct / found.size();
      System.out.printf(
          "StreamsRoleIT: %d injected incidents (%d distinct kind+subject, %d failures), %d incident"
              + " records; precision %.3f, recall %.3f (by kind+subject)%n",
          truth.size(),
          injected.size(),
          expectedFailures.size(),
          incidents.size(),
          precision,
          recall);

      assertThat(found).containsAll(truth);
      assertThat(failures)
          .as("no benign token renewal reported as a failure")
          .isEqualTo(expectedFailures);
      List<String> keys =
          incidents.stream().map(i -> i.getIncidentId() + "#" + i.getRevision()).toList();
      assertThat(keys).as("no incident emitted twice across the restart").doesNotHaveDuplicates();
      long renewals =
          incidents.stream().filter(i -> i.getKind() == IncidentKind.TOKEN_RENEWAL).count();
      assertThat(renewals).isEqualTo((long) (DEVICES - REVOKED.size()) * HOURS);

      HttpClient http = HttpClient.newHttpClient();
      Awaitility.await("interactive query of the incidents of hub-b/dev-3")
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(
              () -> {
                HttpResponse<String> r =
                    http.send(
                        HttpRequest.newBuilder(
                                URI.create(
                                    "http://127.0.0.1:"
                                        + HTTP_PORT
                                        + "/api/incidents?device=hub-b/dev-3&from="
                                        + T0.minus(Duration.ofDays(1))
                                        + "&to="
                                        + T0.plus(Duration.ofDays(1))))
                            .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body()).contains("AUTH_FAILURE");
              });
      HttpResponse<String> metrics =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + HTTP_PORT + "/metrics"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(metrics.body()).contains("linkwatch_streams_incidents_total");
    }
  }

  private static Set<Truth> found(List<ConsumerRecord<String, Incident>> records) {
    Set<Truth> out = new java.util.LinkedHashSet<>();
    for (ConsumerRecord<String, Incident> r : records) {
      out.add(new Truth(r.value().getKind(), r.value().getSubject()));
    }
    return out;
  }

  private static ProducerRecord<String, ConnectionEvent> record(Topics topics, ConnectionEvent e) {
    return new ProducerRecord<>(
        topics.connections().name(),
        null,
        e.getTime().toEpochMilli(),
        e.getHub() + "/" + e.getDeviceId(),
        e);
  }

  @SuppressWarnings("unused")
  private static Set<String> sorted(Set<String> s) {
    return new TreeSet<>(s);
  }
}
