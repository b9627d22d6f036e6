package io.linkwatch.streams.alert;

import io.linkwatch.avro.Alert;
import io.linkwatch.avro.AlertRule;
import io.linkwatch.avro.AlertTransition;
import io.linkwatch.avro.InhibitRule;
import io.linkwatch.avro.MonitorCondition;
import io.linkwatch.avro.NoDataPolicy;
import io.linkwatch.schemas.serde.AvroSerdes;
import io.linkwatch.streams.alert.SeriesState.Evaluation;
import io.linkwatch.streams.alert.SeriesState.Phase;
import io.linkwatch.streams.alert.SeriesState.Verdict;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.BiFunction;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Evaluates each {@link WindowResult} of a series against its rule and keeps the alert's lifecycle:
 * threshold (static or dynamic), N-of-M failing periods, pending ({@code for}), hold before
 * resolving ({@code keepFiringFor}), auto-resolve after k clean evaluations, the no-data policy,
 * flap detection, late revisions, and the series' end (rule deleted or disabled, series gone).
 * Emits one {@link Envelope} per transition: direct, or through the inhibition topic for rules that
 * another rule inhibits, plus the activity of source rules and this task's watermark.
 *
 * <p>Input: {@code WindowResult}s keyed by series key, in window order per series. State: {@code
 * linkwatch-alert-series} ({@link SeriesState} per series key, plus this task's watermark under
 * {@link #WATERMARK_KEY}). Time is event time only: window ends and the engine's watermark ({@code
 * evaluatedAt}); the wall clock only triggers the rule-deletion sweep.
 */
final class SeriesEvaluator implements Processor<String, WindowResult, String, Envelope> {

  /** Reserved key of the task's watermark in the series store (sorts before every series). */
  static final String WATERMARK_KEY = "\u0000watermark";

  /**
   * The state reason of a REVISED transition that changed the verdict (failing or clean) of one of
   * the alert's windows: receivers are notified of it.
   */
  static final String REVISED_VERDICT = "RevisedVerdict";

  /**
   * The state reason of a REVISED transition that only changed the value the alert shows: it stays
   * on the alerts topic and the dashboard, receivers are not paged again for it.
   */
  static final String REVISED_VALUE = "RevisedValue";

  private final AlertStageSettings settings;
  private final AlertFactory factory;
  private final AlertMetrics metrics;
  private final Serde<Alert> alertSerde = AvroSerdes.singleObject().valueSerde(Alert.class);

  private ProcessorContext<String, Envelope> context;
  private KeyValueStore<String, SeriesState> store;
  private RuleLookup rules;
  private long watermark = Long.MIN_VALUE;
  private long lastTick = Long.MIN_VALUE;

  SeriesEvaluator(AlertStageSettings settings) {
    this.settings = settings;
    this.factory = new AlertFactory(settings);
    this.metrics = new AlertMetrics(settings.meterRegistry());
  }

  @Override
  public void init(ProcessorContext<String, Envelope> context) {
    this.context = context;
    this.store = context.getStateStore(AlertStageSettings.SERIES_STORE);
    this.rules = new RuleLookup(context.getStateStore(settings.ruleStoreName()));
    SeriesState wm = store.get(WATERMARK_KEY);
    watermark = wm == null ? Long.MIN_VALUE : wm.lastWindowEnd;
    context.schedule(settings.ruleCheckInterval(), PunctuationType.WALL_CLOCK_TIME, this::sweep);
  }

