package io.linkwatch.ingest.config;

import io.linkwatch.schemas.config.CommonConfig;
import io.linkwatch.schemas.config.KnownKeys;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.types.Password;

/**
 * The settings of the ingest role, declared once with their types, defaults, validation and
 * documentation, on top of {@link CommonConfig} (brokers, topic names, schema registry). Every key
 * starts with {@code ingest.}; Kafka client settings pass through (plain, or prefixed {@code
 * producer.} / {@code consumer.} to reach one client only).
 */
public final class IngestConfig extends AbstractConfig {

  public static final String MAX_RECORD_BYTES = "ingest.max.record.bytes";
  public static final String DEADLETTER_MAX_RAW_BYTES = "ingest.deadletter.max.raw.bytes";
  public static final String FLUSH_INTERVAL_MS = "ingest.flush.interval.ms";
  public static final String STARTUP_TIMEOUT_MS = "ingest.startup.timeout.ms";
  public static final String HEALTH_HOST = "ingest.health.host";
  public static final String HEALTH_PORT = "ingest.health.port";
  public static final String PARSE_THREADS = "ingest.parse.threads";

  public static final String FILE_CHECKPOINT_DIR = "ingest.file.checkpoint.dir";
  public static final String FILE_POLL_MS = "ingest.file.poll.ms";
  public static final String FILE_EXCLUDE = "ingest.file.exclude";

  public static final String HTTP_BIND = "ingest.http.bind";
  public static final String HTTP_PORT = "ingest.http.port";
  public static final String HTTP_TOKEN = "ingest.http.token";
  public static final String HTTP_MAX_BODY_BYTES = "ingest.http.max.body.bytes";
  public static final String HTTP_MAX_INFLIGHT_BYTES = "ingest.http.max.inflight.bytes";
  public static final String HTTP_ACK_TIMEOUT_MS = "ingest.http.ack.timeout.ms";
  public static final String HTTP_THREADS = "ingest.http.threads";
  public static final String HTTP_RETRY_AFTER_SECONDS = "ingest.http.retry.after.seconds";

  public static final String KAFKA_TOPICS = "ingest.kafka.topics";
  public static final String KAFKA_TOPIC_PATTERN = "ingest.kafka.topic.pattern";
  public static final String KAFKA_GROUP_ID = "ingest.kafka.group.id";
  public static final String KAFKA_EXACTLY_ONCE = "ingest.kafka.exactly.once";
  public static final String KAFKA_TRANSACTIONAL_ID = "ingest.kafka.transactional.id";
  public static final String KAFKA_POLL_MS = "ingest.kafka.poll.ms";

  public static final String AGENT_MACHINE = "ingest.agent.machine";
  public static final String AGENT_POLL_MS = "ingest.agent.poll.ms";
  public static final String AGENT_FROM_END = "ingest.agent.from.end";

  private static final String GROUP = "Ingest";
  private static final String GROUP_FILE = "Ingest: files";
  private static final String GROUP_HTTP = "Ingest: HTTP";
  private static final String GROUP_KAFKA = "Ingest: Kafka source";
  private static final String GROUP_AGENT = "Ingest: agent log";

  /** The keys of the ingest role, common keys included. */
  public static final ConfigDef DEFINITION = define(CommonConfig.define(new ConfigDef()));

  public IngestConfig(Map<String, ?> settings) {
    super(DEFINITION, settings, false);
  }

  /** The keys this role accepts: its own and every Kafka client key. */
  public static KnownKeys knownKeys() {
    return KnownKeys.of(List.of(DEFINITION), List.of());
  }

