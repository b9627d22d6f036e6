package io.linkwatch.streams.replay;

import io.linkwatch.avro.Alert;
import io.linkwatch.avro.DeadLetter;
import io.linkwatch.avro.Incident;
import io.linkwatch.schemas.config.CommonConfig;
import io.linkwatch.schemas.topic.Topics;
import io.linkwatch.streams.alert.WindowResult;
import io.linkwatch.streams.app.StreamsRunner;
import io.linkwatch.streams.config.StreamsAppConfig;
import io.linkwatch.streams.config.StreamsSettings;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * One replay: feeds a range of input records, in event-time order, through the topology in a {@link
 * ReplayDriver}, applies the rule versions at their time, and collects what the range produced.
 * Knows nothing about where the records come from ({@link Feed}).
 */
final class ReplayRun {

  /** The input records of a range, in the order to replay them. */
  interface Feed {
    /** How many records the feed will hand over (for progress), or -1 if unknown. */
    long size();

    /** Hands every record to {@code sink}; returns how many. */
    long read(Consumer<RangeReader.Source> sink);
  }

  /** Told how far the replay is. */
  interface Progress {
    void advanced(long records, long eventTime);

    Progress NONE = (records, eventTime) -> {};
  }

  private final StreamsSettings settings;
  private final Properties streamsProperties;
  private final Topics topics;
  private final String deadLetterTopic;

  ReplayRun(
      StreamsSettings settings,
      Properties streamsProperties,
      Topics topics,
      String deadLetterTopic) {
    this.settings = settings;
    this.streamsProperties = streamsProperties;
    this.topics = topics;
    this.deadLetterTopic = deadLetterTopic;
  }

  /**
   * A run with the live streams role's settings: same topology settings, topics and defaults, but
   * one window partition. The driver runs every series in one task, and the window engine bounds
   * each rule to {@code ceil(maxSeries / streams.window.partitions)} series per task: with the live
   * partition count it would reject series the live run evaluates.
   */
  static ReplayRun forSettings(Map<String, String> live) {
    Map<String, String> settings = new java.util.HashMap<>(live);
    settings.put(StreamsAppConfig.WINDOW_PARTITIONS, "1");
    StreamsAppConfig config = new StreamsAppConfig(settings);
    return new ReplayRun(
        StreamsSettings.from(config),
        StreamsRunner.properties(settings, config),
        CommonConfig.topics(config, CommonConfig.serdes(config)),
        config.getString(StreamsAppConfig.DEADLETTER_TOPIC));
  }

  StreamsSettings settings() {
    return settings;
  }

  Topics topics() {
    return topics;
  }

  /**
   * Replays {@code feed}.
   *
   * @param from outputs before it are warm-up, not reported
   * @param to end of the range (for the result)
   * @param warmup how much was read before {@code from}
   * @param rules the rules and their changes
   * @param keepResults whether to keep the window results (backtest charts)
   * @param extra also receives every reported output (e.g. a file writer), may be null
   */
  ReplayResult run(
      Instant from,
      Instant to,
      Duration warmup,
      RuleSelection rules,
      Feed feed,
      boolean keepResults,
      Progress progress,
      ReplayDriver.Listener extra) {
    long started = System.nanoTime();
    Collector out = new Collector(from.toEpochMilli(), keepResults, extra);
    Map<String, Long> inputs = new TreeMap<>();
    List.of(topics.connections(), topics.provisioning(), topics.agent())
        .forEach(t -> inputs.put(t.name(), 0L));
    long[] watermark = {Long.MIN_VALUE};
    Instant start = from.minus(warmup);
    try (ReplayDriver driver =
        new ReplayDriver(settings, streamsProperties, topics, deadLetterTopic, start, out)) {
      rules.initial().forEach((id, rule) -> driver.rule(id, rule, start.toEpochMilli()));
      Iterator<RuleHistory.Entry> changes = rules.changes().iterator();
      RuleHistory.Entry[] next = {changes.hasNext() ? changes.next() : null};
      long[] count = {0};
      feed.read(
          s -> {
            while (next[0] != null && next[0].time() <= s.timestamp()) {
              driver.rule(next[0].id(), next[0].rule(), next[0].time());
              next[0] = changes.hasNext() ? changes.next() : null;
            }
            driver.pipe(s);
            inputs.merge(s.topic(), 1L, Long::sum);
            watermark[0] = Math.max(watermark[0], s.timestamp());
            if ((++count[0] & 1023) == 0) {
              progress.advanced(count[0], watermark[0]);
            }
          });
      progress.advanced(count[0], watermark[0]);
    }
    return new ReplayResult(
        from,
        to,
        warmup,
        watermark[0] == Long.MIN_VALUE ? null : Instant.ofEpochMilli(watermark[0]),
        out.lastEvaluation == Long.MIN_VALUE ? null : Instant.ofEpochMilli(out.lastEvaluation),
        inputs,
        Duration.ofNanos(System.nanoTime() - started),
        rules.origin(),
        rules.versions(),
        rules.warnings(),
        out.alerts,
        out.incidents,
        out.incidentKinds,
        out.aggregates,
        out.deadLetters,
        out.deadLetterCount,
        out.warmup,
        out.results,
        out.digest());
  }