  @Override
  public void process(Record<String, WindowResult> record) {
    WindowResult r = record.value();
    if (r == null) {
      return;
    }
    if (r.isTick()) {
      // the engine's watermark: every result due by then has been evaluated
      long previous = watermark;
      watermark = Math.max(watermark, r.evaluatedAt().toEpochMilli());
      if (watermark > previous) {
        advanced(previous);
      }
      return;
    }
    String key = record.key() == null ? r.seriesKey() : record.key();
    long previous = watermark;
    long time =
        r.evaluatedAt() == null ? r.windowEnd().toEpochMilli() : r.evaluatedAt().toEpochMilli();
    watermark = Math.max(watermark, time);

    AlertRule rule = rules.get(r.ruleId());
    SeriesState state = store.get(key);
    if (rule == null || !rule.getEnabled()) {
      metrics.evaluation("no-rule");
      if (state != null) {
        end(key, state, rule == null ? "RuleDeleted" : "RuleDisabled");
      }
    } else {
      if (state == null) {
        state = new SeriesState();
        state.ruleVersion = r.ruleVersion();
        state.baselineSignature = signature(rule);
      }
      state.lastEvaluatedAt = Math.max(state.lastEvaluatedAt, time);
      if (r.revision() > 0) {
        metrics.evaluation("revision");
        revise(rule, key, state, r);
      } else {
        evaluate(rule, key, state, r);
      }
      store.put(key, state);
    }
    if (watermark > previous) {
      advanced(previous);
    }
  }

  // --- evaluation ---------------------------------------------------------------------------

  private void evaluate(AlertRule rule, String key, SeriesState s, WindowResult r) {
    long we = r.windowEnd().toEpochMilli();
    if (we <= s.lastWindowEnd) {
      metrics.evaluation("repeat");
      return; // a repeat of an evaluated window (reprocessing after a crash): already done
    }
    if (r.ruleVersion() != s.ruleVersion) {
      ruleChanged(rule, s, r.ruleVersion());
    }
    s.lastWindowEnd = we;
    boolean countLike = Thresholds.countLike(rule.getAggregation());
    boolean hasData = r.hasData() || countLike;
    double value = r.hasData() ? r.value() : (countLike ? 0 : Double.NaN);
    String reason = null;

    Thresholds.Band band = Thresholds.band(rule, s.baseline);
    Verdict verdict;
    if (!hasData) {
      reason = "NoData";
      NoDataPolicy policy = rule.getNoData();
      if (policy == NoDataPolicy.RESOLVE) {
        remember(s, r, value, Verdict.CLEAN, band);
        s.phase = Phase.INACTIVE;
        s.cleanCount = 0;
        s.flapping = false;
        s.flapEdges.clear();
        if (s.open()) {
          close(rule, key, s, observation(rule, s, r, value, band), reason);
        }
        return;
      }
      if (policy != NoDataPolicy.ALERT) {
        metrics.evaluation("nodata");
        remember(s, r, value, Verdict.SKIPPED, band);
        return;
      }
      verdict = Verdict.FAILING;
    } else {
      verdict = verdict(rule, value, r.count(), band);
      if (r.hasData()) {
        // a baseline learns from windows that saw the signal: before a fleet's first hourly
        // renewal, an empty window says nothing about how many renewals are normal
        learn(rule, s, we, value);
      }
    }
    remember(s, r, value, verdict, band);
    metrics.evaluation(verdict == Verdict.FAILING ? "failing" : "clean");
    boolean holds = s.failing(rule.getEvaluationPeriods()) >= rule.getMinFailingPeriods();
    Edge edge = step(rule, s, holds, we);
    apply(rule, key, s, edge, observation(rule, s, r, value, band), reason, null);
  }

  private enum Edge {
    NONE,
    FIRE,
    RESOLVE
  }

  /** The condition's state machine, in event time (window ends). */
  private static Edge step(AlertRule rule, SeriesState s, boolean holds, long we) {
    switch (s.phase) {
      case INACTIVE -> {
        if (holds) {
          s.pendingSince = we;
          s.phase = Phase.PENDING;
          return step(rule, s, true, we);
        }
      }
      case PENDING -> {
        if (!holds) {
          s.phase = Phase.INACTIVE;
        } else if (we - s.pendingSince >= rule.getPendingMs()) {
          s.phase = Phase.FIRING;
          s.cleanCount = 0;
          return Edge.FIRE;
        }
      }
      case FIRING -> {
        if (holds) {
          s.cleanCount = 0;
        } else {
          if (++s.cleanCount == 1) {
            s.firstCleanAt = we;
          }
          if (rule.getAutoResolve()
              && s.cleanCount >= rule.getAutoResolveAfter()
              && we - s.firstCleanAt >= rule.getKeepFiringMs()) {
            s.phase = Phase.INACTIVE;
            s.cleanCount = 0;
            return Edge.RESOLVE;
          }
        }
      }
    }
    return Edge.NONE;
  }

