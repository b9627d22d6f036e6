package io.linkwatch.streams.config;

import io.linkwatch.schemas.config.CommonConfig;
import io.linkwatch.schemas.config.KnownKeys;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The settings of the streams role: the common keys ({@link CommonConfig}), the {@code streams.*}
 * keys declared here, and every Kafka Streams / client key, which passes through to {@link
 * org.apache.kafka.streams.KafkaStreams} unchanged. Parsed once into an immutable {@link
 * StreamsSettings}.
 */
public final class StreamsAppConfig extends AbstractConfig {

  public static final String DEDUP_RETENTION_MS = "streams.dedup.retention.ms";
  public static final String GRACE_MS = "streams.grace.ms";
  public static final String RECONNECT_WINDOW_MS = "streams.correlation.reconnect.window.ms";
  public static final String CORRELATION_GRACE_MS = "streams.correlation.grace.ms";
  public static final String DEVICE_STATE_TTL_MS = "streams.correlation.state.ttl.ms";
  public static final String INCIDENT_IDLE_MS = "streams.incident.idle.close.ms";
  public static final String EVIDENCE_MAX = "streams.incident.evidence.max";
  public static final String OUTAGE_WINDOW_MS = "streams.outage.window.ms";
  public static final String OUTAGE_MIN_DEVICES = "streams.outage.min.devices";
  public static final String OUTAGE_MIN_SERVER_ERROR_DEVICES =
      "streams.outage.min.server.error.devices";
  public static final String THROTTLING_MIN_EVENTS = "streams.throttling.min.events";
  public static final String FLAP_CHANGES = "streams.reprovisioning.flap.changes";
  public static final String FLAP_WINDOW_MS = "streams.reprovisioning.flap.window.ms";
  public static final String WINDOW_SIZE_MS = "streams.window.size.ms";
  public static final String WINDOW_ADVANCE_MS = "streams.window.advance.ms";
  public static final String WINDOW_REVISION_HORIZON_MS = "streams.window.revision.horizon.ms";
  public static final String WINDOW_NODATA_EVALUATIONS = "streams.window.nodata.evaluations";
  public static final String WINDOW_SAMPLE_EVENTS = "streams.window.sample.events";
  public static final String WINDOW_DISTINCT_EXACT_MAX = "streams.window.distinct.exact.max";
  public static final String WINDOW_SKETCH_PRECISION = "streams.window.sketch.precision";
  public static final String WINDOW_PARTITIONS = "streams.window.partitions";
  public static final String WINDOW_EARLY_UPDATES = "streams.window.early.updates";
  public static final String IDLE_CLOSE_MS = "streams.idle.close.ms";
  public static final String WALL_CLOCK_INTERVAL_MS = "streams.wallclock.interval.ms";
  public static final String ROCKSDB_BLOCK_CACHE_BYTES = "streams.rocksdb.block.cache.bytes";
  public static final String ROCKSDB_WRITE_BUFFER_BYTES = "streams.rocksdb.write.buffer.bytes";
  public static final String HTTP_HOST = "streams.http.host";
  public static final String HTTP_PORT = "streams.http.port";
  public static final String DEADLETTER_TOPIC = "streams.deadletter.topic";
  public static final String ON_DESERIALIZATION_ERROR = "streams.errors.deserialization";
  public static final String ON_PROCESSING_ERROR = "streams.errors.processing";
  public static final String ON_PRODUCTION_ERROR = "streams.errors.production";

  public static final String DEFAULT_APPLICATION_ID = "linkwatch-streams";

  private static final String GROUP = "Streams";
  private static final ConfigDef DEF = define();

  public StreamsAppConfig(Map<String, ?> settings) {
    super(DEF, settings, false);
  }

  /** The definition: common keys plus {@code streams.*}. */
  public static ConfigDef configDef() {
    return new ConfigDef(DEF);
  }

  /** Every key this role accepts: its own, Kafka Streams' and the Kafka clients'. */
  public static KnownKeys knownKeys() {
    return KnownKeys.of(List.of(DEF), StreamsConfig.configDef().names());
  }