  private static ConfigDef define(ConfigDef def) {
    int o = 0;
    def.define(
        MAX_RECORD_BYTES,
        Type.INT,
        1 << 20,
        Range.between(1024, 64 << 20),
        Importance.MEDIUM,
        "Largest unit of input read as one: an Event Hubs message, a PT1H line, a pretty-printed"
            + " envelope, an agent log line. A larger one is dead-lettered (TOO_LARGE).",
        GROUP,
        ++o,
        ConfigDef.Width.SHORT,
        "Max record bytes");
    def.define(
        DEADLETTER_MAX_RAW_BYTES,
        Type.INT,
        256 << 10,
        Range.between(0, 16 << 20),
        Importance.LOW,
        "How much of the raw input a dead letter keeps (the reason says when it was cut), so"
            + " that the dead letter itself fits in a Kafka message.",
        GROUP,
        ++o,
        ConfigDef.Width.SHORT,
        "Dead letter raw bytes");
    def.define(
        FLUSH_INTERVAL_MS,
        Type.LONG,
        1000L,
        Range.between(10, 600_000),
        Importance.LOW,
        "How often the file and agent-log sources wait for the broker's acknowledgements and"
            + " then save their checkpoint: what a crash can make them send twice.",
        GROUP,
        ++o,
        ConfigDef.Width.SHORT,
        "Flush interval");
    def.define(
        PARSE_THREADS,
        Type.INT,
        0,
        Range.between(0, 64),
        Importance.LOW,
        "Threads that parse and encode the records of the file source (records are still sent in"
            + " file order); 0: as many as there are processors, at most 4.",
        GROUP,
        ++o,
        ConfigDef.Width.SHORT,
        "Parse threads");
    def.define(
        STARTUP_TIMEOUT_MS,
        Type.LONG,
        60_000L,
        Range.atLeast(0),
        Importance.LOW,
        "How long to keep trying to reach the brokers at start-up before giving up with an"
            + " error.",
        GROUP,
        ++o,
        ConfigDef.Width.SHORT,
        "Startup timeout");
    def.define(
        HEALTH_HOST,
        Type.STRING,
        "127.0.0.1",
        Importance.LOW,
        "Interface of the health server (/health, /ready, /metrics); 0.0.0.0 in a container.",
        GROUP,
        ++o,
        ConfigDef.Width.MEDIUM,
        "Health host");
    def.define(
        HEALTH_PORT,
        Type.INT,
        7071,
        Range.between(0, 65535),
        Importance.MEDIUM,
        "Port of the health server of an ingest source: /health (200 while the source runs),"
            + " /ready (200 once the brokers answered and the topics exist), /metrics"
            + " (Prometheus). 0 turns it off; a port in use is reported and the source runs"
            + " without it.",
        GROUP,
        ++o,
        ConfigDef.Width.SHORT,
        "Health port");

    def.define(
        FILE_CHECKPOINT_DIR,
        Type.STRING,
        "data/checkpoints",
        Importance.MEDIUM,
        "Folder of the file source's checkpoints (one per input path): a restart continues where"
            + " the last acknowledged record left off.",
        GROUP_FILE,
        1,
        ConfigDef.Width.LONG,
        "Checkpoint folder");
    def.define(
        FILE_POLL_MS,
        Type.LONG,
        500L,
        Range.between(10, 60_000),
        Importance.LOW,
        "With --follow, how often to look for appended data and new files.",
        GROUP_FILE,
        2,
        ConfigDef.Width.SHORT,
        "Follow poll interval");
    def.define(
        FILE_EXCLUDE,
        Type.LIST,
        "truth.jsonl,*.truth.jsonl,*summary.json,.*",
        Importance.LOW,
        "File name globs a folder scan skips (the simulator's ground truth and summary, hidden"
            + " files).",
        GROUP_FILE,
        3,
        ConfigDef.Width.LONG,
        "Excluded files");

    def.define(
        HTTP_BIND,
        Type.STRING,
        "0.0.0.0",
        Importance.MEDIUM,
        "Address the HTTP source listens on.",
        GROUP_HTTP,
        1,
        ConfigDef.Width.MEDIUM,
        "Bind address");
    def.define(
        HTTP_PORT,
        Type.INT,
        7080,
        Range.between(0, 65535),
        Importance.HIGH,
        "Port the HTTP source listens on (0 picks a free one).",
        GROUP_HTTP,
        2,
        ConfigDef.Width.SHORT,
        "Port");
    def.define(
        HTTP_TOKEN,
        Type.PASSWORD,
        "",
        Importance.HIGH,
        "Bearer token a request must carry (Authorization: Bearer <token>). Empty: no check"
            + " (a warning is logged).",
        GROUP_HTTP,
        3,
        ConfigDef.Width.MEDIUM,
        "Bearer token");
    def.define(
        HTTP_MAX_BODY_BYTES,
        Type.INT,
        16 << 20,
        Range.between(1024, 1 << 30),
        Importance.MEDIUM,
        "Largest request body accepted (after decompression); a larger one gets 413.",
        GROUP_HTTP,
        4,
        ConfigDef.Width.SHORT,
        "Max body bytes");
    def.define(
        HTTP_MAX_INFLIGHT_BYTES,
        Type.LONG,
        64L << 20,
        Range.atLeast(1024),
        Importance.MEDIUM,
        "Bytes of request bodies being produced at once; beyond it a request gets 429 with"
            + " Retry-After instead of being buffered.",
        GROUP_HTTP,
        5,
        ConfigDef.Width.SHORT,
        "Max in-flight bytes");
    def.define(
        HTTP_ACK_TIMEOUT_MS,
        Type.LONG,
        30_000L,
        Range.atLeast(100),
        Importance.LOW,
        "How long a request waits for the broker to acknowledge its records before it gets 503"
            + " with Retry-After.",
        GROUP_HTTP,
        6,
        ConfigDef.Width.SHORT,
        "Ack timeout");
    def.define(
        HTTP_THREADS,
        Type.INT,
        8,
        Range.between(1, 256),
        Importance.LOW,
        "Request handler threads.",
        GROUP_HTTP,
        7,
        ConfigDef.Width.SHORT,
        "Threads");
    def.define(
        HTTP_RETRY_AFTER_SECONDS,
        Type.INT,
        2,
        Range.between(1, 3600),
        Importance.LOW,
        "Retry-After sent with 429 and 503.",
        GROUP_HTTP,
        8,
        ConfigDef.Width.SHORT,
        "Retry-After");

    def.define(
        KAFKA_TOPICS,
        Type.LIST,
        "",
        Importance.HIGH,
        "Topics (Event Hubs) holding the raw diagnostic-settings export. When empty, the"
            + " topics matching ingest.kafka.topic.pattern are read.",
        GROUP_KAFKA,
        1,
        ConfigDef.Width.LONG,
        "Raw topics");
    def.define(
        KAFKA_TOPIC_PATTERN,
        Type.STRING,
        "insights-logs-.+|arc-agent-logs",
        Importance.MEDIUM,
        "Regular expression of the raw topics, when ingest.kafka.topics is empty. Diagnostic"
            + " settings name their event hubs insights-logs-<category> by default; arc-agent-logs"
            + " holds agent log lines shipped by a log forwarder (key = machine).",
        GROUP_KAFKA,
        2,
        ConfigDef.Width.LONG,
        "Raw topic pattern");
    def.define(
        KAFKA_GROUP_ID,
        Type.STRING,
        "linkwatch-ingest",
        new ConfigDef.NonEmptyString(),
        Importance.MEDIUM,
        "Consumer group of the Kafka source (its committed offsets are its position).",
        GROUP_KAFKA,
        3,
        ConfigDef.Width.MEDIUM,
        "Group id");
    def.define(
        KAFKA_EXACTLY_ONCE,
        Type.BOOLEAN,
        true,
        Importance.MEDIUM,
        "Consume-transform-produce in Kafka transactions, with the consumed offsets committed in"
            + " the same transaction. Possible when the raw topics are on the same cluster as the"
            + " event topics; when consumer.bootstrap.servers names another cluster (Event Hubs)"
            + " the source runs at least once and the stable event ids let the topology drop"
            + " repeats.",
        GROUP_KAFKA,
        4,
        ConfigDef.Width.SHORT,
        "Exactly once");
    def.define(
        KAFKA_TRANSACTIONAL_ID,
        Type.STRING,
        "",
        Importance.LOW,
        "Transactional id of the exactly-once producer; empty: <group id>-<host name>. Keep it"
            + " stable across restarts of one instance and distinct between instances.",
        GROUP_KAFKA,
        5,
        ConfigDef.Width.MEDIUM,
        "Transactional id");
    def.define(
        KAFKA_POLL_MS,
        Type.LONG,
        500L,
        Range.between(1, 60_000),
        Importance.LOW,
        "Longest wait of one consumer poll.",
        GROUP_KAFKA,
        6,
        ConfigDef.Width.SHORT,
        "Poll timeout");

    def.define(
        AGENT_MACHINE,
        Type.STRING,
        "",
        Importance.MEDIUM,
        "Machine (Arc resource) name the agent log belongs to; empty: this host's name.",
        GROUP_AGENT,
        1,
        ConfigDef.Width.MEDIUM,
        "Machine");
    def.define(
        AGENT_POLL_MS,
        Type.LONG,
        500L,
        Range.between(10, 60_000),
        Importance.LOW,
        "How often the agent-log tail looks for new lines and rotation.",
        GROUP_AGENT,
        2,
        ConfigDef.Width.SHORT,
        "Poll interval");
    def.define(
        AGENT_FROM_END,
        Type.BOOLEAN,
        false,
        Importance.LOW,
        "Without a checkpoint, start at the end of the log instead of its beginning.",
        GROUP_AGENT,
        3,
        ConfigDef.Width.SHORT,
        "Start at end");
    return def;
  }

  public int maxRecordBytes() {
    return getInt(MAX_RECORD_BYTES);
  }

  public int deadLetterMaxRawBytes() {
    return getInt(DEADLETTER_MAX_RAW_BYTES);
  }

  public long flushIntervalMs() {
    return getLong(FLUSH_INTERVAL_MS);
  }

  /** The parse threads to use: the setting, or the processors (at most 4) when it is 0. */
  public int parseThreads() {
    int n = getInt(PARSE_THREADS);
    return n > 0 ? n : Math.min(4, Runtime.getRuntime().availableProcessors());
  }

  public long startupTimeoutMs() {
    return getLong(STARTUP_TIMEOUT_MS);
  }

  public String httpToken() {
    Password p = getPassword(HTTP_TOKEN);
    return p == null ? "" : p.value();
  }
}
