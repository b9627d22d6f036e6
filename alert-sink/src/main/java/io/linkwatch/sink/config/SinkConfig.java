package io.linkwatch.sink.config;

import io.linkwatch.schemas.config.CommonConfig;
import io.linkwatch.sink.delivery.Backoff;
import io.linkwatch.sink.delivery.PipelineSettings;
import io.linkwatch.sink.routing.RoutingPlanParser;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * The settings of the {@code sink} role: the common keys ({@link CommonConfig}), {@code sink.*} for
 * delivery and {@code dashboard.*} for the live dashboard. Receivers, routes, grouping and silences
 * live in the routing file that {@value #ROUTING_FILE} names.
 */
public final class SinkConfig extends AbstractConfig {

  public static final String ROUTING_FILE = "sink.routing.file";
  public static final String GROUP_ID = "sink.group.id";
  public static final String STATE_DIR = "sink.state.dir";
  public static final String START = "sink.start";
  public static final String RETRY_MAX_ATTEMPTS = "sink.retry.max.attempts";
  public static final String RETRY_INITIAL_BACKOFF_MS = "sink.retry.initial.backoff.ms";
  public static final String RETRY_MAX_BACKOFF_MS = "sink.retry.max.backoff.ms";
  public static final String MAX_PENDING = "sink.max.pending";
  public static final String BATCH_SIZE = "sink.batch.size";
  public static final String CONSOLE_COLOR = "sink.console.color";
  public static final String DASHBOARD_ENABLED = "dashboard.enabled";
  public static final String DASHBOARD_HOST = "dashboard.host";
  public static final String DASHBOARD_PORT = "dashboard.port";
  public static final String DASHBOARD_EXTERNAL_URL = "dashboard.external.url";
  public static final String DASHBOARD_HISTORY = "dashboard.history";
  public static final String DASHBOARD_CHART_HISTORY = "dashboard.chart.history";

  public static final int DEFAULT_DASHBOARD_PORT = 8088;

  private static final String SINK = "Sink";
  private static final String DASHBOARD = "Dashboard";

  private static final ConfigDef.Validator DURATION =
      (name, value) -> {
        try {
          RoutingPlanParser.parseDuration(String.valueOf(value));
        } catch (IllegalArgumentException e) {
          throw new ConfigException(name, value, e.getMessage());
        }
      };

  private static final ConfigDef DEF = define(new ConfigDef());

  public SinkConfig(Map<?, ?> settings) {
    super(DEF, settings, false);
  }

  /** The definition: common keys plus the sink's own. */
  public static ConfigDef definition() {
    return new ConfigDef(DEF);
  }

  private static ConfigDef define(ConfigDef def) {
    CommonConfig.define(def);
    int o = 0;
    def.define(
        ROUTING_FILE,
        Type.STRING,
        "",
        Importance.HIGH,
        "YAML file with the receivers, routes, grouping and silences (docs/sink.md). Empty: every alert goes to the console.",
        SINK,
        ++o,
        ConfigDef.Width.LONG,
        "Routing file");
    def.define(
        GROUP_ID,
        Type.STRING,
        "linkwatch-sink",
        new ConfigDef.NonEmptyStringWithoutControlChars(),
        Importance.MEDIUM,
        "Consumer group prefix: each receiver reads with its own group '<prefix>.<receiver>' and commits at its own pace.",
        SINK,
        ++o,
        ConfigDef.Width.MEDIUM,
        "Group id prefix");
    def.define(
        STATE_DIR,
        Type.STRING,
        Path.of(System.getProperty("java.io.tmpdir"), "linkwatch", "sink").toString(),
        Importance.MEDIUM,
        "Directory of the delivery ledgers (idempotency keys a receiver accepted lately), so that a restart does not re-send what"
            + " was delivered but not yet committed. Empty: in memory only.",
        SINK,
        ++o,
        ConfigDef.Width.LONG,
        "State directory");
    def.define(
        START,
        Type.STRING,
        "PT15M",
        (name, value) -> {
          String v = String.valueOf(value).toLowerCase(Locale.ROOT);
          if (!v.equals("earliest") && !v.equals("latest")) {
            DURATION.ensureValid(name, value);
          }
        },
        Importance.MEDIUM,
        "Where a receiver that never committed starts reading the alerts topic: 'earliest', 'latest', or a duration back from now"
            + " (e.g. PT15M, 1h) so that a new receiver gets the recent alerts, not 90 days of history.",
        SINK,
        ++o,
        ConfigDef.Width.SHORT,
        "Start position");
    def.define(
        RETRY_MAX_ATTEMPTS,
        Type.INT,
        20,
        Range.atLeast(1),
        Importance.MEDIUM,
        "Attempts per notification before its alerts go to the sink dead-letter topic (a refusal such as HTTP 400 is not retried).",
        SINK,
        ++o,
        ConfigDef.Width.SHORT,
        "Max attempts");
    def.define(
        RETRY_INITIAL_BACKOFF_MS,
        Type.LONG,
        500L,
        Range.atLeast(1),
        Importance.LOW,
        "Delay before the first retry; doubles per attempt, with jitter, up to "
            + RETRY_MAX_BACKOFF_MS
            + ".",
        SINK,
        ++o,
        ConfigDef.Width.SHORT,
        "Initial backoff");
    def.define(
        RETRY_MAX_BACKOFF_MS,
        Type.LONG,
        30_000L,
        Range.atLeast(1),
        Importance.LOW,
        "Longest delay between retries (a receiver's Retry-After may ask for more, up to 15 minutes).",
        SINK,
        ++o,
        ConfigDef.Width.SHORT,
        "Max backoff");
    def.define(
        MAX_PENDING,
        Type.INT,
        10_000,
        Range.atLeast(1),
        Importance.LOW,
        "Alert transitions a receiver may hold unsettled before its reading pauses (bounds memory while it is down).",
        SINK,
        ++o,
        ConfigDef.Width.SHORT,
        "Max pending");
    def.define(
        BATCH_SIZE,
        Type.INT,
        64,
        Range.between(1, 1000),
        Importance.LOW,
        "Alerts per request to an Alertmanager.",
        SINK,
        ++o,
        ConfigDef.Width.SHORT,
        "Batch size");
    def.define(
        CONSOLE_COLOR,
        Type.STRING,
        "auto",
        ConfigDef.ValidString.in("auto", "always", "never"),
        Importance.LOW,
        "ANSI colours on console receivers: auto (when stdout is a terminal and NO_COLOR is unset), always, never.",
        SINK,
        ++o,
        ConfigDef.Width.SHORT,
        "Console colour");
    o = 0;
    def.define(
        DASHBOARD_ENABLED,
        Type.BOOLEAN,
        true,
        Importance.MEDIUM,
        "Serve the live dashboard, its JSON API, /health and /metrics.",
        DASHBOARD,
        ++o,
        ConfigDef.Width.SHORT,
        "Dashboard");
    def.define(
        DASHBOARD_HOST,
        Type.STRING,
        "0.0.0.0",
        Importance.LOW,
        "Interface the dashboard listens on.",
        DASHBOARD,
        ++o,
        ConfigDef.Width.MEDIUM,
        "Dashboard host");
    def.define(
        DASHBOARD_PORT,
        Type.INT,
        DEFAULT_DASHBOARD_PORT,
        Range.between(0, 65535),
        Importance.MEDIUM,
        "Port of the dashboard (0: any free port).",
        DASHBOARD,
        ++o,
        ConfigDef.Width.SHORT,
        "Dashboard port");
    def.define(
        DASHBOARD_EXTERNAL_URL,
        Type.STRING,
        "",
        Importance.MEDIUM,
        "The dashboard's URL as people reach it (behind a proxy or ingress); used in the links sent to receivers"
            + " (generatorURL, evidence_url, investigationLink). Empty: http://localhost:<port>.",
        DASHBOARD,
        ++o,
        ConfigDef.Width.LONG,
        "External URL");
    def.define(
        DASHBOARD_HISTORY,
        Type.STRING,
        "P7D",
        DURATION,
        Importance.LOW,
        "How far back the dashboard reads the alerts topic at start, to show (and re-post to Alertmanager) alerts that still fire.",
        DASHBOARD,
        ++o,
        ConfigDef.Width.SHORT,
        "Alert history");
    def.define(
        DASHBOARD_CHART_HISTORY,
        Type.STRING,
        "PT6H",
        DURATION,
        Importance.LOW,
        "How far back the dashboard reads the aggregates topic for its charts.",
        DASHBOARD,
        ++o,
        ConfigDef.Width.SHORT,
        "Chart history");
    return def;
  }

  public PipelineSettings pipelineSettings() {
    String start = getString(START).toLowerCase(Locale.ROOT);
    PipelineSettings.StartPosition position =
        switch (start) {
          case "earliest" -> PipelineSettings.StartPosition.earliest();
          case "latest" -> PipelineSettings.StartPosition.latest();
          default ->
              PipelineSettings.StartPosition.lookback(
                  RoutingPlanParser.parseDuration(getString(START)));
        };
    long initial = getLong(RETRY_INITIAL_BACKOFF_MS);
    long max = getLong(RETRY_MAX_BACKOFF_MS);
    if (max < initial) {
      throw new ConfigException(
          RETRY_MAX_BACKOFF_MS,
          max,
          "must not be less than " + RETRY_INITIAL_BACKOFF_MS + " (" + initial + ")");
    }
    return new PipelineSettings(
        getInt(RETRY_MAX_ATTEMPTS),
        new Backoff(Duration.ofMillis(initial), Duration.ofMillis(max)),
        getInt(MAX_PENDING),
        getInt(BATCH_SIZE),
        Duration.ofSeconds(1),
        position);
  }

  public Duration duration(String key) {
    return RoutingPlanParser.parseDuration(getString(key));
  }

  /** The state directory, or {@code null} for in-memory ledgers. */
  public Path stateDir() {
    String d = getString(STATE_DIR);
    return d.isBlank() ? null : Path.of(d);
  }
}
