package io.linkwatch.schemas.cli;

import io.linkwatch.schemas.config.CommonConfig;
import io.linkwatch.schemas.config.ConfigSource;
import io.linkwatch.schemas.config.KnownKeys;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The options every command that talks to Kafka shares ({@code @Mixin}): the brokers, a properties
 * file for the rest of the client and linkwatch settings, and single overrides. Precedence: {@code
 * --set} and {@code --bootstrap-servers} over {@code LINKWATCH_*} environment variables over the
 * file over the defaults.
 */
public final class ClientOptions {

  @Option(
      names = {"-b", "--bootstrap-servers"},
      paramLabel = "HOST:PORT[,...]",
      description =
          "Kafka brokers (default: "
              + CommonConfig.DEFAULT_BOOTSTRAP_SERVERS
              + ", or bootstrap.servers from --config).")
  private String bootstrapServers;

  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      description =
          "Properties file with linkwatch settings and any Kafka client settings (SASL, TLS, ...),"
              + " passed through unchanged.")
  private Path configFile;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description = "One setting, over the file and the environment (repeatable).")
  private Map<String, String> overrides = new LinkedHashMap<>();

  public Path configFile() {
    return configFile;
  }

  /**
   * The merged settings, validated against the keys the command accepts.
   *
   * @throws org.apache.kafka.common.config.ConfigException naming an unknown key or a bad file
   */
  public Map<String, String> settings(KnownKeys known) {
    Map<String, String> explicit = new LinkedHashMap<>(overrides);
    if (bootstrapServers != null) {
      explicit.put(CommonConfig.BOOTSTRAP_SERVERS, bootstrapServers);
    }
    Map<String, String> settings =
        ConfigSource.load(configFile, System.getenv(), explicit, known.all());
    known.rejectUnknown(settings, configFile == null ? null : configFile.toString());
    return settings;
  }
}
