package io.linkwatch.deploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.linkwatch.schemas.serde.AvroSerdes;
import io.linkwatch.schemas.topic.TopicRole;
import io.linkwatch.schemas.topic.Topics;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TailCommandTest {

  private final Map<TopicRole, String> names =
      new EnumMap<>(Topics.withDefaultNames(AvroSerdes.singleObject()).names());

  @Test
  void shouldResolveRoleAliasesAndConfiguredNames() {
    names.put(TopicRole.ALERTS, "prod.alerts");

    assertThat(TailCommand.roleOf("alerts", names)).isEqualTo(TopicRole.ALERTS);
    assertThat(TailCommand.roleOf("prod.alerts", names)).isEqualTo(TopicRole.ALERTS);
    assertThat(TailCommand.roleOf("ingest-deadletter", names))
        .isEqualTo(TopicRole.INGEST_DEADLETTER);
    assertThat(TailCommand.roleOf("rules", names)).isEqualTo(TopicRole.ALERT_RULES);
    assertThat(TailCommand.roleOf("linkwatch.events.agent.v1", names)).isEqualTo(TopicRole.AGENT);
  }

  @Test
  void shouldTreatAnyOtherTopicAsText() {
    assertThat(TailCommand.roleOf("eventhubs.raw", names)).isNull();
  }
}