  /** Decodes, filters (warm-up) and digests the outputs. */
  private final class Collector implements ReplayDriver.Listener {
    final long from;
    final boolean keepResults;
    final ReplayDriver.Listener extra;
    final List<ReplayResult.Emitted<Alert>> alerts = new ArrayList<>();
    final List<ReplayResult.Emitted<Incident>> incidents = new ArrayList<>();
    final List<ReplayResult.Emitted<DeadLetter>> deadLetters = new ArrayList<>();
    final List<ReplayResult.ResultPoint> results = new ArrayList<>();
    final Map<String, Long> warmup = new TreeMap<>();
    final Map<String, Long> incidentKinds = new TreeMap<>();
    long deadLetterCount;
    final Deserializer<Alert> alertDeserializer = topics.alerts().valueSerde().deserializer();
    final Deserializer<Incident> incidentDeserializer =
        topics.incidents().valueSerde().deserializer();
    final Deserializer<DeadLetter> deadLetterDeserializer =
        topics.ingestDeadLetter().valueSerde().deserializer();
    final MessageDigest digest;
    long aggregates;
    long lastEvaluation = Long.MIN_VALUE;

    Collector(long from, boolean keepResults, ReplayDriver.Listener extra) {
      this.from = from;
      this.keepResults = keepResults;
      this.extra = extra;
      try {
        this.digest = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("SHA-256 is part of every JVM", e);
      }
    }

    @Override
    public void emitted(ReplayDriver.Kind kind, byte[] key, byte[] value, long timestamp) {
      String k = key == null ? null : new String(key, StandardCharsets.UTF_8);
      boolean reported;
      switch (kind) {
        case ALERT -> {
          Alert a = alertDeserializer.deserialize(topics.alerts().name(), value);
          reported = a.getEvaluatedAt().toEpochMilli() >= from;
          if (reported) {
            alerts.add(new ReplayResult.Emitted<>(k, value, timestamp, a));
          }
        }
        case INCIDENT -> {
          reported = timestamp >= from;
          if (reported) {
            Incident i = incidentDeserializer.deserialize(topics.incidents().name(), value);
            incidentKinds.merge(i.getKind().name(), 1L, Long::sum);
            if (incidents.size() < ReplayResult.KEPT) {
              incidents.add(new ReplayResult.Emitted<>(k, value, timestamp, i));
            }
          }
        }
        case AGGREGATE -> {
          reported = timestamp >= from;
          if (reported) {
            aggregates++;
          }
        }
        case DEAD_LETTER -> {
          reported = true;
          deadLetterCount++;
          if (deadLetters.size() < ReplayResult.KEPT) {
            deadLetters.add(
                new ReplayResult.Emitted<>(
                    k,
                    value,
                    timestamp,
                    deadLetterDeserializer.deserialize(deadLetterTopic, value)));
          }
        }
        default -> throw new IllegalStateException("unknown output " + kind);
      }
      if (!reported) {
        warmup.merge(kind.name().toLowerCase(java.util.Locale.ROOT), 1L, Long::sum);
        return;
      }
      digest.update((byte) kind.ordinal());
      update(key);
      update(value);
      digest.update(ByteBuffer.allocate(8).putLong(timestamp).array());
      if (extra != null) {
        extra.emitted(kind, key, value, timestamp);
      }
    }

    private void update(byte[] bytes) {
      digest.update(ByteBuffer.allocate(4).putInt(bytes == null ? -1 : bytes.length).array());
      if (bytes != null) {
        digest.update(bytes);
      }
    }

    @Override
    public void result(WindowResult r) {
      lastEvaluation = Math.max(lastEvaluation, r.evaluatedAt().toEpochMilli());
      if (keepResults && r.evaluatedAt().toEpochMilli() >= from) {
        results.add(
            new ReplayResult.ResultPoint(
                r.seriesKey(),
                r.ruleId(),
                r.ruleVersion(),
                r.dimensions(),
                r.windowStart(),
                r.windowEnd(),
                r.hasData(),
                r.value(),
                r.count(),
                r.lateRecords(),
                r.revision(),
                r.evaluatedAt()));
      }
    }

    String digest() {
      return HexFormat.of().formatHex(digest.digest());
    }
  }
}