  /** Turns an edge of the condition into notified transitions, through flap detection. */
  private void apply(
      AlertRule rule,
      String key,
      SeriesState s,
      Edge edge,
      AlertFactory.Observation o,
      String reason,
      String revisionOf) {
    long we = o.windowEnd();
    boolean entering = false;
    if (edge != Edge.NONE && rule.getFlapTransitions() > 0) {
      s.flapEdges.add(we);
      prune(rule, s, we);
      entering = !s.flapping && s.flapEdges.size() >= rule.getFlapTransitions();
    }
    if (edge == Edge.FIRE && !s.open()) {
      open(rule, key, s, o, reason, revisionOf);
    }
    if (entering) {
      s.flapping = true;
      emit(
          rule,
          key,
          s,
          o,
          AlertTransition.FLAPPING,
          MonitorCondition.FIRED,
          "FlappingStarted",
          null);
      return;
    }
    if (edge == Edge.RESOLVE && s.open() && !s.flapping) {
      close(rule, key, s, o, reason);
      return;
    }
    if (s.flapping) {
      prune(rule, s, we);
      if (s.flapEdges.size() * 2 < rule.getFlapTransitions()) {
        s.flapping = false;
        if (s.phase == Phase.FIRING) {
          emit(
              rule,
              key,
              s,
              o,
              AlertTransition.FLAPPING,
              MonitorCondition.FIRED,
              "FlappingStopped",
              null);
        } else {
          close(rule, key, s, o, "FlappingStopped");
        }
      }
    }
  }

  private static void prune(AlertRule rule, SeriesState s, long now) {
    while (!s.flapEdges.isEmpty() && s.flapEdges.peekFirst() <= now - rule.getFlapWindowMs()) {
      s.flapEdges.pollFirst();
    }
  }

  private Verdict verdict(AlertRule rule, double value, long count, Thresholds.Band band) {
    if (count < rule.getMinCount()) {
      return Verdict.CLEAN;
    }
    return Thresholds.breaches(rule.getOperator(), value, band) ? Verdict.FAILING : Verdict.CLEAN;
  }

  private void learn(AlertRule rule, SeriesState s, long windowEnd, double value) {
    if (rule.getDynamicThreshold() == null || Double.isNaN(value)) {
      return;
    }
    Long ignoreBefore = rule.getDynamicThreshold().getIgnoreDataBefore();
    if (ignoreBefore != null && windowEnd - rule.getWindowSizeMs() < ignoreBefore) {
      return;
    }
    s.baseline.add(value);
    while (s.baseline.size() > settings.baselineSize()) {
      s.baseline.pollFirst();
    }
  }

  private void remember(
      SeriesState s, WindowResult r, double value, Verdict verdict, Thresholds.Band band) {
    Evaluation e =
        new Evaluation(
            r.windowStart().toEpochMilli(),
            r.windowEnd().toEpochMilli(),
            value,
            r.count(),
            verdict);
    e.lower = band.lower();
    e.upper = band.upper();
    s.recent.add(e);
    while (s.recent.size() > settings.revisionHorizon() + MAX_PERIODS) {
      s.recent.pollFirst();
    }
  }

  /** The largest M of N-of-M a rule may ask for (see the rule validation). */
  private static final int MAX_PERIODS = 60;

  /** Event time between two sweeps for series that stopped reporting. */
  private static final long SWEEP_MS = 60_000;

  /** Event time between two watermark ticks to the inhibition step. */
  private static final long TICK_MS = 1_000;

  /** A new rule version: re-judge the remembered values, relearn if what is measured changed. */
  private void ruleChanged(AlertRule rule, SeriesState s, int version) {
    s.ruleVersion = version;
    int signature = signature(rule);
    if (signature != s.baselineSignature) {
      s.baseline.clear();
      s.baselineSignature = signature;
    }
    if (rule.getDynamicThreshold() == null) {
      Thresholds.Band band = Thresholds.band(rule, s.baseline);
      for (Evaluation e : s.recent) {
        if (e.verdict != Verdict.SKIPPED) {
          e.verdict = verdict(rule, e.value, e.count, band);
        }
      }
    }
  }

