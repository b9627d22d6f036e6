package io.linkwatch.streams.alert;

import io.linkwatch.avro.Alert;
import io.linkwatch.avro.AlertTransition;
import io.linkwatch.avro.MonitorCondition;
import io.linkwatch.schemas.serde.AvroSerdes;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Inhibition across rules and partitions: while an alert of a source rule fires, alerts of its
 * target rules that share the {@code equal} dimension values are muted — recorded as INHIBITED /
 * UNINHIBITED transitions with {@code inhibited=true} and {@code inhibitedBy}, never dropped.
 *
 * <p>Input: the internal topic {@value AlertStageSettings#INHIBITION_TOPIC}, keyed by inhibition
 * scope (the {@code equal} values), carrying target transitions, source activity and the evaluating
 * tasks' watermarks (ticks, multicast to every partition). Output: the target alerts, keyed by
 * fingerprint.
 *
 * <p><b>Determinism.</b> Sources and targets are evaluated on different partitions, so their
 * transitions arrive here in an order that depends on scheduling. Each transition carries the
 * watermark of the task that evaluated it; this step buffers them ({@code
 * linkwatch-alert-inhibition-buffer}, sorted by that time, then sources before targets, then scope,
 * fingerprint and sequence) and applies them only once every evaluating partition's watermark has
 * passed their time — a low watermark, as in Flink. Each evaluating task sends its transitions in
 * watermark order on one producer, so once its watermark passed {@code t} nothing earlier can still
 * come from it: the order applied is the same on every run. A partition silent for {@code
 * evaluatingWait} (a task that is not running) stops holding others back; that, and a partition not
 * heard from within the start-up wait, are the places where wall-clock timing can still matter.
 */
final class InhibitionProcessor implements Processor<String, Envelope, String, Alert> {

  private static final char SEP = '\u0001';
  private static final String WATERMARKS = "w" + SEP;
  private static final String SOURCES = "s" + SEP;
  private static final String TARGETS = "t" + SEP;

  private final AlertStageSettings settings;
  private final Serde<Alert> alertSerde = AvroSerdes.singleObject().valueSerde(Alert.class);
  private final Map<Integer, Long> lastSeenWallClock = new HashMap<>();

  private ProcessorContext<String, Alert> context;
  private KeyValueStore<String, Envelope> buffer;
  private KeyValueStore<String, byte[]> state;
  private long started;

  InhibitionProcessor(AlertStageSettings settings) {
    this.settings = settings;
  }

  @Override
  public void init(ProcessorContext<String, Alert> context) {
    this.context = context;
    this.buffer = context.getStateStore(AlertStageSettings.INHIBITION_BUFFER_STORE);
    this.state = context.getStateStore(AlertStageSettings.INHIBITION_STATE_STORE);
    long now = context.currentSystemTimeMs();
    started = now;
    for (int p : watermarks().keySet()) {
      lastSeenWallClock.put(p, now);
    }
    context.schedule(settings.idleAfter(), PunctuationType.WALL_CLOCK_TIME, this::idleCheck);
  }

  @Override
  public void process(Record<String, Envelope> record) {
    Envelope e = record.value();
    if (e == null) {
      return;
    }
    lastSeenWallClock.put(e.upstream(), context.currentSystemTimeMs());
    long[] previous = decodeWatermark(state.get(WATERMARKS + e.upstream()));
    long wm = Math.max(previous == null ? Long.MIN_VALUE : previous[0], e.watermark());
    state.put(WATERMARKS + e.upstream(), encodeWatermark(wm, e.kind() == Envelope.Kind.IDLE));
    if (e.kind() == Envelope.Kind.SOURCE || e.kind() == Envelope.Kind.TARGET) {
      buffer.put(orderKey(e), e);
    }
    release();
  }

  /** Applies, in order, every buffered transition older than the low watermark. */
  private void release() {
    long threshold = lowWatermark();
    if (threshold != Long.MAX_VALUE && threshold != Long.MIN_VALUE) {
      threshold -= settings.inhibitionDelay().toMillis();
    }
    List<KeyValue<String, Envelope>> ready = new ArrayList<>();
    try (KeyValueIterator<String, Envelope> it = buffer.all()) {
      while (it.hasNext()) {
        KeyValue<String, Envelope> kv = it.next();
        if (kv.value.watermark() >= threshold) {
          break;
        }
        ready.add(kv);
      }
    }
    for (KeyValue<String, Envelope> kv : ready) {
      buffer.delete(kv.key);
      if (kv.value.kind() == Envelope.Kind.SOURCE) {
        applySource(kv.value);
      } else {
        applyTarget(kv.value);
      }
    }
  }

  private long lowWatermark() {
    Map<Integer, long[]> all = watermarks();
    if (all.size() < settings.evaluatingPartitions()
        && context.currentSystemTimeMs() - started < settings.evaluatingWait().toMillis()) {
      // an evaluating task has not been heard from since the start (a catch-up whose tasks start
      // one after the other): what it sends later must not find the others' transitions applied
      return Long.MIN_VALUE;
    }
    long low = Long.MAX_VALUE;
    for (long[] w : all.values()) {
      if (w[1] == 0) {
        low = Math.min(low, w[0]);
      }
    }
    return low;
  }

  private Map<Integer, long[]> watermarks() {
    Map<Integer, long[]> out = new HashMap<>();
    try (KeyValueIterator<String, byte[]> it =
        state.prefixScan(WATERMARKS, Serdes.String().serializer())) {
      while (it.hasNext()) {
        KeyValue<String, byte[]> kv = it.next();
        out.put(Integer.parseInt(kv.key.substring(WATERMARKS.length())), decodeWatermark(kv.value));
      }
    }
    return out;
  }

  /**
   * Wall clock: a partition silent for {@code evaluatingWait} no longer holds the others back. An
   * evaluating task ticks while its engine's watermark moves (records flowing, or the engine's
   * wall-clock close once they stop), so a silent one is a task that is not running: a failover
   * longer than this lets the others' transitions go first.
   */
  private void idleCheck(long now) {
    long silence = settings.evaluatingWait().toMillis();
    // the start-up wait for evaluating tasks may just have ended: release what it held
    boolean waiting = now - started < silence + 2 * settings.idleAfter().toMillis();
    boolean changed = false;
    for (Map.Entry<Integer, long[]> w : watermarks().entrySet()) {
      Long seen = lastSeenWallClock.get(w.getKey());
      if (w.getValue()[1] == 0 && (seen == null || now - seen >= silence)) {
        state.put(WATERMARKS + w.getKey(), encodeWatermark(w.getValue()[0], true));
        changed = true;
      }
    }
    if (changed || waiting) {
      release();
    }
  }

  // --- sources ------------------------------------------------------------------------------

  private void applySource(Envelope e) {
    Alert alert = e.alert();
    String key = SOURCES + e.scope() + SEP + alert.getFingerprint();
    boolean active = alert.getMonitorCondition() == MonitorCondition.FIRED;
    if (active) {
      state.put(key, encodeSource(e.watermark(), e.targetRuleIds()));
    } else {
      state.delete(key);
    }
    List<KeyValue<String, byte[]>> targets = new ArrayList<>();
    try (KeyValueIterator<String, byte[]> it =
        state.prefixScan(TARGETS + e.scope() + SEP, Serdes.String().serializer())) {
      it.forEachRemaining(targets::add);
    }
    for (KeyValue<String, byte[]> kv : targets) {
      TargetState t = TargetState.decode(kv.value, alertSerde);
      if (!t.open) {
        continue;
      }
      String muter = muter(e.scope(), t.last.getRuleId());
      if ((muter != null) == t.muted) {
        if (muter != null && !muter.equals(t.inhibitedBy)) {
          t.inhibitedBy = muter;
          state.put(kv.key, t.encode(alertSerde));
        }
        continue;
      }
      Alert changed =
          Alert.newBuilder(t.last)
              .setSequence(++t.lastSequence)
              .setTransition(
                  muter != null ? AlertTransition.INHIBITED : AlertTransition.UNINHIBITED)
              .setInhibited(muter != null)
              .setInhibitedBy(muter)
              .setEvaluatedAt(alert.getEvaluatedAt())
              .setRevisionOf(null)
              .setStateReason(muter != null ? "InhibitedBy" : "SourceResolved")
              .build();
      t.offset++;
      t.muted = muter != null;
      t.inhibitedBy = muter;
      t.last = changed;
      state.put(kv.key, t.encode(alertSerde));
      context.forward(new Record<>(changed.getFingerprint(), changed, e.watermark()));
    }
  }

  /** The active source that mutes a target rule in a scope: the earliest, then by fingerprint. */
  private String muter(String scope, String targetRuleId) {
    String best = null;
    long bestSince = Long.MAX_VALUE;
    String prefix = SOURCES + scope + SEP;
    try (KeyValueIterator<String, byte[]> it =
        state.prefixScan(prefix, Serdes.String().serializer())) {
      while (it.hasNext()) {
        KeyValue<String, byte[]> kv = it.next();
        Source s = decodeSource(kv.value);
        if (s.targets().contains(targetRuleId) && s.since() < bestSince) {
          bestSince = s.since();
          best = kv.key.substring(prefix.length());
        }
      }
    }
    return best;
  }

  // --- targets ------------------------------------------------------------------------------

  private void applyTarget(Envelope e) {
    Alert alert = e.alert();
    String key = TARGETS + e.scope() + SEP + alert.getFingerprint();
    byte[] stored = state.get(key);
    TargetState t = stored == null ? null : TargetState.decode(stored, alertSerde);
    if (t == null || !t.alertId.equals(alert.getAlertId())) {
      t = new TargetState();
      t.alertId = alert.getAlertId();
    }
    String muter = muter(e.scope(), alert.getRuleId());
    Alert.Builder out =
        Alert.newBuilder(alert)
            .setSequence(alert.getSequence() + t.offset)
            .setInhibited(muter != null)
            .setInhibitedBy(muter);
    if (alert.getTransition() == AlertTransition.FIRED && muter != null) {
      out.setTransition(AlertTransition.INHIBITED).setStateReason("InhibitedBy");
    }
    Alert result = out.build();
    t.lastSequence = result.getSequence();
    t.muted = muter != null;
    t.inhibitedBy = muter;
    t.open = result.getMonitorCondition() == MonitorCondition.FIRED;
    t.last = result;
    state.put(key, t.encode(alertSerde));
    context.forward(new Record<>(result.getFingerprint(), result, e.watermark()));
  }

  /** What the inhibition step remembers of a target alert instance. */
  private static final class TargetState {
    String alertId;
    long offset;
    long lastSequence;
    boolean muted;
    String inhibitedBy;
    boolean open;
    Alert last;

    byte[] encode(Serde<Alert> serde) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
      try (DataOutputStream out = new DataOutputStream(bytes)) {
        out.writeUTF(alertId);
        out.writeLong(offset);
        out.writeLong(lastSequence);
        out.writeBoolean(muted);
        SeriesStateSerde.writeString(out, inhibitedBy);
        out.writeBoolean(open);
        SeriesStateSerde.writeBytes(out, serde.serializer().serialize("", last));
      } catch (IOException ex) {
        throw new UncheckedIOException(ex);
      }
      return bytes.toByteArray();
    }

    static TargetState decode(byte[] bytes, Serde<Alert> serde) {
      try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
        TargetState t = new TargetState();
        t.alertId = in.readUTF();
        t.offset = in.readLong();
        t.lastSequence = in.readLong();
        t.muted = in.readBoolean();
        t.inhibitedBy = SeriesStateSerde.readString(in);
        t.open = in.readBoolean();
        t.last = serde.deserializer().deserialize("", SeriesStateSerde.readBytes(in));
        return t;
      } catch (IOException ex) {
        throw new UncheckedIOException(ex);
      }
    }
  }

  // --- encodings ----------------------------------------------------------------------------

  private record Source(long since, List<String> targets) {}

  /** Buffer key: time, sources first, scope, fingerprint, instance, sequence. */
  static String orderKey(Envelope e) {
    Alert a = e.alert();
    return String.format("%016x", e.watermark() ^ Long.MIN_VALUE)
        + SEP
        + (e.kind() == Envelope.Kind.SOURCE ? '0' : '1')
        + SEP
        + e.scope()
        + SEP
        + a.getFingerprint()
        + SEP
        // an alert's transitions in the order they happened, even when one instance resolves and
        // the next fires at the same watermark: the instance that fired first comes first
        + String.format("%016x", a.getFiredTime().toEpochMilli() ^ Long.MIN_VALUE)
        + SEP
        + String.format("%016x", a.getSequence());
  }

  private static byte[] encodeWatermark(long wm, boolean idle) {
    return java.nio.ByteBuffer.allocate(9).putLong(wm).put((byte) (idle ? 1 : 0)).array();
  }

  private static long[] decodeWatermark(byte[] b) {
    if (b == null) {
      return null;
    }
    java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(b);
    return new long[] {buf.getLong(), buf.get()};
  }

  private static byte[] encodeSource(long since, List<String> targets) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeLong(since);
      out.writeInt(targets.size());
      for (String t : targets) {
        out.writeUTF(t);
      }
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    return bytes.toByteArray();
  }

  private static Source decodeSource(byte[] b) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(b))) {
      long since = in.readLong();
      int n = in.readInt();
      List<String> targets = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        targets.add(in.readUTF());
      }
      return new Source(since, targets);
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
  }
}
