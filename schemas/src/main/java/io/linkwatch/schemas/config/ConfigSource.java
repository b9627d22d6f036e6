package io.linkwatch.schemas.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.common.config.ConfigException;

/**
 * Where a role's settings come from, in increasing precedence: a properties file, environment
 * variables {@code LINKWATCH_<KEY>} (the key upper-cased, with '.' and '-' as '_', e.g. {@code
 * LINKWATCH_BOOTSTRAP_SERVERS}, {@code LINKWATCH_TOPICS_ALERTS}), and explicit overrides (command
 * line flags). Unknown keys are rejected by {@link KnownKeys}, naming the key.
 */
public final class ConfigSource {

  public static final String ENV_PREFIX = "LINKWATCH_";

  /** Variables of the launcher script and the testkit, not settings. */
  private static final java.util.Set<String> RESERVED =
      java.util.Set.of(
          "LINKWATCH_HOME",
          "LINKWATCH_OPTS",
          "LINKWATCH_JAVA_OPTS",
          "LINKWATCH_REBUILD",
          "LINKWATCH_TEST_CLUSTER");

  private ConfigSource() {}

  /**
   * Merges the sources into one map of settings.
   *
   * @param file a properties file, or {@code null}
   * @param env the process environment (only {@code LINKWATCH_*} entries are read)
   * @param overrides explicit settings that win over everything
   * @param knownKeys every key the caller accepts, used to map environment variable names back to
   *     keys
   * @throws ConfigException naming the file or the variable when one cannot be used
   */
  public static Map<String, String> load(
      Path file,
      Map<String, String> env,
      Map<String, String> overrides,
      Collection<String> knownKeys) {
    Map<String, String> settings = new LinkedHashMap<>();
    if (file != null) {
      settings.putAll(readProperties(file));
    }
    settings.putAll(fromEnvironment(env, knownKeys));
    overrides.forEach(
        (k, v) -> {
          if (v != null) {
            settings.put(k, v);
          }
        });
    return settings;
  }

  /** Reads a properties file; a missing or unreadable file is a {@link ConfigException}. */
  public static Map<String, String> readProperties(Path file) {
    Properties props = new Properties();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      props.load(reader);
    } catch (NoSuchFileException e) {
      throw new ConfigException("config file not found: " + file.toAbsolutePath());
    } catch (IOException | IllegalArgumentException e) {
      throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
    }
    Map<String, String> settings = new TreeMap<>();
    props.stringPropertyNames().forEach(k -> settings.put(k.strip(), props.getProperty(k).strip()));
    return settings;
  }

  /**
   * Maps {@code LINKWATCH_*} environment variables to keys. A variable that matches no known key is
   * an error, so that a typo does not silently do nothing.
   */
  static Map<String, String> fromEnvironment(Map<String, String> env, Collection<String> known) {
    Map<String, String> byEnvName = new TreeMap<>();
    for (String key : known) {
      byEnvName.put(envName(key), key);
    }
    Map<String, String> settings = new TreeMap<>();
    env.forEach(
        (name, value) -> {
          if (!name.startsWith(ENV_PREFIX) || RESERVED.contains(name)) {
            return;
          }
          String key = byEnvName.get(name);
          if (key == null) {
            String suggestion = KnownKeys.suggestion(name, byEnvName.keySet());
            throw new ConfigException(
                "environment variable " + name + " does not name a setting" + suggestion);
          }
          settings.put(key, value);
        });
    return settings;
  }

  /** The environment variable that sets a key. */
  public static String envName(String key) {
    return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }
}
