package io.linkwatch.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.linkwatch.avro.AgentEvent;
import io.linkwatch.avro.ConnectionEvent;
import io.linkwatch.avro.Incident;
import io.linkwatch.avro.IncidentKind;
import io.linkwatch.avro.ProvisioningEvent;
import io.linkwatch.schemas.serde.AvroSerdes;
import io.linkwatch.schemas.topic.TopicPlan;
import io.linkwatch.schemas.topic.Topics;
import io.linkwatch.streams.app.StreamsRunner;
import io.linkwatch.testkit.KafkaCluster;
import io.linkwatch.testkit.KafkaTestCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ingest module's simulated fleet (every scripted scenario, late and repeated deliveries) on
 * the event topics of a real in-JVM cluster, through the streams role: every injected incident is
 * found and no benign token renewal is reported as a failure. Precision and recall are printed.
 */
@KafkaCluster
class SimulatedFleetIT {

  @TempDir Path dir;

  @Test
  void shouldFindEveryIncidentTheSimulatorInjected(KafkaTestCluster kafka) throws Exception {
    SimulatedFleet fleet =
        SimulatedFleet.run(SimulatedFleet.options(11, Duration.ofHours(3), 120), dir);
    // The whole input is on the topics before the role starts, over three partitions: catching up
    // a backlog is what a restarted or replayed role does, and it must find the same incidents as
    // a live run. Each stage below a repartition waits at start until every upstream task ticked.
    TopicPlan plan =
        TopicPlan.builder()
            .partitions(Integer.getInteger("simulated.partitions", 3))
            .replicationFactor((short) 1)
            .build();
    kafka.createTopics(plan);
    Topics topics = Topics.create(plan.names(), AvroSerdes.singleObject());

    Map<String, Object> producerConfig = kafka.producerConfig();
    try (KafkaProducer<String, ConnectionEvent> conn =
            new KafkaProducer<>(
                producerConfig,
                new StringSerializer(),
                topics.connections().valueSerde().serializer());
        KafkaProducer<String, ProvisioningEvent> prov =
            new KafkaProducer<>(
                producerConfig,
                new StringSerializer(),
                topics.provisioning().valueSerde().serializer());
        KafkaProducer<String, AgentEvent> agent =
            new KafkaProducer<>(
                producerConfig, new StringSerializer(), topics.agent().valueSerde().serializer())) {
      long last = 0;
      for (SimulatedFleet.Event e : fleet.events) {
        last = Math.max(last, e.time());
        switch (e.topic()) {
          case "connections" ->
              conn.send(
                  new ProducerRecord<>(
                      topics.connections().name(),
                      null,
                      e.time(),
                      e.key(),
                      (ConnectionEvent) e.value()));
          case "provisioning" ->
              prov.send(
                  new ProducerRecord<>(
                      topics.provisioning().name(),
                      null,
                      e.time(),
                      e.key(),
                      (ProvisioningEvent) e.value()));
          default ->
              agent.send(
                  new ProducerRecord<>(
                      topics.agent().name(), null, e.time(), e.key(), (AgentEvent) e.value()));
        }
      }
      // one record an hour after the end on every partition of every input: each correlator keeps
      // its own event time (EventClock), so each input's clock moves past every deadline, as it
      // would with live traffic on all three
      int partitions =
          kafka
              .admin()
              .describeTopics(List.of(topics.connections().name()))
              .allTopicNames()
              .get()
              .get(topics.connections().name())
              .partitions()
              .size();
      for (int p = 0; p < partitions; p++) {
        long t = last + Duration.ofHours(1).toMillis();
        conn.send(
            new ProducerRecord<>(
                topics.connections().name(),
                p,
                t,
                "tick-hub/tick-" + p,
                Events.connect("tick-hub", "tick-" + p, java.time.Instant.ofEpochMilli(t))));
        prov.send(
            new ProducerRecord<>(
                topics.provisioning().name(),
                p,
                t,
                "tick-dps/tick-" + p,
                Events.dps("tick-dps", "tick-" + p, java.time.Instant.ofEpochMilli(t)).build()));
        agent.send(
            new ProducerRecord<>(
                topics.agent().name(),
                p,
                t,
                "tick-" + p,
                Events.agentLine("tick-" + p, java.time.Instant.ofEpochMilli(t))));
      }
      conn.flush();
      prov.flush();
      agent.flush();
    }

    Map<String, String> settings = new HashMap<>();
    kafka
        .streamsConfig(kafka.uniqueName("linkwatch-sim"))
        .forEach((k, v) -> settings.put(k, v.toString()));
    settings.put("streams.window.partitions", "3");
    settings.put("streams.http.port", "0");
    settings.put(
        "streams.idle.close.ms", "15000"); // upstream ticks count for 45 s on a loaded machine

    Set<SimulatedFleet.Truth> expected = new HashSet<>(fleet.truth);
    try (StreamsRunner runner = new StreamsRunner(settings)) {
      runner.start();
      List<ConsumerRecord<String, Incident>> records;
      try {
        records =
            kafka.awaitRecords(
                topics.incidents(),
                rs -> truths(rs).containsAll(expected),
                "an incident for each of the " + expected.size() + " injected (kind, subject)",
                Duration.ofMinutes(3));
      } catch (AssertionError timedOut) {
        // score what is there, so that the failure says which injected incidents are missing
        records =
            kafka.awaitRecords(
                topics.incidents(), rs -> true, "the incidents so far", Duration.ofSeconds(30));
      }
      List<Incident> incidents = records.stream().map(ConsumerRecord::value).toList();
      Map<IncidentKind, double[]> report =
          SimulatedFleet.score(
              fleet.truth, incidents, "SimulatedFleetIT (real cluster, exactly once)");

      assertThat(truths(records)).as("every injected incident is found").containsAll(expected);
      Set<String> revoked =
          expected.stream()
              .filter(t -> t.kind() == IncidentKind.AUTH_FAILURE)
              .map(SimulatedFleet.Truth::subject)
              .collect(Collectors.toSet());
      assertThat(
              incidents.stream()
                  .filter(i -> i.getKind() == IncidentKind.AUTH_FAILURE)
                  .map(Incident::getSubject)
                  .filter(s -> !revoked.contains(s))
                  .toList())
          .as("no benign token renewal reported as an authentication failure")
          .isEmpty();
      assertThat(report.get(IncidentKind.TOKEN_RENEWAL)[1]).isEqualTo(1.0);
    }
  }

  private static Set<SimulatedFleet.Truth> truths(List<ConsumerRecord<String, Incident>> rs) {
    Set<SimulatedFleet.Truth> out = new HashSet<>();
    rs.forEach(
        r ->
            out.add(
                new SimulatedFleet.Truth(
                    r.value().getKind(), r.value().getSubject(), r.value().getBenign())));
    return out;
  }
}
