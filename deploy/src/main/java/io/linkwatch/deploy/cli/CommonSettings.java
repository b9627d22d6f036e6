package io.linkwatch.deploy.cli;

import io.linkwatch.schemas.cli.ClientOptions;
import io.linkwatch.schemas.cli.ClusterCheck;
import io.linkwatch.schemas.config.CommonConfig;
import io.linkwatch.schemas.config.KafkaClientSettings;
import io.linkwatch.schemas.config.KnownKeys;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;

/**
 * The settings of a deploy command that talks to Kafka ({@code topics}, {@code tail}): the keys
 * every role shares, from {@link ClientOptions}, validated and parsed once.
 */
final class CommonSettings {

  private final Map<String, String> raw;
  private final AbstractConfig config;

  private CommonSettings(Map<String, String> raw, AbstractConfig config) {
    this.raw = raw;
    this.config = config;
  }

  /**
   * Loads and validates the settings.
   *
   * @throws org.apache.kafka.common.config.ConfigException naming a bad or unknown key
   */
  static CommonSettings load(ClientOptions client) {
    ConfigDef def = CommonConfig.define(new ConfigDef());
    Map<String, String> settings = client.settings(KnownKeys.of(List.of(def), List.of()));
    return new CommonSettings(settings, new AbstractConfig(def, settings, false));
  }

  AbstractConfig config() {
    return config;
  }

  String bootstrapServers() {
    return String.join(",", config.getList(CommonConfig.BOOTSTRAP_SERVERS));
  }

  Map<String, Object> admin() {
    Map<String, Object> admin = KafkaClientSettings.admin(raw);
    admin.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    return admin;
  }

  Map<String, Object> consumer() {
    Map<String, Object> consumer = KafkaClientSettings.consumer(raw);
    consumer.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    return consumer;
  }

  /**
   * Waits for the cluster to answer, telling stderr once that it waits.
   *
   * @throws io.linkwatch.schemas.cli.KafkaUnreachableException when it does not in time
   */
  void awaitCluster(PrintWriter err) {
    Duration timeout = Duration.ofMillis(config.getLong(CommonConfig.KAFKA_WAIT_TIMEOUT_MS));
    ClusterCheck.awaitReachable(admin(), timeout, err::println);
  }
}
