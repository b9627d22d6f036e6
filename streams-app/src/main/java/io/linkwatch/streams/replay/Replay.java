package io.linkwatch.streams.replay;

import io.linkwatch.avro.Alert;
import io.linkwatch.avro.AlertRule;
import io.linkwatch.schemas.cli.ClusterCheck;
import io.linkwatch.schemas.config.CommonConfig;
import io.linkwatch.schemas.config.KafkaClientSettings;
import io.linkwatch.schemas.topic.Topic;
import io.linkwatch.schemas.topic.Topics;
import io.linkwatch.streams.config.StreamsAppConfig;
import io.linkwatch.streams.rules.RuleLoader;
import io.linkwatch.streams.rules.RuleSet;
import io.linkwatch.streams.rules.RuleValidationException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Replays a range of the retained input events through the live topology, in process and isolated:
 * the event topics are read without a consumer group (nothing committed, the live application
 * undisturbed), the topology runs in a {@code TopologyTestDriver} with its state in a temporary
 * folder removed afterwards, and nothing is written to the cluster. Optionally compares the
 * replayed alerts with those the live alerts topic holds for the same range.
 *
 * <p>This is what {@code linkwatch replay}, {@code linkwatch backtest}, the benchmarks and the
 * tests call; docs/replay.md explains the choices.
 */
public final class Replay {

  /** Where the rules come from: the rules topic as it was, or files (validated). */
  public sealed interface Rules {
    /** The versions the rules topic held during the range, applied at their publication time. */
    record AsTheyWere() implements Rules {}

    /** Rules from a file or folder, versioned as {@code linkwatch rules apply} would. */
    record FromFiles(Path path) implements Rules {}

    /** The default rule pack shipped with linkwatch, versioned the same way. */
    record DefaultPack() implements Rules {}
  }

  /**
   * What to replay.
   *
   * @param from start of the reported range
   * @param to end of the range (exclusive)
   * @param warmup event time read before {@code from} to rebuild state; null: computed from the
   *     rules and the correlation settings
   * @param rules which rules
   * @param keepResults keep every window result (the values the rules judged), for charts
   */
  public record Request(
      Instant from, Instant to, Duration warmup, Rules rules, boolean keepResults) {

    public Request {
      if (!from.isBefore(to)) {
        throw new IllegalArgumentException(
            "--from (" + from + ") must be before --to (" + to + ")");
      }
      if (warmup != null && warmup.isNegative()) {
        throw new IllegalArgumentException("--warmup must not be negative");
      }
    }
  }

  /** Told what the replay is doing, for a progress bar. */
  public interface Listener {
    /** The range is planned: how many input records it holds and the replay's first instant. */
    default void planned(long records, Instant start, Duration warmup) {}

    /** {@code records} processed so far; the latest event time read. */
    default void advanced(long records, Instant eventTime) {}

    /** Waiting for the cluster. */
    default void waiting(String what) {}
  }

  private Replay() {}

  /**
   * Replays a range.
   *
   * @param settings the streams role's settings (the same file as {@code linkwatch streams})
   * @param extra receives every reported output as it comes (e.g. a file writer), may be null
   * @throws RuleValidationException when rule files are invalid
   * @throws io.linkwatch.schemas.cli.KafkaUnreachableException when the cluster does not answer
   */
  public static ReplayResult run(
      Map<String, String> settings, Request request, Listener listener, Output extra)
      throws RuleValidationException, IOException {
    validate(request.rules());
    Session session = new Session(settings, listener);
    return session.replay(request, session.rules(request), extra);
  }

  /**
   * Replays a range and compares its alerts with the live alerts topic.
   *
   * @return the replay and the comparison
   */
  public static Verified verify(
      Map<String, String> settings, Request request, Listener listener, Output extra)
      throws RuleValidationException, IOException {
    validate(request.rules());
    Session session = new Session(settings, listener);
    RuleSelection rules = session.rules(request);
    ReplayResult result = session.replay(request, rules, extra);
    return new Verified(result, session.verify(result, rules));
  }

