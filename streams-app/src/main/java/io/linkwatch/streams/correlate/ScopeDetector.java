package io.linkwatch.streams.correlate;

import com.dynatrace.hash4j.hashing.Hashing;
import io.linkwatch.avro.Incident;
import io.linkwatch.avro.IncidentKind;
import io.linkwatch.streams.codec.BinaryReader;
import io.linkwatch.streams.codec.BinaryWriter;
import io.linkwatch.streams.config.StreamsSettings;
import io.linkwatch.streams.metrics.PipelineMetrics;
import io.linkwatch.streams.signal.EventRef;
import io.linkwatch.streams.signal.Observation;
import io.linkwatch.streams.signal.SignalCatalog;
import io.linkwatch.streams.time.TimerIndex;
import io.linkwatch.streams.window.DistinctCounter;
import io.linkwatch.streams.window.ViewLookup;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Hub-wide and DPS-wide patterns (input: the internal repartition topic {@code
 * linkwatch-scope-signals}, key {@code hub:<name>} / {@code dps:<name>}): a hub outage signature
 * (at least N distinct devices with a plain 404104 and M distinct devices with a 500xxx/503xxx
 * error within the outage window) and throttling episodes (at least K throttling errors within the
 * window). Evaluated in event time every half window over the whole window, when the watermark
 * passes the window end plus grace; an episode is one incident, emitted when it opens and revised
 * when it ends.
 */
final class ScopeDetector extends Correlator<ScopeSignal> {

  static final String STATE = "linkwatch-scope-state";
  static final String BUCKETS = "linkwatch-scope-buckets";
  static final String TIMERS = "linkwatch-scope-timers";
  static final String INCIDENTS = "linkwatch-incidents-scopes";

  private static final int EXACT = 4096;

  private final long half;
  private KeyValueStore<String, byte[]> state;
  private KeyValueStore<String, byte[]> buckets;

  ScopeDetector(
      StreamsSettings settings,
      ViewLookup lookup,
      PipelineMetrics metrics,
      org.apache.kafka.common.serialization.Serializer<io.linkwatch.avro.Incident> incidents) {
    super(
        settings, lookup, metrics, TIMERS, INCIDENTS, incidents, true, settings.eventPartitions());
    this.half = Math.max(1, settings.outageWindowMs() / 2);
  }

  @Override
  void initStores(ProcessorContext<String, Object> context) {
    state = context.getStateStore(STATE);
    buckets = context.getStateStore(BUCKETS);
  }

  @Override
  void onBeforeRecord(Record<String, ScopeSignal> record) {
    if (record.value() != null && record.value().isTick()) {
      upstreamTick(record.value().entity(), record.value().time());
    }
  }

  @Override
  void handle(Record<String, ScopeSignal> record, long wm) {
    ScopeSignal sig = record.value();
    if (sig.isTick()) {
      return; // it moved the watermark (and fired what was due): nothing else to do
    }
    String key = record.key();
    long b = Math.floorDiv(sig.time(), half) * half;
    long lastEnd = b + 2 * half;
    if (lastEnd + settings.graceMs() <= wm) {
      metrics.late("scope", false);
      return;
    }
    String bk = key + '\u0000' + TimerIndex.pad(b);
    byte[] stored = buckets.get(bk);
    ScopeBucket bucket = stored == null ? new ScopeBucket() : ScopeBucket.decode(stored);
    long hash = Hashing.komihash5_0().hashCharsToLong(sig.entity());
    switch (sig.kind()) {
      case PLAIN_DISCONNECT -> bucket.plain.add(hash, EXACT, 12);
      case SERVER_ERROR -> bucket.server.add(hash, EXACT, 12);
      case THROTTLE -> bucket.throttles++;
    }
    if (sig.evidence() != null) {
      EventRef.keepEarliest(bucket.samples, sig.evidence(), settings.evidenceMax());
    }
    buckets.put(bk, bucket.encode());

    byte[] st = state.get(key);
    ScopeState s = st == null ? new ScopeState() : ScopeState.decode(st);
    s.maxBucket = Math.max(s.maxBucket, b);
    s.minBucket = Math.min(s.minBucket, b);
    long firstOpen = b + half;
    while (firstOpen + settings.graceMs() <= wm) {
      firstOpen += half;
    }
    if (s.nextEnd == 0 || firstOpen < s.nextEnd) {
      if (s.timerAt != 0) {
        timers.remove(s.timerAt, key);
      }
      s.nextEnd = firstOpen;
      s.timerAt = firstOpen + settings.graceMs();
      timers.add(s.timerAt, key);
    }
    state.put(key, s.encode());
  }

