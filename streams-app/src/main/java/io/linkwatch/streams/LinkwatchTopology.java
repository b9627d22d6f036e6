package io.linkwatch.streams;

import io.linkwatch.avro.AgentEvent;
import io.linkwatch.avro.Alert;
import io.linkwatch.avro.Incident;
import io.linkwatch.avro.WindowedAggregate;
import io.linkwatch.schemas.topic.Topic;
import io.linkwatch.schemas.topic.Topics;
import io.linkwatch.streams.alert.AlertStage;
import io.linkwatch.streams.alert.AlertStageSettings;
import io.linkwatch.streams.alert.WindowResult;
import io.linkwatch.streams.config.StreamsSettings;
import io.linkwatch.streams.correlate.CorrelationStage;
import io.linkwatch.streams.correlate.ScopeSignal;
import io.linkwatch.streams.dedup.Dedup;
import io.linkwatch.streams.metrics.PipelineMetrics;
import io.linkwatch.streams.time.TickGate;
import io.linkwatch.streams.time.Ticks;
import io.linkwatch.streams.window.RuleChanges;
import io.linkwatch.streams.window.RulesStore;
import io.linkwatch.streams.window.ViewObservation;
import io.linkwatch.streams.window.WindowStage;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyConfig;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;

/**
 * The linkwatch topology, a pure function of its settings and topics: replay, backtest and the
 * benchmarks build the very same one.
 *
 * <pre>
 * connections ─ dedup ─ correlate (per device) ──┬─ incidents ───────────────────────────────┐
 * provisioning ─ dedup ─ correlate (per reg.) ───┤─ scope signals ─ repartition by hub/dps ─ │
 * agent ─ dedup ─ correlate (per machine) ───────┤                  detect (outage, 429) ──┤ │
 *                                                └─ view observations ─ repartition by      │ │
 *                                                   (view, series) ─ window engine ─┬─ aggregates
 * alert-rules ─ global store linkwatch-alert-rules (views, alert stage)             └─ results ─ alert stage ─ alerts
 * </pre>
 *
 * Every store, repartition topic and processor is named (so a topology change does not rename a
 * changelog), and every serde is explicit.
 */
public final class LinkwatchTopology {

  /** The repartition of view observations to the window engine (by series). */
  public static final String OBSERVATIONS_REPARTITION = "linkwatch-window-observations";

  /** The repartition of hub/DPS-wide signals to the scope detector (by hub or DPS instance). */
  public static final String SCOPE_REPARTITION = "linkwatch-scope-signals";

  /** The repartition of the hub-wide detector's observations to the window engine (by series). */
  public static final String SCOPE_OBSERVATIONS_REPARTITION = "linkwatch-scope-observations";

  private final StreamsSettings settings;
  private final Topics topics;
  private final PipelineMetrics metrics;
  private final AlertStageFactory alertStage;
  private final TopologyConfig topologyConfig;
  private final RuleChanges ruleChanges = new RuleChanges();
  private final TickGate ticks = new TickGate();

  /** Builds the alert stage on the window results (issue 5's {@code AlertStage.build}). */
  @FunctionalInterface
  public interface AlertStageFactory {
    KStream<String, Alert> build(StreamsBuilder builder, KStream<String, WindowResult> results);
  }

  /** The alert stage of issue 5, with its default settings and meters that go nowhere. */
  public static AlertStageFactory defaultAlertStage() {
    return (builder, results) -> AlertStage.build(builder, results, AlertStageSettings.defaults());
  }

  /**
   * The alert stage of issue 5, with its default settings; its meters ({@code linkwatch.alerts.*})
   * register with {@code registry}, so the streams role's {@code /metrics} shows them next to the
   * pipeline's.
   */
  public static AlertStageFactory defaultAlertStage(MeterRegistry registry) {
    AlertStageSettings stage = AlertStageSettings.defaults().withMeterRegistry(registry);
    return (builder, results) -> AlertStage.build(builder, results, stage);
  }

  private LinkwatchTopology(
      StreamsSettings settings,
      Topics topics,
      PipelineMetrics metrics,
      AlertStageFactory alerts,
      TopologyConfig topologyConfig) {
    this.settings = settings;
    this.topics = topics;
    this.metrics = metrics;
    this.alertStage = alerts;
    this.topologyConfig = topologyConfig;
  }

  /** Builds the topology with meters that go nowhere. */
  public static Topology build(StreamsSettings settings, Topics topics) {
    return build(settings, topics, PipelineMetrics.detached());
  }