  private static ConfigDef define() {
    ConfigDef def = CommonConfig.define(new ConfigDef());
    int[] order = {1};
    longMs(
        def,
        order,
        DEDUP_RETENTION_MS,
        Duration.ofHours(1),
        "How long (event time) an input eventId is remembered: a repeated delivery of the same Azure"
            + " record within this span is dropped.");
    longMs(
        def,
        order,
        GRACE_MS,
        Duration.ofMinutes(2),
        "Grace period (event time) for out-of-order records: windows (aggregates, rule views, the"
            + " hub-wide detector) close when the watermark passes their end plus this grace; later"
            + " records revise or are counted as late. Authentication verdicts have their own,"
            + " streams.correlation.grace.ms.");
    longMs(
        def,
        order,
        RECONNECT_WINDOW_MS,
        Duration.ofSeconds(60),
        "A 401003 followed by a successful deviceConnect within this time is a SAS token renewal"
            + " (TOKEN_RENEWAL); without it, an authentication failure (AUTH_FAILURE).");
    longMs(
        def,
        order,
        CORRELATION_GRACE_MS,
        Duration.ofMinutes(15),
        "Grace (event time) before a 401003 without its reconnect is declared an authentication"
            + " failure: the reconnect of a renewal may arrive this late and still make it benign."
            + " Larger than the window grace on purpose: a late reconnect turns a verdict around,"
            + " a late record in a window only revises a count. A renewal is decided at once.");
    longMs(
        def,
        order,
        DEVICE_STATE_TTL_MS,
        Duration.ofHours(3),
        "Per-device correlation state is forgotten after this much event time without events from"
            + " the device.");
    longMs(
        def,
        order,
        INCIDENT_IDLE_MS,
        Duration.ofMinutes(15),
        "An open incident (auth failure, attestation failure, agent failure) closes after this much"
            + " event time without new evidence; its final revision is emitted then.");
    def.define(
        EVIDENCE_MAX,
        Type.INT,
        10,
        Range.between(1, 1000),
        Importance.LOW,
        "Maximum evidence events kept on one incident (the count keeps counting).",
        GROUP,
        order[0]++,
        ConfigDef.Width.SHORT,
        EVIDENCE_MAX);
    longMs(
        def,
        order,
        OUTAGE_WINDOW_MS,
        Duration.ofMinutes(2),
        "Window (event time) over which a hub-wide outage signature and throttling episodes are"
            + " detected; evaluated every half window.");
    intAtLeast(
        def,
        order,
        OUTAGE_MIN_DEVICES,
        10,
        1,
        "Distinct devices disconnected with a plain 404104 (not part of a token renewal) within the"
            + " outage window for a hub-wide outage.");
    intAtLeast(
        def,
        order,
        OUTAGE_MIN_SERVER_ERROR_DEVICES,
        2,
        1,
        "Distinct devices with a 500xxx/503xxx error within the outage window for a hub-wide"
            + " outage.");
    intAtLeast(
        def,
        order,
        THROTTLING_MIN_EVENTS,
        5,
        1,
        "Throttling errors (429 DPS, 429001-429005 IoT Hub) of one hub or DPS instance within the"
            + " outage window that open a THROTTLED incident.");
    intAtLeast(
        def,
        order,
        FLAP_CHANGES,
        3,
        2,
        "Hub assignment changes of one device within the flap window that make it flapping.");
    longMs(
        def,
        order,
        FLAP_WINDOW_MS,
        Duration.ofHours(1),
        "Window (event time) for counting a device's hub assignment changes.");
    longMs(
        def,
        order,
        WINDOW_SIZE_MS,
        Duration.ofMinutes(5),
        "Window size of the default aggregates (like Azure Monitor's window size).");
    longMs(
        def,
        order,
        WINDOW_ADVANCE_MS,
        Duration.ofMinutes(1),
        "Advance of the default aggregates (like Azure Monitor's evaluation frequency); must"
            + " divide the window size.");
    longMs(
        def,
        order,
        WINDOW_REVISION_HORIZON_MS,
        Duration.ofMinutes(10),
        "How long after its close a window can still be revised by a late record (its buckets are"
            + " kept that long); later records are only counted as late.");
    intAtLeast(
        def,
        order,
        WINDOW_NODATA_EVALUATIONS,
        10,
        0,
        "Evaluations for which a rule series without data is still reported (hasData=false) before"
            + " it is forgotten.");
    intAtLeast(
        def, order, WINDOW_SAMPLE_EVENTS, 5, 0, "Sample events kept as evidence per window.");
    intAtLeast(
        def,
        order,
        WINDOW_DISTINCT_EXACT_MAX,
        64,
        0,
        "Distinct devices are counted exactly up to this many per bucket, then estimated with an"
            + " UltraLogLog sketch.");
    def.define(
        WINDOW_SKETCH_PRECISION,
        Type.INT,
        11,
        Range.between(3, 16),
        Importance.LOW,
        "UltraLogLog precision p (2^p one-byte registers; relative error about 0.8/sqrt(2^p)).",
        GROUP,
        order[0]++,
        ConfigDef.Width.SHORT,
        WINDOW_SKETCH_PRECISION);
    intAtLeast(
        def,
        order,
        WINDOW_PARTITIONS,
        6,
        1,
        "Partitions of the repartition topics of the window engine and of the per-hub detector.");
    def.define(
        WINDOW_EARLY_UPDATES,
        Type.BOOLEAN,
        false,
        Importance.LOW,
        "Also emit early (isFinal=false) aggregates each time a default-view window receives data"
            + " (rule views always evaluate on close only).",
        GROUP,
        order[0]++,
        ConfigDef.Width.SHORT,
        WINDOW_EARLY_UPDATES);
    longMs(
        def,
        order,
        IDLE_CLOSE_MS,
        Duration.ofSeconds(10),
        "When a task has received no record for this long (wall clock), its event-time watermark"
            + " advances with the wall clock so that windows and correlations close without new"
            + " traffic. Never applies while records keep flowing (replays stay deterministic).");
    longMs(
        def,
        order,
        WALL_CLOCK_INTERVAL_MS,
        Duration.ofSeconds(1),
        "How often (wall clock) idle tasks check whether to advance their watermark.");
    def.define(
        ROCKSDB_BLOCK_CACHE_BYTES,
        Type.LONG,
        64L * 1024 * 1024,
        Range.atLeast(1024 * 1024),
        Importance.MEDIUM,
        "RocksDB block cache shared by every store of the instance (bytes); with the write buffers"
            + " it bounds off-heap memory.",
        GROUP,
        order[0]++,
        ConfigDef.Width.SHORT,
        ROCKSDB_BLOCK_CACHE_BYTES);
    def.define(
        ROCKSDB_WRITE_BUFFER_BYTES,
        Type.LONG,
        32L * 1024 * 1024,
        Range.atLeast(1024 * 1024),
        Importance.MEDIUM,
        "RocksDB memtable memory shared by every store (bytes), charged to the block cache.",
        GROUP,
        order[0]++,
        ConfigDef.Width.SHORT,
        ROCKSDB_WRITE_BUFFER_BYTES);
    def.define(
        HTTP_HOST,
        Type.STRING,
        "127.0.0.1",
        Importance.MEDIUM,
        "Interface of the HTTP server (interactive queries, health, Prometheus metrics). The"
            + " advertised application.server defaults to host:port.",
        GROUP,
        order[0]++,
        ConfigDef.Width.MEDIUM,
        HTTP_HOST);
    def.define(
        HTTP_PORT,
        Type.INT,
        7070,
        Range.between(0, 65535),
        Importance.MEDIUM,
        "Port of the HTTP server; 0 disables it.",
        GROUP,
        order[0]++,
        ConfigDef.Width.SHORT,
        HTTP_PORT);
    def.define(
        DEADLETTER_TOPIC,
        Type.STRING,
        "linkwatch.ingest.deadletter.v1",
        new ConfigDef.NonEmptyStringWithoutControlChars(),
        Importance.MEDIUM,
        "Topic that receives DeadLetter records (stage STREAMS) for input that cannot be read or"
            + " processed.",
        GROUP,
        order[0]++,
        ConfigDef.Width.LONG,
        DEADLETTER_TOPIC);
    policy(
        def,
        order,
        ON_DESERIALIZATION_ERROR,
        "deadletter",
        "A record that cannot be deserialized: 'deadletter' (keep its raw bytes in the dead-letter"
            + " topic with the reason, continue) or 'fail' (stop the task).");
    policy(
        def,
        order,
        ON_PROCESSING_ERROR,
        "deadletter",
        "A record whose processing throws: 'deadletter' or 'fail'.");
    policy(
        def,
        order,
        ON_PRODUCTION_ERROR,
        "fail",
        "A result that cannot be written: 'fail' (default: nothing is skipped silently) or"
            + " 'deadletter'.");
    return def;
  }

  private static void longMs(ConfigDef def, int[] order, String key, Duration dflt, String doc) {
    def.define(
        key,
        Type.LONG,
        dflt.toMillis(),
        Range.atLeast(0),
        Importance.MEDIUM,
        doc + " Milliseconds.",
        GROUP,
        order[0]++,
        ConfigDef.Width.SHORT,
        key);
  }

  private static void intAtLeast(
      ConfigDef def, int[] order, String key, int dflt, int min, String doc) {
    def.define(
        key,
        Type.INT,
        dflt,
        Range.atLeast(min),
        Importance.MEDIUM,
        doc,
        GROUP,
        order[0]++,
        ConfigDef.Width.SHORT,
        key);
  }

  private static void policy(ConfigDef def, int[] order, String key, String dflt, String doc) {
    def.define(
        key,
        Type.STRING,
        dflt,
        ValidString.in("deadletter", "fail"),
        Importance.MEDIUM,
        doc,
        GROUP,
        order[0]++,
        ConfigDef.Width.SHORT,
        key);
  }
}