  /**
   * How many input records a replay of {@code request} would read (its warm-up included), without
   * replaying them.
   */
  public static long count(Map<String, String> settings, Request request)
      throws RuleValidationException, IOException {
    Session session = new Session(settings, new Listener() {});
    RuleSelection rules = session.rules(request);
    Instant start = request.from().minus(session.warmup(request, rules));
    try (RangeReader reader =
        new RangeReader(session.consumer, session.inputs(), session.timeout)) {
      return reader.plan(start, request.to()).stream().mapToLong(RangeReader.Span::size).sum();
    }
  }

  /** Rule files are checked before the cluster is asked anything: a typo fails fast. */
  static void validate(Rules rules) throws RuleValidationException, IOException {
    if (rules instanceof Rules.FromFiles f) {
      RuleLoader.load(f.path());
    }
  }

  /** A replay and its comparison with the live alerts. */
  public record Verified(ReplayResult result, VerifyReport report) {}

  /** Receives the reported outputs as they are produced. */
  public interface Output {
    /**
     * One output record.
     *
     * @param kind {@code incident}, {@code aggregate}, {@code alert} or {@code dead-letter}
     * @param value the decoded Avro record
     */
    void emitted(String kind, String key, Object value, long timestamp);
  }

  /** The connection to the cluster and the settings of one command. */
  static final class Session {
    final Map<String, String> settings;
    final ReplayRun run;
    final Topics topics;
    final Map<String, Object> consumer;
    final Duration timeout;
    final Listener listener;
    private RuleHistory history;

    Session(Map<String, String> settings, Listener listener) {
      this.settings = settings;
      this.listener = listener;
      this.run = ReplayRun.forSettings(settings);
      this.topics = run.topics();
      StreamsAppConfig config = new StreamsAppConfig(settings);
      this.timeout = Duration.ofMillis(config.getLong(CommonConfig.KAFKA_WAIT_TIMEOUT_MS));
      Map<String, Object> c = new HashMap<>(KafkaClientSettings.consumer(settings));
      c.put(
          CommonConfig.BOOTSTRAP_SERVERS,
          String.join(",", config.getList(CommonConfig.BOOTSTRAP_SERVERS)));
      this.consumer = c;
      Map<String, Object> admin = new HashMap<>(KafkaClientSettings.admin(settings));
      admin.put(CommonConfig.BOOTSTRAP_SERVERS, c.get(CommonConfig.BOOTSTRAP_SERVERS));
      ClusterCheck.awaitReachable(admin, timeout, listener::waiting);
    }

    RuleHistory history() {
      if (history == null) {
        history = RuleHistory.read(consumer, topics.alertRules(), timeout);
      }
      return history;
    }

    /** The rules of a request (validated when they come from files). */
    RuleSelection rules(Request request) throws RuleValidationException, IOException {
      Rules rules = request.rules();
      if (rules instanceof Rules.FromFiles f) {
        return given(RuleLoader.load(f.path()), f.path().toString());
      }
      if (rules instanceof Rules.DefaultPack) {
        return given(RuleLoader.loadDefaultPack(), "the default rule pack");
      }
      Duration warmup =
          request.warmup() != null
              ? request.warmup()
              : Warmup.of(history().inForceAt(request.from()).values(), run.settings());
      return RuleSelection.asTheyWere(
          history(), topics.alertRules().name(), request.from().minus(warmup), request.to());
    }

    private RuleSelection given(RuleSet set, String origin) {
      Map<String, AlertRule> current;
      try {
        current = history().inForceAt(Instant.now());
      } catch (IllegalArgumentException noRulesTopic) {
        current = Map.of();
      }
      return RuleSelection.given(set.alertRules(), current, origin);
    }

    /** Warm-up of a request: as asked, or the rules' and correlations' look-back. */
    Duration warmup(Request request, RuleSelection rules) {
      if (request.warmup() != null) {
        return request.warmup();
      }
      if (request.rules() instanceof Rules.AsTheyWere) {
        return Warmup.of(history().inForceAt(request.from()).values(), run.settings());
      }
      return Warmup.of(rules.initial().values(), run.settings());
    }

    List<String> inputs() {
      return List.of(
          topics.connections().name(), topics.provisioning().name(), topics.agent().name());
    }