  /** Builds the topology; its own meters and the alert stage's register with {@code metrics}. */
  public static Topology build(StreamsSettings settings, Topics topics, PipelineMetrics metrics) {
    // on a cluster whose partitions are known, the inhibition step waits at start for every
    // evaluating task (one per window partition), as the window engine waits for its upstreams
    AlertStageSettings stage =
        AlertStageSettings.defaults()
            .withMeterRegistry(metrics.registry())
            .withEvaluatingPartitions(
                settings.eventPartitions() == 0 ? 0 : settings.windowPartitions(),
                Duration.ofMillis(3 * settings.idleCloseMs()));
    return build(
        settings, topics, metrics, (builder, results) -> AlertStage.build(builder, results, stage));
  }

  /** Builds the topology with a given alert stage (tests observe the window results this way). */
  public static Topology build(
      StreamsSettings settings, Topics topics, PipelineMetrics metrics, AlertStageFactory alerts) {
    return new LinkwatchTopology(settings, topics, metrics, alerts, null).topology();
  }

  /**
   * Builds the topology with Kafka Streams topology settings (e.g. {@code
   * processor.wrapper.class}), which Kafka honours only when they are given to the {@link
   * StreamsBuilder} constructor. Replay uses it to give the correlators the coordinates of the
   * original input records.
   */
  public static Topology build(
      StreamsSettings settings,
      Topics topics,
      PipelineMetrics metrics,
      AlertStageFactory alerts,
      TopologyConfig topologyConfig) {
    return new LinkwatchTopology(settings, topics, metrics, alerts, topologyConfig).topology();
  }

  private Topology topology() {
    StreamsBuilder builder =
        topologyConfig == null ? new StreamsBuilder() : new StreamsBuilder(topologyConfig);
    rules(builder);

    Map<String, KStream<String, Object>> conn =
        split(
            "connections",
            correlate(
                "connections",
                dedup(
                    builder,
                    "connections",
                    topics.connections(),
                    e -> e.getEventId(),
                    e -> e.getTime().toEpochMilli()),
                CorrelationStage.connections(settings, topics, ruleChanges, metrics, ticks)));
    Map<String, KStream<String, Object>> prov =
        split(
            "provisioning",
            correlate(
                "provisioning",
                dedup(
                    builder,
                    "provisioning",
                    topics.provisioning(),
                    e -> e.getEventId(),
                    e -> e.getTime().toEpochMilli()),
                CorrelationStage.provisioning(settings, topics, ruleChanges, metrics, ticks)));
    Map<String, KStream<String, Object>> agent =
        split(
            "agent",
            correlate(
                "agent",
                dedup(
                    builder,
                    "agent",
                    topics.agent(),
                    AgentEvent::getEventId,
                    e -> e.getTime().toEpochMilli()),
                CorrelationStage.agents(settings, topics, ruleChanges, metrics, ticks)));

    Map<String, KStream<String, Object>> scope =
        split(
            "scopes",
            detectScopes(
                conn.get(branch("connections", "scope"))
                    .merge(
                        prov.get(branch("provisioning", "scope")),
                        Named.as("linkwatch-scope-merge"))));

    KStream<String, Object> incidents =
        conn.get(branch("connections", "incidents"))
            .merge(
                prov.get(branch("provisioning", "incidents")),
                Named.as("linkwatch-incidents-merge-provisioning"))
            .merge(
                agent.get(branch("agent", "incidents")),
                Named.as("linkwatch-incidents-merge-agent"));
    emitIncidents(incidents, "linkwatch-incidents");
    // the detector writes through its own sink, so that it stays a sub-topology of its own: its
    // event time is that of the hub-wide signals, not that of the raw inputs, which a task can
    // read far ahead of the repartitioned signals (a replay of pre-loaded topics does)
    emitIncidents(scope.get(branch("scopes", "incidents")), "linkwatch-scope-incidents");

    KStream<String, Object> observations =
        conn.get(branch("connections", "observations"))
            .merge(
                prov.get(branch("provisioning", "observations")),
                Named.as("linkwatch-observations-merge-provisioning"))
            .merge(
                agent.get(branch("agent", "observations")),
                Named.as("linkwatch-observations-merge-agent"));
    KStream<String, Object> windows =
        window(observations, scope.get(branch("scopes", "observations")));
    Map<String, KStream<String, Object>> out =
        windows
            .split(Named.as("linkwatch-windows-"))
            .branch((k, v) -> v instanceof WindowedAggregate, Branched.as("aggregates"))
            .defaultBranch(Branched.as("results"));
    emitAggregates(out.get("linkwatch-windows-aggregates"));
    alerts(
        builder,
        out.get("linkwatch-windows-results")
            .mapValues(v -> (WindowResult) v, Named.as("linkwatch-window-results")));
    return builder.build();
  }

  /** The global store of alert rules, shared by the window engine and the alert stage. */
  private void rules(StreamsBuilder builder) {
    Topic<String, io.linkwatch.avro.AlertRule> rules = topics.alertRules();
    builder.addGlobalStore(
        RulesStore.builder(rules.valueSerde()),
        rules.name(),
        Consumed.with(rules.keySerde(), rules.valueSerde())
            .withName("linkwatch-alert-rules-source"),
        RulesStore.updater(ruleChanges));
  }

