package io.linkwatch.schemas.topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.linkwatch.schemas.config.CommonConfig;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class TopicPlanTest {

  private static TopicPlan planOf(Map<String, String> settings) {
    return TopicPlan.from(new AbstractConfig(CommonConfig.define(new ConfigDef()), settings));
  }

  @Test
  void shouldPlanEveryTopicOfDesignWithItsRetentionByDefault() {
    TopicPlan plan = planOf(Map.of());

    assertThat(plan.topics()).hasSize(TopicRole.values().length);
    assertThat(plan.topics()).allSatisfy(t -> assertThat(t.partitions()).isEqualTo(6));
    assertThat(plan.topic(TopicRole.ALERT_RULES).configs())
        .containsEntry("cleanup.policy", "compact")
        .doesNotContainKey("retention.ms");
    assertThat(plan.topic(TopicRole.CONNECTIONS).configs())
        .containsEntry("cleanup.policy", "delete")
        .containsEntry("retention.ms", "604800000");
    assertThat(plan.topic(TopicRole.ALERTS).configs()).containsEntry("retention.ms", "7776000000");
    assertThat(plan.topic(TopicRole.ALERTS).explicitReplicationFactor()).isEmpty();
  }

  @Test
  void shouldTakeNamesPartitionsAndRetentionFromConfig() {
    TopicPlan plan =
        planOf(
            Map.of(
                "topics.alerts", "prod.alerts",
                "topics.partitions", "12",
                "topics.alerts.partitions", "3",
                "topics.connections.retention.ms", "86400000",
                "topics.replication.factor", "3"));

    assertThat(plan.topic(TopicRole.ALERTS).name()).isEqualTo("prod.alerts");
    assertThat(plan.topic(TopicRole.ALERTS).partitions()).isEqualTo(3);
    assertThat(plan.topic(TopicRole.AGENT).partitions()).isEqualTo(12);
    assertThat(plan.topic(TopicRole.CONNECTIONS).configs())
        .containsEntry("retention.ms", "86400000");
    assertThat(plan.topic(TopicRole.AGENT).explicitReplicationFactor()).contains((short) 3);
  }

  @Test
  void shouldAskForTwoInSyncReplicasOnlyWhenReplicatedThreeTimes() {
    TopicPlan plan = TopicPlan.defaults();
    TopicPlan.TopicSpec alerts = plan.topic(TopicRole.ALERTS);

    assertThat(plan.configsFor(alerts, 3)).containsEntry("min.insync.replicas", "2");
    assertThat(plan.configsFor(alerts, 1)).doesNotContainKey("min.insync.replicas");
  }

  @Test
  void shouldRejectAZeroReplicationFactorNamingTheKey() {
    assertThatThrownBy(() -> planOf(Map.of("topics.replication.factor", "0")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("topics.replication.factor");
  }

  @Test
  void shouldRejectTwoTopicsOfDifferentRecordsUnderOneName() {
    assertThatThrownBy(() -> planOf(Map.of("topics.alerts", "same", "topics.incidents", "same")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("same")
        .hasMessageContaining("Alert")
        .hasMessageContaining("Incident");
  }

  @Test
  void shouldLetBothDeadLetterRolesShareOneTopic() {
    TopicPlan plan =
        planOf(Map.of("topics.ingest-deadletter", "dlq", "topics.sink-deadletter", "dlq"));

    assertThat(plan.topic(TopicRole.INGEST_DEADLETTER).name())
        .isEqualTo(plan.topic(TopicRole.SINK_DEADLETTER).name());
  }
}
