package io.linkwatch.deploy.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.linkwatch.avro.AlertRule;
import io.linkwatch.ingest.cli.SimulateCommand;
import io.linkwatch.schemas.serde.AvroSerdes;
import io.linkwatch.schemas.topic.TopicPlan;
import io.linkwatch.schemas.topic.Topics;
import io.linkwatch.streams.rules.RuleLoader;
import io.linkwatch.streams.rules.RuleValidationException;
import io.linkwatch.testkit.KafkaTestCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import picocli.CommandLine;

/**
 * The input every fault test replays: the default rule pack in the rules topic, and three hours of
 * the fleet simulator's scripted scenarios (every scenario, seed 11, 60 devices) parsed by the
 * ingest parsers into the event topics — the same input {@code DefaultPackScenariosIT} proves the
 * alerts of. Event times end two hours before now, inside the topics' retention.
 */
final class SimulatedInput {

  /**
   * Three simulated hours: every scenario is placed at a fraction of the run, so a shorter span
   * still holds them all, and the reference run stays under a minute on the 2-core machine. {@code
   * -Dfaults.span.hours=6} replays what {@code DefaultPackScenariosIT} does.
   */
  static final Duration SPAN = Duration.ofHours(Long.getLong("faults.span.hours", 3));

  /**
   * Devices of the simulated fleet: the healthy fleet's hourly token renewals are most of the
   * records, and every record costs the streams role work under exactly-once; 60 devices keep every
   * scenario's alerts.
   */
  static final int DEVICES = Integer.getInteger("faults.devices", 60);

  /**
   * Partitions of the event topics: three, so that the tasks of every stage move between instances
   * when one is killed, and a catch-up reads several upstream tasks below each repartition. Two
   * undisturbed runs must then give the same bytes (the control test); with one partition they
   * always did, with three they differed until the stages below a repartition waited for every
   * upstream task, fired their timers in due-time order and chose evidence by event time
   * (docs/faults.md).
   */
  static final int PARTITIONS = Integer.getInteger("faults.partitions", 3);

  private SimulatedInput() {}

  /** Creates the topic plan, loads the rules and produces the simulation; returns the topics. */
  static Topics load(KafkaTestCluster kafka, Path dir) throws RuleValidationException {
    TopicPlan plan =
        TopicPlan.builder().partitions(PARTITIONS).replicationFactor((short) 3).build();
    kafka.createTopics(plan);
    Topics topics = Topics.create(plan.names(), AvroSerdes.singleObject());
    for (AlertRule rule : RuleLoader.loadDefaultPack().alertRules()) {
      rule.setVersion(1);
      kafka.produce(topics.alertRules(), rule.getId(), rule);
    }
    Instant start =
        Instant.now().truncatedTo(ChronoUnit.HOURS).minus(SPAN).minus(Duration.ofHours(2));
    int code =
        new CommandLine(new SimulateCommand())
            .execute(
                "--produce",
                "events",
                "-b",
                kafka.bootstrapServers(),
                "--seed",
                "11",
                "--devices",
                Integer.toString(DEVICES),
                "--start",
                start.toString(),
                "--duration",
                SPAN.toHours() + "h",
                "--truth",
                dir.resolve("truth.jsonl").toString(),
                "--summary",
                dir.resolve("summary.json").toString());
    assertThat(code).as("linkwatch simulate --produce events: exit code").isZero();
    return topics;
  }
}
