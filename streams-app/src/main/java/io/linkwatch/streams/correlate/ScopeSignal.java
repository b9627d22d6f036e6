package io.linkwatch.streams.correlate;

import io.linkwatch.streams.codec.BinaryReader;
import io.linkwatch.streams.codec.BinaryWriter;
import io.linkwatch.streams.signal.EventRef;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * An event that matters to a whole hub or DPS instance (a plain 404104 disconnect, a 500xxx server
 * error, a throttling error): the value of the internal repartition topic {@code
 * linkwatch-scope-signals}, keyed by scope ({@code hub:<name>} or {@code dps:<name>}) so that one
 * task sees every device of the scope.
 */
public record ScopeSignal(Kind kind, String scope, String entity, long time, EventRef evidence) {

  /** What happened. */
  public enum Kind {
    PLAIN_DISCONNECT,
    SERVER_ERROR,
    THROTTLE,
    /** No event: the upstream watermark entered a new minute (see {@code Ticks}). */
    TICK
  }

  static ScopeSignal tick(String upstream, long watermark) {
    return new ScopeSignal(Kind.TICK, "", upstream, watermark, null);
  }

  public boolean isTick() {
    return kind == Kind.TICK;
  }

  private static final int VERSION = 1;

  static String hubKey(String hub) {
    return "hub:" + hub;
  }

  static String dpsKey(String dps) {
    return "dps:" + dps;
  }

  byte[] encode() {
    BinaryWriter w = new BinaryWriter(128);
    w.writeByte(VERSION)
        .writeVarInt(kind.ordinal())
        .writeString(scope)
        .writeString(entity)
        .writeVarLong(time)
        .writeBoolean(evidence != null);
    if (evidence != null) {
      evidence.write(w);
    }
    return w.toByteArray();
  }

  static ScopeSignal decode(byte[] b) {
    BinaryReader r = new BinaryReader(b);
    int version = r.readByte();
    if (version != VERSION) {
      throw new IllegalStateException("unknown scope signal version " + version);
    }
    Kind kind = Kind.values()[r.readVarInt()];
    String scope = r.readString();
    String entity = r.readString();
    long time = r.readVarLong();
    EventRef ref = r.readBoolean() ? EventRef.read(r) : null;
    return new ScopeSignal(kind, scope, entity, time, ref);
  }

  public static Serde<ScopeSignal> serde() {
    Serializer<ScopeSignal> ser = (t, s) -> s == null ? null : s.encode();
    Deserializer<ScopeSignal> de = (t, b) -> b == null ? null : decode(b);
    return Serdes.serdeFrom(ser, de);
  }
}