  /** What a dynamic baseline measures: when it changes, the learned values mean nothing. */
  static int signature(AlertRule rule) {
    return Objects.hash(
        rule.getSignal(),
        rule.getDenominatorSignal(),
        rule.getAggregation(),
        rule.getWindowSizeMs(),
        rule.getFilters());
  }

  // --- revisions ----------------------------------------------------------------------------

  private void revise(AlertRule rule, String key, SeriesState s, WindowResult r) {
    long ws = r.windowStart().toEpochMilli();
    long we = r.windowEnd().toEpochMilli();
    String revisionOf = r.windowStart() + "/" + r.windowEnd();
    Evaluation e = s.find(ws, we);
    boolean countLike = Thresholds.countLike(rule.getAggregation());
    double value = r.hasData() ? r.value() : (countLike ? 0 : Double.NaN);
    // a dynamic window is judged again by the band it was judged by, not today's
    Thresholds.Band band =
        rule.getDynamicThreshold() != null && e != null && !Double.isNaN(e.upper)
            ? new Thresholds.Band(Double.NaN, e.lower, e.upper, true)
            : Thresholds.band(rule, s.baseline);
    Verdict verdict = verdict(rule, value, r.count(), band);
    if (e != null && Double.compare(e.value, value) == 0 && e.verdict == verdict) {
      return; // the late record did not change what was judged or shown
    }
    AlertFactory.Observation o =
        new AlertFactory.Observation(
            ws,
            we,
            value,
            r.count(),
            band,
            s.failing(rule.getEvaluationPeriods()),
            r.evaluatedAt() == null ? we : r.evaluatedAt().toEpochMilli(),
            r);
    if (e == null) {
      if (s.open() && we == s.shownWindowEnd) {
        emit(
            rule,
            key,
            s,
            o,
            AlertTransition.REVISED,
            MonitorCondition.FIRED,
            REVISED_VALUE,
            revisionOf);
      }
      return;
    }
    boolean verdictChanged = e.verdict != verdict;
    e.value = value;
    e.verdict = verdict;
    o =
        new AlertFactory.Observation(
            ws,
            we,
            value,
            r.count(),
            band,
            s.failing(rule.getEvaluationPeriods()),
            o.evaluatedAt(),
            r);
    // only what a person saw is revised: the verdict of a window, or the value the alert shows
    if (s.open()) {
      if (verdictChanged || we == s.shownWindowEnd) {
        emit(
            rule,
            key,
            s,
            o,
            AlertTransition.REVISED,
            MonitorCondition.FIRED,
            verdictChanged ? REVISED_VERDICT : REVISED_VALUE,
            revisionOf);
      }
      return;
    }
    if (s.closedAlertId != null
        && (verdictChanged || we == s.closedLastWindowEnd)
        && we >= s.closedFirstWindowEnd
        && we <= s.closedLastWindowEnd) {
      Alert revised =
          factory
              .build(rule, r.ruleVersion(), key, r.dimensions(), o)
              .setAlertId(s.closedAlertId)
              .setSequence(++s.closedSequence)
              .setTransition(AlertTransition.REVISED)
              .setMonitorCondition(MonitorCondition.RESOLVED)
              .setFiredTime(Instant.ofEpochMilli(s.closedFiredTime))
              .setResolvedTime(Instant.ofEpochMilli(s.closedLastWindowEnd))
              .setRevisionOf(revisionOf)
              .setStateReason(verdictChanged ? REVISED_VERDICT : REVISED_VALUE)
              .build();
      send(s.closedScope, key, revised);
      return;
    }
    // the window now fails: judge the condition again as of the latest evaluation
    boolean holds = s.failing(rule.getEvaluationPeriods()) >= rule.getMinFailingPeriods();
    if (holds && s.phase != Phase.FIRING) {
      Edge edge = step(rule, s, true, Math.max(s.lastWindowEnd, we));
      apply(rule, key, s, edge, o, "Revision", revisionOf);
    }
  }