  @Override
  void onTimer(String key, long dueAt, long wm) {
    byte[] st = state.get(key);
    if (st == null) {
      return;
    }
    ScopeState s = ScopeState.decode(st);
    if (s.timerAt != dueAt) {
      return;
    }
    s.timerAt = 0;
    boolean hub = key.startsWith("hub:");
    String name = key.substring(4);
    Incidents.Subject who = hub ? Incidents.Subject.hub(name) : Incidents.Subject.dps(name);
    long e = s.nextEnd;
    ScopeBucket w = new ScopeBucket();
    ScopeBucket newest = new ScopeBucket();
    try (KeyValueIterator<String, byte[]> it =
        buckets.range(
            key + '\u0000' + TimerIndex.pad(e - 2 * half),
            key + '\u0000' + TimerIndex.pad(e - half))) {
      while (it.hasNext()) {
        KeyValue<String, byte[]> kv = it.next();
        ScopeBucket b = ScopeBucket.decode(kv.value);
        w.merge(b, settings.evidenceMax());
        if (kv.key.endsWith(TimerIndex.pad(e - half))) {
          newest = b;
        }
      }
    }
    boolean outage =
        hub
            && w.plain.count() >= settings.outageMinDevices()
            && w.server.count() >= settings.outageMinServerErrorDevices();
    boolean throttled = w.throttles >= settings.throttlingMinEvents();

    if (hub) {
      s.outage = episode(who, s.outage, outage, IncidentKind.HUB_OUTAGE, e, w, newest, name, wm);
    }
    s.throttle =
        episode(who, s.throttle, throttled, IncidentKind.THROTTLED, e, w, newest, name, wm);

    // drop buckets no future window needs
    long keepFrom = e + half - 2 * half;
    List<String> doomed = new ArrayList<>();
    try (KeyValueIterator<String, byte[]> it =
        buckets.range(
            key + '\u0000' + TimerIndex.pad(0), key + '\u0000' + TimerIndex.pad(keepFrom - 1))) {
      while (it.hasNext()) {
        doomed.add(it.next().key);
      }
    }
    doomed.forEach(buckets::delete);

    long next = e + half;
    if (s.maxBucket >= next - 2 * half || s.outage != null || s.throttle != null) {
      s.nextEnd = next;
      s.timerAt = next + settings.graceMs();
      timers.add(s.timerAt, key);
      state.put(key, s.encode());
    } else {
      state.delete(key);
    }
  }

  private OpenIncident episode(
      Incidents.Subject who,
      OpenIncident open,
      boolean holds,
      IncidentKind kind,
      long end,
      ScopeBucket window,
      ScopeBucket newest,
      String name,
      long wm) {
    int events =
        kind == IncidentKind.HUB_OUTAGE
            ? (int) (window.plain.count() + window.server.count())
            : (int) window.throttles;
    if (holds && open == null) {
      OpenIncident o = new OpenIncident();
      String first = window.samples.isEmpty() ? name + end : window.samples.get(0).eventId();
      o.incidentId = Incidents.id(kind.name(), who.subject(), first);
      o.kind = kind.name();
      o.start = window.samples.isEmpty() ? end - 2 * half : window.samples.get(0).time();
      for (EventRef r : window.samples) {
        o.start = Math.min(o.start, r.time());
      }
      o.end = end;
      for (EventRef r : window.samples) {
        if (o.evidence.size() < settings.evidenceMax()) {
          o.evidence.add(r);
        }
      }
      o.eventCount = Math.max(1, events);
      o.emittedCount = o.eventCount;
      o.dimensions.putAll(dims(kind, window));
      emit(incident(who, o, kind));
      if (kind == IncidentKind.HUB_OUTAGE) {
        observe(
            new Observation(
                SignalCatalog.IOTHUB_OUTAGES,
                Dims.of("hub", name),
                1.0,
                name,
                Math.max(end, wm), // decided at this watermark: not late for closed windows
                o.evidence.isEmpty() ? null : o.evidence.get(0),
                o.incidentId));
      }
      return o;
    }
    if (holds) {
      open.end = end;
      open.eventCount +=
          kind == IncidentKind.HUB_OUTAGE
              ? (int) (newest.plain.count() + newest.server.count())
              : (int) newest.throttles;
      for (EventRef r : newest.samples) {
        if (open.evidence.size() < settings.evidenceMax()) {
          open.evidence.add(r);
        }
      }
      return open;
    }
    if (open != null) {
      open.revision++;
      emit(incident(who, open, kind));
      return null;
    }
    return null;
  }

