package io.linkwatch.schemas.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigSourceTest {

  private final KnownKeys known =
      KnownKeys.of(List.of(CommonConfig.define(new ConfigDef())), List.of());

  @Test
  void shouldLetOverridesWinOverEnvironmentOverFile(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("app.properties");
    Files.writeString(
        file, "topics.partitions=3\ntopics.alerts=file.alerts\nsecurity.protocol=SSL\n");

    Map<String, String> settings =
        ConfigSource.load(
            file,
            Map.of("LINKWATCH_TOPICS_ALERTS", "env.alerts", "PATH", "/usr/bin"),
            Map.of("topics.partitions", "12"),
            known.all());

    assertThat(settings)
        .containsEntry("topics.partitions", "12")
        .containsEntry("topics.alerts", "env.alerts")
        .containsEntry("security.protocol", "SSL")
        .doesNotContainKey("PATH");
  }

  @Test
  void shouldMapEnvironmentVariablesWithDashesInTheirKeys() {
    Map<String, String> settings =
        ConfigSource.load(
            null, Map.of("LINKWATCH_TOPICS_INGEST_DEADLETTER", "dlq"), Map.of(), known.all());

    assertThat(settings).containsEntry("topics.ingest-deadletter", "dlq");
  }

  @Test
  void shouldNameAMistypedEnvironmentVariableAndSuggestTheRightOne() {
    assertThatThrownBy(
            () ->
                ConfigSource.load(
                    null, Map.of("LINKWATCH_TOPICS_PARTITONS", "3"), Map.of(), known.all()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("LINKWATCH_TOPICS_PARTITONS")
        .hasMessageContaining("did you mean 'LINKWATCH_TOPICS_PARTITIONS'");
  }

  @Test
  void shouldIgnoreTheLauncherAndTestkitVariables() {
    Map<String, String> settings =
        ConfigSource.load(
            null,
            Map.of("LINKWATCH_OPTS", "-Xmx1g", "LINKWATCH_TEST_CLUSTER", "embedded"),
            Map.of(),
            known.all());

    assertThat(settings).isEmpty();
  }

  @Test
  void shouldRejectUnknownKeysAndAcceptPrefixedClientKeys() {
    assertThat(known.accepts("consumer.max.poll.records")).isTrue();
    assertThat(known.accepts("listener.name.sasl_ssl.plain.sasl.jaas.config")).isTrue();
    assertThatThrownBy(() -> known.rejectUnknown(Map.of("bootstrap.server", "x"), "app.properties"))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "unknown setting 'bootstrap.server' in app.properties (did you mean"
                + " 'bootstrap.servers'?)");
  }
}