  // --- transitions --------------------------------------------------------------------------

  private AlertFactory.Observation observation(
      AlertRule rule, SeriesState s, WindowResult r, double value, Thresholds.Band band) {
    return new AlertFactory.Observation(
        r.windowStart().toEpochMilli(),
        r.windowEnd().toEpochMilli(),
        value,
        r.count(),
        band,
        s.failing(rule.getEvaluationPeriods()),
        r.evaluatedAt() == null ? r.windowEnd().toEpochMilli() : r.evaluatedAt().toEpochMilli(),
        r);
  }

  private void open(
      AlertRule rule,
      String key,
      SeriesState s,
      AlertFactory.Observation o,
      String reason,
      String revisionOf) {
    s.alertId =
        UUID.nameUUIDFromBytes((key + "@" + o.windowEnd()).getBytes(StandardCharsets.UTF_8))
            .toString();
    s.sequence = 0;
    s.firedTime = o.windowEnd();
    s.firstWindowEnd = o.windowEnd();
    s.flapping = false;
    RuleLookup.Inhibitor inhibitor = rules.inhibitorOf(rule.getId());
    s.scope = inhibitor == null ? null : RuleLookup.scope(inhibitor.equal(), dims(o));
    emit(rule, key, s, o, AlertTransition.FIRED, MonitorCondition.FIRED, reason, revisionOf);
    // a source rule announces itself in every scope it mutes
    s.sourceScopes.clear();
    List<String> announced = new ArrayList<>();
    for (InhibitRule i : rule.getInhibits()) {
      String scope = RuleLookup.scope(i.getEqual(), dims(o));
      source(scope, i.getTargetRuleIds(), decode(s.lastAlert));
      announced.add(scope);
    }
    s.sourceScopes.addAll(announced);
  }

  private static Map<String, String> dims(AlertFactory.Observation o) {
    return o.result() == null ? Map.of() : o.result().dimensions();
  }

  private void close(
      AlertRule rule, String key, SeriesState s, AlertFactory.Observation o, String reason) {
    emit(rule, key, s, o, AlertTransition.RESOLVED, MonitorCondition.RESOLVED, reason, null);
    Alert resolved = decode(s.lastAlert);
    for (String scope : s.sourceScopes) {
      source(scope, List.of(), resolved);
    }
    s.sourceScopes.clear();
    s.closeInstance(o.windowEnd());
  }

  private void emit(
      AlertRule rule,
      String key,
      SeriesState s,
      AlertFactory.Observation o,
      AlertTransition transition,
      MonitorCondition condition,
      String reason,
      String revisionOf) {
    Alert alert =
        factory
            .build(rule, s.ruleVersion, key, dims(o), o)
            .setAlertId(s.alertId)
            .setSequence(++s.sequence)
            .setTransition(transition)
            .setMonitorCondition(condition)
            .setFlapping(s.flapping)
            .setFiredTime(Instant.ofEpochMilli(s.firedTime))
            .setResolvedTime(
                condition == MonitorCondition.RESOLVED ? Instant.ofEpochMilli(o.windowEnd()) : null)
            .setRevisionOf(revisionOf)
            .setStateReason(reason)
            .build();
    s.lastAlert = alertSerde.serializer().serialize("", alert);
    s.shownWindowEnd = o.windowEnd();
    send(s.scope, key, alert);
  }

  private void send(String scope, String key, Alert alert) {
    if (scope == null) {
      context.forward(new Record<>(key, Envelope.direct(alert), watermark));
    } else {
      context.forward(
          new Record<>(
              scope,
              new Envelope(Envelope.Kind.TARGET, partition(), watermark, scope, alert, List.of()),
              watermark));
    }
  }

  private void source(String scope, List<String> targets, Alert alert) {
    context.forward(
        new Record<>(
            scope,
            new Envelope(Envelope.Kind.SOURCE, partition(), watermark, scope, alert, targets),
            watermark));
  }