  private static java.util.Map<String, String> dims(IncidentKind kind, ScopeBucket w) {
    return kind == IncidentKind.HUB_OUTAGE
        ? Dims.of(
            "disconnectedDevices", Long.toString(w.plain.count()),
            "serverErrorDevices", Long.toString(w.server.count()))
        : Dims.of("throttlingErrors", Long.toString(w.throttles));
  }

  private Incident incident(Incidents.Subject who, OpenIncident o, IncidentKind kind) {
    boolean closed = o.revision > 0;
    String summary =
        kind == IncidentKind.HUB_OUTAGE
            ? "Hub-wide outage signature: "
                + o.dimensions.get("disconnectedDevices")
                + " devices disconnected (404104) with 500xxx errors on "
                + o.dimensions.get("serverErrorDevices")
                + " devices"
            : "Throttling on "
                + who.subject()
                + ": "
                + o.dimensions.get("throttlingErrors")
                + " errors in "
                + settings.outageWindowMs() / 1000
                + " s";
    return Incidents.build(
        kind,
        false,
        o.revision,
        o.incidentId,
        who,
        o.start,
        o.end,
        summary + (closed ? " (ended)" : ""),
        kind == IncidentKind.HUB_OUTAGE
            ? List.of(
                "transient IoT Hub service issue", "network issue between the devices and Azure")
            : List.of(who.hub() != null ? "IoT Hub throttle exceeded" : "DPS operations throttled"),
        kind == IncidentKind.HUB_OUTAGE
            ? Hints.HUB_OUTAGE
            : who.hub() != null ? Hints.IOTHUB_THROTTLED : Hints.DPS_THROTTLED,
        o.dimensions,
        o.eventCount,
        o.evidence);
  }

  /** Counts of one scope over one half-window bucket. */
  static final class ScopeBucket {
    DistinctCounter plain = DistinctCounter.empty();
    DistinctCounter server = DistinctCounter.empty();
    long throttles;
    final List<EventRef> samples = new ArrayList<>();

    void merge(ScopeBucket b, int maxSamples) {
      plain.merge(b.plain, EXACT, 12);
      server.merge(b.server, EXACT, 12);
      throttles += b.throttles;
      for (EventRef r : b.samples) {
        EventRef.keepEarliest(samples, r, maxSamples);
      }
    }

    byte[] encode() {
      BinaryWriter w = new BinaryWriter(256);
      w.writeByte(1);
      plain.write(w);
      server.write(w);
      w.writeVarLong(throttles).writeVarInt(samples.size());
      samples.forEach(r -> r.write(w));
      return w.toByteArray();
    }

    static ScopeBucket decode(byte[] bytes) {
      BinaryReader r = new BinaryReader(bytes);
      if (r.readByte() != 1) {
        throw new IllegalStateException("unknown scope bucket version");
      }
      ScopeBucket b = new ScopeBucket();
      b.plain = DistinctCounter.read(r);
      b.server = DistinctCounter.read(r);
      b.throttles = r.readVarLong();
      int n = r.readVarInt();
      for (int i = 0; i < n; i++) {
        b.samples.add(EventRef.read(r));
      }
      return b;
    }
  }

  /** Evaluation progress and open episodes of one scope. */
  static final class ScopeState {
    long nextEnd;
    long timerAt;
    long minBucket = Long.MAX_VALUE;
    long maxBucket = Long.MIN_VALUE;
    OpenIncident outage;
    OpenIncident throttle;

    byte[] encode() {
      BinaryWriter w = new BinaryWriter(256);
      w.writeByte(1)
          .writeVarLong(nextEnd)
          .writeVarLong(timerAt)
          .writeVarLong(minBucket)
          .writeVarLong(maxBucket)
          .writeBoolean(outage != null);
      if (outage != null) {
        outage.write(w);
      }
      w.writeBoolean(throttle != null);
      if (throttle != null) {
        throttle.write(w);
      }
      return w.toByteArray();
    }

    static ScopeState decode(byte[] bytes) {
      BinaryReader r = new BinaryReader(bytes);
      if (r.readByte() != 1) {
        throw new IllegalStateException("unknown scope state version");
      }
      ScopeState s = new ScopeState();
      s.nextEnd = r.readVarLong();
      s.timerAt = r.readVarLong();
      s.minBucket = r.readVarLong();
      s.maxBucket = r.readVarLong();
      if (r.readBoolean()) {
        s.outage = OpenIncident.read(r);
      }
      if (r.readBoolean()) {
        s.throttle = OpenIncident.read(r);
      }
      return s;
    }
  }
}