  private <V> KStream<String, V> dedup(
      StreamsBuilder builder,
      String input,
      Topic<String, V> topic,
      Function<V, String> eventId,
      ToLongFunction<V> eventTime) {
    builder.addStateStore(Dedup.store(input));
    return builder.stream(
            topic.name(),
            Consumed.with(topic.keySerde(), topic.valueSerde())
                .withName("linkwatch-" + input + "-source"))
        .process(
            Dedup.processor(input, eventId, eventTime, settings.dedupRetentionMs(), metrics),
            Named.as("linkwatch-" + input + "-dedup"),
            Dedup.storeName(input));
  }

  private <V> KStream<String, Object> correlate(
      String input,
      KStream<String, V> events,
      ProcessorSupplier<String, V, String, Object> correlator) {
    return events.process(correlator, Named.as("linkwatch-" + input + "-correlate"));
  }

  private static String branch(String input, String what) {
    return "linkwatch-" + input + "-" + what;
  }

  /** Splits a correlator's output by type: incidents, view observations, scope signals. */
  private static Map<String, KStream<String, Object>> split(
      String input, KStream<String, Object> out) {
    return out.split(Named.as("linkwatch-" + input + "-"))
        .branch((k, v) -> v instanceof Incident, Branched.as("incidents"))
        .branch((k, v) -> v instanceof ViewObservation, Branched.as("observations"))
        .defaultBranch(Branched.as("scope"));
  }

  /** Hub- and DPS-wide patterns: one repartition by scope, then the detector. */
  private KStream<String, Object> detectScopes(KStream<String, Object> signals) {
    return signals
        .mapValues(v -> (ScopeSignal) v, Named.as("linkwatch-scope-signals-typed"))
        .repartition(
            Repartitioned.with(Serdes.String(), ScopeSignal.serde())
                .withName(SCOPE_REPARTITION)
                .withStreamPartitioner(Ticks.partitioner(ScopeSignal::isTick))
                .withNumberOfPartitions(settings.windowPartitions()))
        .process(
            CorrelationStage.scopes(settings, topics, ruleChanges, metrics),
            Named.as("linkwatch-scopes-detect"));
  }

  /**
   * The window engine: view observations repartitioned by series (those of the correlators and,
   * through a repartition of its own, those of the hub-wide detector), then the engine.
   */
  private KStream<String, Object> window(
      KStream<String, Object> observations, KStream<String, Object> scopeObservations) {
    KStream<String, ViewObservation> fromScopes =
        scopeObservations
            .mapValues(v -> (ViewObservation) v, Named.as("linkwatch-scope-observations-typed"))
            .repartition(
                Repartitioned.with(Serdes.String(), ViewObservation.serde())
                    .withName(SCOPE_OBSERVATIONS_REPARTITION)
                    .withStreamPartitioner(Ticks.partitioner(ViewObservation::isTick))
                    .withNumberOfPartitions(settings.windowPartitions()));
    return observations
        .mapValues(v -> (ViewObservation) v, Named.as("linkwatch-observations-typed"))
        .repartition(
            Repartitioned.with(Serdes.String(), ViewObservation.serde())
                .withName(OBSERVATIONS_REPARTITION)
                .withStreamPartitioner(Ticks.partitioner(ViewObservation::isTick))
                .withNumberOfPartitions(settings.windowPartitions()))
        .merge(fromScopes, Named.as("linkwatch-observations-merge-scopes"))
        .process(
            WindowStage.engine(settings, topics, ruleChanges, metrics),
            Named.as("linkwatch-window-engine"));
  }

  private void emitIncidents(KStream<String, Object> incidents, String name) {
    Topic<String, Incident> topic = topics.incidents();
    incidents
        .mapValues(v -> (Incident) v, Named.as(name + "-typed"))
        .to(
            topic.name(),
            Produced.with(topic.keySerde(), topic.valueSerde()).withName(name + "-sink"));
  }

  private void emitAggregates(KStream<String, Object> aggregates) {
    Topic<String, WindowedAggregate> topic = topics.aggregates();
    aggregates
        .mapValues(v -> (WindowedAggregate) v, Named.as("linkwatch-aggregates-typed"))
        .to(
            topic.name(),
            Produced.with(topic.keySerde(), topic.valueSerde())
                .withName("linkwatch-aggregates-sink"));
  }

  /** The alert stage (issue 5) on the window results; its transitions go to the alerts topic. */
  private void alerts(StreamsBuilder builder, KStream<String, WindowResult> results) {
    KStream<String, Alert> alerts = alertStage.build(builder, results);
    Topic<String, Alert> topic = topics.alerts();
    alerts.to(
        topic.name(),
        Produced.with(topic.keySerde(), topic.valueSerde()).withName("linkwatch-alerts-sink"));
  }
}