  /** Resolves an open alert without an evaluation: rule deleted or disabled, or series gone. */
  private void end(String key, SeriesState s, String reason) {
    metrics.seriesEnded(reason);
    if (s.open() && s.lastAlert != null) {
      Alert last = decode(s.lastAlert);
      long at = Math.max(watermark, s.lastWindowEnd);
      Alert resolved =
          Alert.newBuilder(last)
              .setSequence(++s.sequence)
              .setTransition(AlertTransition.RESOLVED)
              .setMonitorCondition(MonitorCondition.RESOLVED)
              .setFlapping(false)
              .setResolvedTime(Instant.ofEpochMilli(at))
              .setEvaluatedAt(Instant.ofEpochMilli(at))
              .setRevisionOf(null)
              .setStateReason(reason)
              .build();
      send(s.scope, key, resolved);
      for (String scope : s.sourceScopes) {
        source(scope, List.of(), resolved);
      }
    }
    store.delete(key);
  }

  private Alert decode(byte[] bytes) {
    return bytes == null ? null : alertSerde.deserializer().deserialize("", bytes);
  }

  // --- time ---------------------------------------------------------------------------------

  /** The watermark moved: sweep series that stopped reporting, tell the inhibition step. */
  private void advanced(long previous) {
    store.put(WATERMARK_KEY, watermarkState());
    if (previous == Long.MIN_VALUE || watermark / SWEEP_MS != previous / SWEEP_MS) {
      sweepStale();
    }
    if (lastTick == Long.MIN_VALUE || watermark - lastTick >= TICK_MS) {
      tick();
    }
  }

  private void sweepStale() {
    endWhere(
        (state, rule) -> {
          long frequency = rule == null ? 60_000 : Math.max(1, rule.getEvaluationFrequencyMs());
          // both are the engine's watermark (evaluatedAt): grace does not make a series stale
          return state.lastEvaluatedAt != Long.MIN_VALUE
                  && watermark - state.lastEvaluatedAt
                      > settings.staleAfterEvaluations() * frequency
              ? "MissingSeries"
              : null;
        });
  }

  /** Ends every series for which {@code reasonOf} gives a reason (null: keep it). */
  private void endWhere(BiFunction<SeriesState, AlertRule, String> reasonOf) {
    Map<String, SeriesState> doomed = new LinkedHashMap<>();
    Map<String, String> reasons = new LinkedHashMap<>();
    try (KeyValueIterator<String, SeriesState> it = store.all()) {
      while (it.hasNext()) {
        KeyValue<String, SeriesState> kv = it.next();
        if (kv.key.equals(WATERMARK_KEY)) {
          continue;
        }
        String reason = reasonOf.apply(kv.value, rules.get(ruleIdOf(kv.key)));
        if (reason != null) {
          doomed.put(kv.key, kv.value);
          reasons.put(kv.key, reason);
        }
      }
    }
    doomed.forEach((key, state) -> end(key, state, reasons.get(key)));
  }

  private void tick() {
    if (watermark == Long.MIN_VALUE) {
      return;
    }
    if (!rules.anyInhibitions()) {
      return;
    }
    lastTick = watermark;
    context.forward(new Record<>("", Envelope.tick(partition(), watermark), watermark));
  }

  /**
   * Wall-clock sweep: resolve series whose rule was deleted or disabled. The task never declares
   * itself idle: the engine's watermark reaches it as ticks (moving on the wall clock once the
   * input stops), and idleness judged on the wall clock made the inhibition order depend on
   * scheduling.
   */
  private void sweep(long now) {
    endWhere(
        (state, rule) ->
            rule == null ? "RuleDeleted" : (rule.getEnabled() ? null : "RuleDisabled"));
  }

  private SeriesState watermarkState() {
    SeriesState s = new SeriesState();
    s.lastWindowEnd = watermark;
    return s;
  }

  private int partition() {
    return context.taskId().partition();
  }

  static String ruleIdOf(String seriesKey) {
    int bar = seriesKey.indexOf('|');
    return bar < 0 ? seriesKey : seriesKey.substring(0, bar);
  }
}
