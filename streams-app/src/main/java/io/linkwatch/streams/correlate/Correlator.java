package io.linkwatch.streams.correlate;

import io.linkwatch.avro.Incident;
import io.linkwatch.streams.config.StreamsSettings;
import io.linkwatch.streams.metrics.PipelineMetrics;
import io.linkwatch.streams.recent.RecentIndex;
import io.linkwatch.streams.signal.EventRef;
import io.linkwatch.streams.signal.Observation;
import io.linkwatch.streams.time.EventClock;
import io.linkwatch.streams.time.TickGate;
import io.linkwatch.streams.time.Ticks;
import io.linkwatch.streams.time.TimerIndex;
import io.linkwatch.streams.window.ObservationRouter;
import io.linkwatch.streams.window.ViewLookup;
import io.linkwatch.streams.window.ViewObservation;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * What the correlators share: the event-time clock (stream time, advanced by the wall clock when
 * idle), the timer index that fires decisions when the watermark passes them, the fan-out of
 * observations to the window views, and the emission of incidents (to the incidents topic and to a
 * queryable store of recent incidents by subject).
 *
 * <p>Output (one stream, split by type downstream): {@link Incident} keyed by subject, {@code
 * ViewObservation} keyed by series, {@link ScopeSignal} keyed by scope.
 */
abstract class Correlator<V> implements Processor<String, V, String, Object> {

  protected final StreamsSettings settings;
  protected final PipelineMetrics metrics;
  private final String timerStoreName;
  private final String incidentStoreName;
  private final ViewLookup lookup;
  private final EventClock clock;

  protected ProcessorContext<String, Object> context;
  protected TimerIndex timers;
  private ObservationRouter router;
  private final Serializer<Incident> incidentSerializer;
  private RecentIndex recentIncidents;
  private final boolean belowRepartition;
  private TickGate ticks = new TickGate();

  /** A correlator of an event topic: it ticks its task's stream time to the stages below. */
  Correlator(
      StreamsSettings settings,
      ViewLookup lookup,
      PipelineMetrics metrics,
      String timerStoreName,
      String incidentStoreName,
      Serializer<Incident> incidentSerializer) {
    this(
        settings, lookup, metrics, timerStoreName, incidentStoreName, incidentSerializer, false, 0);
  }

  /**
   * @param belowRepartition true for the hub-wide detector: its clock waits for {@code
   *     expectedUpstreams} upstream tasks' ticks, and it ticks its own watermark (not its task's
   *     stream time, which is the furthest upstream's tick) to the window engine
   */
  Correlator(
      StreamsSettings settings,
      ViewLookup lookup,
      PipelineMetrics metrics,
      String timerStoreName,
      String incidentStoreName,
      Serializer<Incident> incidentSerializer,
      boolean belowRepartition,
      int expectedUpstreams) {
    this.belowRepartition = belowRepartition;
    this.settings = settings;
    this.incidentSerializer = incidentSerializer;
    this.lookup = lookup;
    this.metrics = metrics;
    this.timerStoreName = timerStoreName;
    this.incidentStoreName = incidentStoreName;
    this.clock = new EventClock(settings.idleCloseMs(), expectedUpstreams);
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    KeyValueStore<String, byte[]> timerStore = context.getStateStore(timerStoreName);
    timers = new TimerIndex(timerStore);
    clock.init(context, timerStore);
    lookup.init(context);
    router = new ObservationRouter(lookup);
    recentIncidents =
        new RecentIndex(
            context.getStateStore(incidentStoreName),
            CorrelationStage.INCIDENT_RETENTION.toMillis());
    initStores(context);
    context.schedule(
        Duration.ofMillis(settings.wallClockIntervalMs()),
        PunctuationType.WALL_CLOCK_TIME,
        now -> {
          if (clock.onWallClock(now)) {
            fireDue(clock.watermark());
          }
        });
  }

  /** Shares the ticks of the processors of one task: one tick per task and interval. */
  void shareTicks(TickGate gate) {
    this.ticks = gate;
  }

  abstract void initStores(ProcessorContext<String, Object> context);

  abstract void handle(Record<String, V> record, long watermark);

  abstract void onTimer(String subject, long dueAt, long watermark);

  /** Sees each record before the watermark is computed (the scope detector reads ticks here). */
  void onBeforeRecord(Record<String, V> record) {}

  /** For the scope detector: ticks of its upstream tasks. */
  protected void upstreamTick(String upstream, long watermark) {
    clock.onUpstreamTick(upstream, watermark);
  }

  @Override
  public final void process(Record<String, V> record) {
    onBeforeRecord(record);
    long wm = clock.onRecord(record.timestamp());
    fireDue(wm);
    recentIncidents.expire(wm);
    if (record.value() != null) {
      handle(record, wm);
    }
    // The stages below the repartition wait for a correlation task as a whole (its stream time):
    // Kafka Streams processes a task's partitions in timestamp order while they hold data
    // (max.task.idle.ms=0), so no input of the task is far behind it; only the correlation
    // decisions above follow each input's own clock. The hub-wide detector ticks its own
    // watermark, the slowest of its upstream tasks.
    tick(belowRepartition ? wm : Math.max(wm, context.currentStreamTimeMs()));
  }

  /**
   * Broadcasts a tick downstream when the watermark enters a new tick interval (see {@link Ticks}).
   */
  private void tick(long wm) {
    if (wm == Long.MIN_VALUE) {
      return; // waiting for an upstream task's first tick
    }
    long interval = Math.floorDiv(wm, Ticks.INTERVAL_MS);
    if (ticks.pass(context.taskId(), interval)) {
      String self = context.taskId().toString();
      context.forward(new Record<>(Ticks.KEY, ViewObservation.tick(self, wm), wm));
      if (!belowRepartition) {
        context.forward(new Record<>(Ticks.KEY, ScopeSignal.tick(self, wm), wm));
      }
    }
  }

  /** Fires every timer due at the watermark, including those that firing schedules. */
  private void fireDue(long wm) {
    while (wm >= timers.earliest()) {
      List<TimerIndex.Timer> due = timers.due(wm);
      if (due.isEmpty()) {
        return;
      }
      for (TimerIndex.Timer t : due) {
        onTimer(t.subject(), t.time(), wm);
      }
    }
  }

  /** Evidence coordinates of the record being processed. */
  protected EventRef ref(String eventId, long time, String summary, String code) {
    RecordMetadata m = context.recordMetadata().orElse(null);
    return new EventRef(
        eventId,
        time,
        m == null ? "" : m.topic(),
        m == null ? -1 : m.partition(),
        m == null ? -1 : m.offset(),
        summary,
        code);
  }

  protected void observe(Observation o) {
    router.route(o, (key, value) -> context.forward(new Record<>(key, value, o.time())));
  }

  protected void scope(String scopeKey, ScopeSignal signal) {
    context.forward(new Record<>(scopeKey, signal, signal.time()));
  }

  protected void emit(Incident incident) {
    long end = incident.getEndTime().toEpochMilli();
    context.forward(new Record<>(incident.getSubject(), incident, end));
    recentIncidents.put(
        incident.getSubject(),
        incident.getStartTime().toEpochMilli(),
        incident.getIncidentId(),
        incidentSerializer.serialize(null, incident));
    if (incident.getRevision() == 0) {
      metrics.incident(incident.getKind().name(), incident.getBenign());
    }
    metrics.emitLag("incident", end, context.currentSystemTimeMs());
  }
}
