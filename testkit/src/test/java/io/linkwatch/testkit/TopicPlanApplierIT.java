package io.linkwatch.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.linkwatch.schemas.topic.TopicPlan;
import io.linkwatch.schemas.topic.TopicPlanApplier;
import io.linkwatch.schemas.topic.TopicPlanApplier.Change;
import io.linkwatch.schemas.topic.TopicPlanApplier.Outcome;
import io.linkwatch.schemas.topic.TopicRole;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Applying the topic plan is idempotent and reports what it did, on a real broker. */
@KafkaCluster
class TopicPlanApplierIT {

  private KafkaTestCluster kafka;
  private TopicPlanApplier applier;
  private String prefix;

  @BeforeEach
  void setUp(KafkaTestCluster kafka) {
    this.kafka = kafka;
    this.applier = new TopicPlanApplier(kafka.admin(), Duration.ofSeconds(30));
    this.prefix = kafka.uniqueName("plan") + ".";
  }

  @Test
  void shouldCreateEveryTopicThenReportThemUnchanged() {
    TopicPlan plan = TopicPlan.builder().namePrefix(prefix).partitions(2).build();

    List<Change> first = applier.apply(plan);
    List<Change> second = applier.apply(plan);

    assertThat(first).hasSize(TopicRole.values().length);
    assertThat(first).extracting(Change::outcome).containsOnly(Outcome.CREATED);
    assertThat(second).extracting(Change::outcome).containsOnly(Outcome.UNCHANGED);
  }

  @Test
  void shouldUpdateRetentionAndAddPartitionsNamingEachChange() throws Exception {
    applier.apply(TopicPlan.builder().namePrefix(prefix).partitions(2).build());
    TopicPlan changed =
        TopicPlan.builder()
            .namePrefix(prefix)
            .partitions(2)
            .partitions(TopicRole.ALERTS, 4)
            .retentionMs(TopicRole.ALERTS, 3_600_000L)
            .build();

    List<Change> changes = applier.apply(changed);

    String alerts = changed.topic(TopicRole.ALERTS).name();
    Change alertsChange = changes.stream().filter(c -> c.topic().equals(alerts)).findFirst().get();
    assertThat(alertsChange.outcome()).isEqualTo(Outcome.UPDATED);
    assertThat(alertsChange.details())
        .containsExactlyInAnyOrder("partitions: 2 -> 4", "retention.ms: 7776000000 -> 3600000");
    assertThat(changes)
        .filteredOn(c -> !c.topic().equals(alerts))
        .extracting(Change::outcome)
        .containsOnly(Outcome.UNCHANGED);
    assertThat(
            kafka
                .admin()
                .describeTopics(List.of(alerts))
                .allTopicNames()
                .get()
                .get(alerts)
                .partitions())
        .hasSize(4);
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, alerts);
    Config config = kafka.admin().describeConfigs(List.of(resource)).all().get().get(resource);
    assertThat(config.get("retention.ms").value()).isEqualTo("3600000");
  }

  @Test
  void shouldRefuseToRemovePartitionsAndLeaveTheTopicAsItIs() throws Exception {
    applier.apply(TopicPlan.builder().namePrefix(prefix).partitions(3).build());

    List<Change> changes =
        applier.apply(TopicPlan.builder().namePrefix(prefix).partitions(2).build());

    assertThat(changes).extracting(Change::outcome).containsOnly(Outcome.REFUSED);
    assertThat(changes.get(0).details())
        .singleElement()
        .asString()
        .contains("the topic has 3, the plan 2", "Kafka cannot remove partitions");
    String name = changes.get(0).topic();
    assertThat(
            kafka
                .admin()
                .describeTopics(List.of(name))
                .allTopicNames()
                .get()
                .get(name)
                .partitions())
        .hasSize(3);
  }

  @Test
  void shouldChangeNothingInADryRun() throws Exception {
    TopicPlan plan = TopicPlan.builder().namePrefix(prefix).build();

    List<Change> changes = applier.dryRun(plan);

    assertThat(changes).extracting(Change::outcome).containsOnly(Outcome.CREATED);
    assertThat(kafka.admin().listTopics().names().get()).noneMatch(n -> n.startsWith(prefix));
  }

  @Test
  void shouldRefuseAReplicationFactorTheClusterCannotHave() {
    TopicPlan plan = TopicPlan.builder().namePrefix(prefix).replicationFactor((short) 3).build();

    assertThatThrownBy(() -> applier.apply(plan))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(TopicPlan.REPLICATION_FACTOR)
        .hasMessageContaining("needs at least 3 brokers; the cluster has 1");
  }

  @Test
  void shouldCompactTheRulesTopicAndKeepEventsForSevenDays() throws Exception {
    TopicPlan plan = TopicPlan.builder().namePrefix(prefix).build();
    applier.apply(plan);

    Map<ConfigResource, Config> configs =
        kafka
            .admin()
            .describeConfigs(
                List.of(
                    new ConfigResource(
                        ConfigResource.Type.TOPIC, plan.topic(TopicRole.ALERT_RULES).name()),
                    new ConfigResource(
                        ConfigResource.Type.TOPIC, plan.topic(TopicRole.CONNECTIONS).name())))
            .all()
            .get();

    assertThat(configs.values())
        .extracting(c -> c.get("cleanup.policy").value())
        .containsExactlyInAnyOrder("compact", "delete");
    assertThat(configs.values())
        .extracting(c -> c.get("retention.ms").value())
        .contains("604800000");
  }
}
