package io.linkwatch.streams.window;

import io.linkwatch.streams.codec.BinaryReader;
import io.linkwatch.streams.codec.BinaryWriter;
import io.linkwatch.streams.signal.EventRef;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * An observation routed to one view and series: the value of the internal repartition topic {@code
 * linkwatch-window-observations}, keyed by the series key ({@code <viewId>|<dim>=<value>...}) so
 * that every observation of a series reaches the task that owns it. Compact binary, not JSON.
 *
 * @param dimensions the series' split-by dimension values, sorted by name
 * @param denominator true when it counts toward the denominator of a ratio view
 * @param entityHash 64-bit hash of the entity, for distinct counts
 */
public record ViewObservation(
    String viewId,
    int viewVersion,
    Map<String, String> dimensions,
    boolean denominator,
    double value,
    long entityHash,
    long time,
    EventRef evidence,
    String incidentId) {

  private static final int VERSION = 1;

  /** The view id of a tick (see {@code Ticks}): moves the engine's event time, nothing else. */
  public static final String TICK_VIEW = "~tick";

  /** A tick of an upstream task; the task id travels in {@code incidentId}. */
  public static ViewObservation tick(String upstream, long watermark) {
    return new ViewObservation(
        TICK_VIEW, 0, java.util.Map.of(), false, 0, 0, watermark, null, upstream);
  }

  public boolean isTick() {
    return TICK_VIEW.equals(viewId);
  }

  byte[] encode() {
    BinaryWriter w = new BinaryWriter(160);
    w.writeByte(VERSION).writeString(viewId).writeVarInt(viewVersion);
    w.writeVarInt(dimensions.size());
    dimensions.forEach((k, v) -> w.writeString(k).writeString(v));
    w.writeBoolean(denominator).writeDouble(value).writeLong(entityHash).writeVarLong(time);
    w.writeBoolean(evidence != null);
    if (evidence != null) {
      evidence.write(w);
    }
    w.writeString(incidentId);
    return w.toByteArray();
  }

  static ViewObservation decode(byte[] bytes) {
    BinaryReader r = new BinaryReader(bytes);
    int version = r.readByte();
    if (version != VERSION) {
      throw new IllegalStateException("unknown view observation version " + version);
    }
    String viewId = r.readString();
    int viewVersion = r.readVarInt();
    int n = r.readVarInt();
    Map<String, String> dims = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      dims.put(r.readString(), r.readString());
    }
    boolean den = r.readBoolean();
    double value = r.readDouble();
    long hash = r.readLong();
    long time = r.readVarLong();
    EventRef ref = r.readBoolean() ? EventRef.read(r) : null;
    return new ViewObservation(
        viewId, viewVersion, dims, den, value, hash, time, ref, r.readString());
  }

  /** The serde of the repartition topic. */
  public static Serde<ViewObservation> serde() {
    Serializer<ViewObservation> ser = (topic, o) -> o == null ? null : o.encode();
    Deserializer<ViewObservation> de = (topic, b) -> b == null ? null : decode(b);
    return Serdes.serdeFrom(ser, de);
  }
}
