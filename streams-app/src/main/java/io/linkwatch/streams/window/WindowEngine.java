package io.linkwatch.streams.window;

import io.linkwatch.avro.Aggregation;
import io.linkwatch.avro.WindowedAggregate;
import io.linkwatch.streams.alert.WindowResult;
import io.linkwatch.streams.config.StreamsSettings;
import io.linkwatch.streams.metrics.PipelineMetrics;
import io.linkwatch.streams.recent.RecentIndex;
import io.linkwatch.streams.time.EventClock;
import io.linkwatch.streams.time.Ticks;
import io.linkwatch.streams.time.TimerIndex;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The window engine: reads view observations from the repartition topic (key = series key), keeps
 * one tumbling bucket per series and bucket width, and evaluates each series' hopping windows when
 * the event-time watermark passes {@code windowEnd + grace}. Emits {@link WindowedAggregate}s for
 * default views (key = signal + dimensions) and {@link WindowResult}s for rule views (key = series
 * key), in window order per series; a late record that changes an evaluated window within the
 * revision horizon emits a revision.
 *
 * <p>Stores: {@value #SERIES}, {@value #BUCKETS}, {@value #TIMERS} (timer index + idle watermark),
 * {@value #VIEW_SERIES} (series per view, for maxSeries), {@value #RECENT} (emitted aggregates by
 * subject, for interactive queries).
 */
final class WindowEngine implements Processor<String, ViewObservation, String, Object> {

  static final String SERIES = "linkwatch-window-series";
  static final String BUCKETS = "linkwatch-window-buckets";
  static final String TIMERS = "linkwatch-window-timers";
  static final String VIEW_SERIES = "linkwatch-window-view-series";
  static final String RECENT = "linkwatch-aggregates-recent";

  private static final Logger LOG = LoggerFactory.getLogger(WindowEngine.class);

  private final StreamsSettings settings;
  private final ViewLookup lookup;
  private final PipelineMetrics metrics;
  private final Bucket.Limits limits;
  private final EventClock clock;
  private final Set<String> warnedViews = new HashSet<>();

  private ProcessorContext<String, Object> context;
  private KeyValueStore<String, byte[]> series;
  private KeyValueStore<String, byte[]> buckets;
  private KeyValueStore<String, Integer> viewSeries;
  private final Serializer<WindowedAggregate> aggregateSerializer;
  private RecentIndex recent;
  private TimerIndex timers;
  private long lastResultTick = Long.MIN_VALUE;

  WindowEngine(
      StreamsSettings settings,
      ViewLookup lookup,
      PipelineMetrics metrics,
      Serializer<WindowedAggregate> aggregateSerializer) {
    this.settings = settings;
    this.aggregateSerializer = aggregateSerializer;
    this.lookup = lookup;
    this.metrics = metrics;
    this.limits =
        new Bucket.Limits(
            settings.sampleEvents(), settings.distinctExactMax(), settings.sketchPrecision());
    this.clock = new EventClock(settings.idleCloseMs(), settings.windowUpstreams());
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    series = context.getStateStore(SERIES);
    buckets = context.getStateStore(BUCKETS);
    viewSeries = context.getStateStore(VIEW_SERIES);
    recent =
        new RecentIndex(context.getStateStore(RECENT), WindowStage.RECENT_RETENTION.toMillis());
    KeyValueStore<String, byte[]> timerStore = context.getStateStore(TIMERS);
    timers = new TimerIndex(timerStore);
    clock.init(context, timerStore);
    lookup.init(context);
    context.schedule(
        Duration.ofMillis(settings.wallClockIntervalMs()),
        PunctuationType.WALL_CLOCK_TIME,
        now -> {
          if (clock.onWallClock(now)) {
            fireDue(clock.watermark());
          }
        });
  }

  @Override
  public void process(Record<String, ViewObservation> record) {
    if (record.value() != null && record.value().isTick()) {
      clock.onUpstreamTick(record.value().incidentId(), record.value().time());
    }
    long wm = clock.onRecord(record.timestamp());
    fireDue(wm);
    recent.expire(wm);
    ViewObservation o = record.value();
    if (o == null || record.key() == null || o.isTick()) {
      return; // a tick only moves the watermark (see Ticks)
    }
    View v = lookup.registry().view(o.viewId());
    if (v == null) {
      return; // the rule was deleted or disabled since the observation was routed
    }
    String key = record.key();
    long bucketMs = v.bucketMs();
    long b = Math.floorDiv(o.time(), bucketMs) * bucketMs;
    long firstEnd = ceilTo(b + bucketMs, v.advanceMs());
    long lastEnd = Math.floorDiv(b + v.sizeMs(), v.advanceMs()) * v.advanceMs();
    long grace = v.graceMs();
    long horizon = settings.revisionHorizonMs();

    byte[] stored = series.get(key);
    SeriesState s = stored == null ? null : SeriesState.decode(stored);
    if (s != null && !v.sameWindowing(s.sizeMs, s.advanceMs)) {
      forget(key, s); // the rule's window changed: its old buckets mean nothing now
      s = null;
    }
    boolean anyOpen = lastEnd + grace > wm;
    boolean anyRevisable = lastEnd + grace + horizon > wm;
    if (!anyRevisable || (s == null && !anyOpen)) {
      metrics.late("window", false);
      if (s != null) {
        s.lateSinceEmit++;
        series.put(key, s.encode());
      }
      return;
    }
    if (s == null) {
      if (!admit(v)) {
        return;
      }
      s = new SeriesState();
      s.viewId = v.id();
      s.dimensions = new TreeMap<>(o.dimensions());
      s.sizeMs = v.sizeMs();
      s.advanceMs = v.advanceMs();
    }
    s.viewVersion = v.version();

    String bucketKey = bucketKey(key, b);
    byte[] bb = buckets.get(bucketKey);
    Bucket bucket = bb == null ? new Bucket() : Bucket.decode(bb);
    bucket.add(o, limits);
    buckets.put(bucketKey, bucket.encode());
    s.minBucketStart = Math.min(s.minBucketStart, b);
    s.maxBucketStart = Math.max(s.maxBucketStart, b);

    List<Long> revise = new ArrayList<>();
    boolean late = false;
    long firstOpen = 0;
    for (long e = firstEnd; e <= lastEnd; e += v.advanceMs()) {
      if (e + grace <= wm) {
        late = true;
        if (e + grace + horizon > wm) {
          revise.add(e);
        }
      } else if (firstOpen == 0) {
        firstOpen = e;
      }
    }
    if (late) {
      s.lateSinceEmit++;
      metrics.late("window", !revise.isEmpty());
    }
    if (firstOpen != 0 && (s.nextEnd == 0 || s.nextEnd > firstOpen)) {
      if (s.timerAt != 0) {
        timers.remove(s.timerAt, key);
      }
      s.nextEnd = firstOpen;
      s.timerAt = firstOpen + grace;
      timers.add(s.timerAt, key);
    } else if (s.nextEnd == 0) {
      scheduleForget(key, s, v, wm);
    }
    for (long e : revise) {
      Integer prev = s.revisions.get(e);
      int revision = prev == null ? 1 : prev + 1;
      s.revisions.put(e, revision);
      emit(v, s, key, e, revision, window(key, e, v), wm);
    }
    series.put(key, s.encode());
    if (settings.earlyUpdates() && v.kind() == View.Kind.AGGREGATE && firstOpen != 0) {
      Bucket w = window(key, firstOpen, v);
      emitAggregate(v, s, firstOpen, w, 0, false);
      metrics.window("aggregate", "early");
    }
  }

  private boolean admit(View v) {
    if (v.kind() != View.Kind.RULE) {
      return true;
    }
    Integer n = viewSeries.get(v.id());
    int count = n == null ? 0 : n;
    int cap = (int) Math.ceil((double) v.maxSeries() / settings.windowPartitions());
    if (count >= cap) {
      metrics.seriesRejected(v.id());
      if (warnedViews.add(v.id())) {
        LOG.warn(
            "Rule '{}' reached its series bound on task {} ({} series here; maxSeries={} over {}"
                + " partitions): observations of new series are counted in"
                + " linkwatch.streams.series.rejected and not evaluated",
            v.id(),
            context.taskId(),
            count,
            v.maxSeries(),
            settings.windowPartitions());
      }
      return false;
    }
    viewSeries.put(v.id(), count + 1);
    return true;
  }

  /** Fires every timer due at the watermark, including those that firing schedules. */
  private void fireDue(long wm) {
    fireTimers(wm);
    // then tell the alert stage how far event time got (see WindowResult.tick)
    if (wm != Long.MIN_VALUE && Math.floorDiv(wm, Ticks.INTERVAL_MS) > lastResultTick) {
      lastResultTick = Math.floorDiv(wm, Ticks.INTERVAL_MS);
      context.forward(new Record<>(WindowResult.TICK_RULE, WindowResult.tick(wm), wm));
    }
  }

  private void fireTimers(long wm) {
    while (wm >= timers.earliest()) {
      List<TimerIndex.Timer> due = timers.due(wm);
      if (due.isEmpty()) {
        return;
      }
      for (TimerIndex.Timer t : due) {
        fire(t.subject(), t.time(), wm);
      }
    }
  }

  private void fire(String key, long dueAt, long wm) {
    byte[] stored = series.get(key);
    if (stored == null) {
      return;
    }
    SeriesState s = SeriesState.decode(stored);
    if (s.timerAt != dueAt) {
      return; // superseded timer
    }
    s.timerAt = 0;
    View v = lookup.registry().view(s.viewId);
    if (v == null || !v.sameWindowing(s.sizeMs, s.advanceMs) || s.nextEnd == 0) {
      forget(key, s);
      return;
    }
    long e = s.nextEnd;
    Bucket w = window(key, e, v);
    boolean emitted = false;
    if (w.hasData()) {
      s.emptyEvaluations = 0;
      emit(v, s, key, e, 0, w, wm);
      emitted = true;
    } else if (v.kind() == View.Kind.RULE && s.emptyEvaluations < v.emptyEvaluations()) {
      s.emptyEvaluations++;
      emit(v, s, key, e, 0, w, wm);
      emitted = true;
    } else if (v.kind() == View.Kind.RULE) {
      s.emptyEvaluations++;
    }
    if (emitted) {
      s.revisions.put(e, 0);
    }
    long horizon = settings.revisionHorizonMs();
    s.revisions.headMap(wm - v.graceMs() - horizon, true).clear();
    pruneBuckets(key, s, v, e, wm);

    long next = e + v.advanceMs();
    boolean futureData =
        s.maxBucketStart != Long.MIN_VALUE && s.maxBucketStart >= next - v.sizeMs();
    boolean keepEvaluating =
        futureData || (v.kind() == View.Kind.RULE && s.emptyEvaluations < v.emptyEvaluations());
    if (keepEvaluating) {
      s.nextEnd = next;
      s.timerAt = next + v.graceMs();
      timers.add(s.timerAt, key);
      series.put(key, s.encode());
    } else {
      s.nextEnd = 0;
      scheduleForget(key, s, v, wm);
    }
  }

  /** An idle series is forgotten once none of its buckets can change an output any more. */
  private void scheduleForget(String key, SeriesState s, View v, long wm) {
    long at =
        s.maxBucketStart == Long.MIN_VALUE
            ? wm
            : s.maxBucketStart + v.sizeMs() + v.graceMs() + settings.revisionHorizonMs();
    if (at <= wm) {
      forget(key, s);
      return;
    }
    if (s.timerAt != 0) {
      timers.remove(s.timerAt, key);
    }
    s.timerAt = at;
    timers.add(at, key);
    series.put(key, s.encode());
  }

  private void forget(String key, SeriesState s) {
    if (s.timerAt != 0) {
      timers.remove(s.timerAt, key);
    }
    if (s.minBucketStart != Long.MAX_VALUE) {
      deleteBuckets(key, s.minBucketStart, s.maxBucketStart);
    }
    series.delete(key);
    View v = lookup.registry().view(s.viewId);
    if (v == null || v.kind() == View.Kind.RULE) {
      Integer n = viewSeries.get(s.viewId);
      if (n != null) {
        if (n <= 1) {
          viewSeries.delete(s.viewId);
        } else {
          viewSeries.put(s.viewId, n - 1);
        }
      }
    }
  }

  /**
   * Deletes the buckets that neither a window still to evaluate (ending after {@code evaluated})
   * nor a revisable window can need.
   */
  private void pruneBuckets(String key, SeriesState s, View v, long evaluated, long wm) {
    long keepFrom =
        Math.min(
            evaluated + v.advanceMs() - v.sizeMs(),
            wm - v.graceMs() - settings.revisionHorizonMs() - v.sizeMs() + 1);
    if (s.minBucketStart == Long.MAX_VALUE || s.minBucketStart >= keepFrom) {
      return;
    }
    long upTo = Math.min(keepFrom - 1, s.maxBucketStart);
    deleteBuckets(key, s.minBucketStart, upTo);
    if (upTo >= s.maxBucketStart) {
      s.minBucketStart = Long.MAX_VALUE;
      s.maxBucketStart = Long.MIN_VALUE;
    } else {
      s.minBucketStart = upTo + 1;
    }
  }

  private void deleteBuckets(String key, long from, long to) {
    List<String> doomed = new ArrayList<>();
    try (KeyValueIterator<String, byte[]> it =
        buckets.range(bucketKey(key, from), bucketKey(key, to))) {
      while (it.hasNext()) {
        doomed.add(it.next().key);
      }
    }
    doomed.forEach(buckets::delete);
  }

  /** The merge of the buckets of the window ending at {@code end}. */
  private Bucket window(String key, long end, View v) {
    Bucket w = new Bucket();
    long from = end - v.sizeMs();
    long to = end - v.bucketMs();
    try (KeyValueIterator<String, byte[]> it =
        buckets.range(bucketKey(key, from), bucketKey(key, to))) {
      while (it.hasNext()) {
        KeyValue<String, byte[]> kv = it.next();
        w.merge(Bucket.decode(kv.value), limits);
      }
    }
    return w;
  }

  private void emit(View v, SeriesState s, String key, long end, int revision, Bucket w, long wm) {
    long late = s.lateSinceEmit;
    s.lateSinceEmit = 0;
    if (v.kind() == View.Kind.AGGREGATE) {
      emitAggregate(v, s, end, w, revision, true, late);
      metrics.window("aggregate", revision > 0 ? "revision" : "data");
    } else {
      WindowResult r =
          new WindowResult(
              v.id(),
              v.version(),
              s.dimensions,
              Instant.ofEpochMilli(end - v.sizeMs()),
              Instant.ofEpochMilli(end),
              w.hasData(),
              value(v.aggregation(), w),
              w.count,
              late,
              revision,
              List.copyOf(samplesAvro(w)),
              w.offsetRanges(),
              w.incidentIds,
              Instant.ofEpochMilli(end + v.graceMs()));
      context.forward(new Record<>(key, r, end));
      metrics.window("rule", revision > 0 ? "revision" : w.hasData() ? "data" : "nodata");
      metrics.emitLag("window_result", end, context.currentSystemTimeMs());
    }
  }

  private void emitAggregate(View v, SeriesState s, long end, Bucket w, int revision, boolean fin) {
    emitAggregate(v, s, end, w, revision, fin, 0);
  }

  private void emitAggregate(
      View v, SeriesState s, long end, Bucket w, int revision, boolean fin, long late) {
    long start = end - v.sizeMs();
    WindowedAggregate a =
        WindowedAggregate.newBuilder()
            .setSignal(v.signal())
            .setDimensions(s.dimensions)
            .setWindowStart(Instant.ofEpochMilli(start))
            .setWindowEnd(Instant.ofEpochMilli(end))
            .setCount(w.count)
            .setSum(w.sum)
            .setMin(Double.isNaN(w.min) ? null : w.min)
            .setMax(Double.isNaN(w.max) ? null : w.max)
            .setDistinctDevices(w.distinct.count())
            .setDistinctDevicesExact(w.distinct.exact())
            .setLateRecords(late)
            .setIsFinal(fin)
            .setRevision(revision)
            .build();
    String aggregateKey = WindowResult.seriesKey(v.signal(), s.dimensions);
    context.forward(new Record<>(aggregateKey, a, end));
    if (fin) {
      byte[] bytes = aggregateSerializer.serialize(null, a);
      for (String subject : QuerySubjects.of(s.dimensions)) {
        recent.put(subject, start, aggregateKey, bytes);
      }
      metrics.emitLag("aggregate", end, context.currentSystemTimeMs());
    }
  }

  private static List<io.linkwatch.avro.EvidenceEvent> samplesAvro(Bucket w) {
    List<io.linkwatch.avro.EvidenceEvent> out = new ArrayList<>(w.samples.size());
    w.samples.forEach(e -> out.add(e.toAvro()));
    return out;
  }

  static double value(Aggregation aggregation, Bucket w) {
    if (!w.hasData()) {
      return Double.NaN;
    }
    return switch (aggregation) {
      case COUNT, UNKNOWN -> w.count;
      case TOTAL -> w.sum;
      case AVERAGE -> w.count == 0 ? Double.NaN : w.sum / w.count;
      case MIN -> w.min;
      case MAX -> w.max;
      case RATIO -> w.denominator == 0 ? Double.NaN : (double) w.count / w.denominator;
      case DISTINCT_DEVICES -> w.distinct.count();
    };
  }

  static String bucketKey(String seriesKey, long bucketStart) {
    return seriesKey + '\u0000' + TimerIndex.pad(bucketStart);
  }

  private static long ceilTo(long t, long step) {
    return Math.floorDiv(t + step - 1, step) * step;
  }

  /** The subjects an aggregate can be queried by, from its dimensions. */
  static final class QuerySubjects {
    private QuerySubjects() {}

    static List<String> of(Map<String, String> d) {
      List<String> out = new ArrayList<>(3);
      String hub = d.get("hub");
      if (hub != null && !hub.isEmpty()) {
        out.add("hub=" + hub);
        String device = d.get("deviceId");
        if (device != null && !device.isEmpty()) {
          out.add("device=" + hub + "/" + device);
        }
      }
      String dps = d.get("dpsInstance");
      if (dps != null && !dps.isEmpty()) {
        out.add("dps=" + dps);
        String enrollment = d.get("enrollment");
        if (enrollment != null && !enrollment.isEmpty()) {
          out.add("enrollment=" + dps + "/" + enrollment);
        }
        String reg = d.get("registrationId");
        if (reg != null && !reg.isEmpty()) {
          out.add("registration=" + dps + "/" + reg);
        }
      }
      String machine = d.get("machine");
      if (machine != null && !machine.isEmpty()) {
        out.add("machine=" + machine);
      }
      if (out.isEmpty()) {
        out.add("fleet");
      }
      return out;
    }
  }
}