    ReplayResult replay(Request request, RuleSelection rules, Output extra) {
      Duration warmup = warmup(request, rules);
      Instant start = request.from().minus(warmup);
      try (RangeReader reader = new RangeReader(consumer, inputs(), timeout)) {
        long size =
            reader.plan(start, request.to()).stream().mapToLong(RangeReader.Span::size).sum();
        listener.planned(size, start, warmup);
        ReplayRun.Feed feed =
            new ReplayRun.Feed() {
              @Override
              public long size() {
                return size;
              }

              @Override
              public long read(Consumer<RangeReader.Source> sink) {
                return reader.read(sink);
              }
            };
        ReplayDriver.Listener out = extra == null ? null : decoding(extra);
        return run.run(
            request.from(),
            request.to(),
            warmup,
            rules,
            feed,
            request.keepResults(),
            (records, eventTime) -> listener.advanced(records, Instant.ofEpochMilli(eventTime)),
            out);
      }
    }

    /** Decodes the outputs for {@code extra}. */
    private ReplayDriver.Listener decoding(Output extra) {
      Map<ReplayDriver.Kind, java.util.function.Function<byte[], Object>> decoders =
          Map.of(
              ReplayDriver.Kind.INCIDENT, decoder(topics.incidents()),
              ReplayDriver.Kind.AGGREGATE, decoder(topics.aggregates()),
              ReplayDriver.Kind.ALERT, decoder(topics.alerts()),
              ReplayDriver.Kind.DEAD_LETTER, decoder(topics.ingestDeadLetter()));
      return (kind, key, value, ts) ->
          extra.emitted(
              kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'),
              key == null ? null : new String(key, java.nio.charset.StandardCharsets.UTF_8),
              decoders.get(kind).apply(value),
              ts);
    }

    private static java.util.function.Function<byte[], Object> decoder(Topic<String, ?> topic) {
      Deserializer<?> d = topic.valueSerde().deserializer();
      return bytes -> d.deserialize(topic.name(), bytes);
    }

    /** Reads the live alerts of the replayed range and compares. */
    VerifyReport verify(ReplayResult result, RuleSelection rules) {
      Instant until = result.watermark() == null ? result.from() : result.watermark();
      Map<String, Set<Integer>> versions = new TreeMap<>();
      rules
          .initial()
          .forEach(
              (id, r) -> versions.computeIfAbsent(id, k -> new HashSet<>()).add(r.getVersion()));
      rules.changes().stream()
          .filter(e -> !e.deleted())
          .forEach(
              e ->
                  versions
                      .computeIfAbsent(e.id(), k -> new HashSet<>())
                      .add(e.rule().getVersion()));
      Map<String, Long> notCompared = new TreeMap<>();
      List<ReplayResult.Emitted<Alert>> live = new ArrayList<>();
      Deserializer<Alert> alerts = topics.alerts().valueSerde().deserializer();
      try (RangeReader reader =
          new RangeReader(consumer, List.of(topics.alerts().name()), timeout)) {
        // Alert records are stamped with the watermark that emitted them, at or after
        // evaluatedAt; one emitted by a wall-clock path can be stamped much later, so read to the
        // end of the topic and select by evaluatedAt.
        reader.plan(
            result.from().minus(Duration.ofHours(1)), Instant.now().plus(Duration.ofDays(365)));
        reader.read(
            s -> {
              Alert a = alerts.deserialize(s.topic(), s.value());
              if (a.getEvaluatedAt().isBefore(result.from())) {
                return;
              }
              if (a.getEvaluatedAt().isAfter(until)) {
                notCompared.merge("evaluated after the replay's last event", 1L, Long::sum);
              } else if (!versions.containsKey(a.getRuleId().toString())) {
                notCompared.merge("rule not replayed", 1L, Long::sum);
              } else {
                live.add(
                    new ReplayResult.Emitted<>(
                        s.key() == null
                            ? null
                            : new String(s.key(), java.nio.charset.StandardCharsets.UTF_8),
                        s.value(),
                        s.timestamp(),
                        a));
              }
            });
      }
      return Verifier.compare(
          result.from(),
          until,
          live,
          result.alerts(),
          result.from().minus(result.warmup()),
          result.lastEvaluation(),
          versions,
          notCompared);
    }
  }
}
