package io.linkwatch.streams.correlate;

import io.linkwatch.streams.codec.BinaryReader;
import io.linkwatch.streams.codec.BinaryWriter;
import io.linkwatch.streams.signal.EventRef;
import java.util.ArrayList;
import java.util.List;

/**
 * The correlation state of one device (key {@code <hub>/<deviceId>}), in RocksDB: the 401003s
 * waiting for their verdict, the recent 401003 / 404104 / successful connects (bounded, pruned by
 * event time) that out-of-order arrival needs, the open authentication-failure incident, and the
 * device's single timer. Nothing per device lives on the heap.
 */
final class DeviceState {

  private static final int VERSION = 1;
  static final int MAX_PENDING = 32;
  static final int MAX_RECENT = 8;

  /** A 401003 waiting for its verdict, with what the incident needs. */
  record Pending(EventRef ref, String protocol, String sdkFamily, String authType) {}

  final List<Pending> pending = new ArrayList<>();
  final List<EventRef> recent401 = new ArrayList<>();
  final List<EventRef> recent404 = new ArrayList<>();
  final List<EventRef> connects = new ArrayList<>();
  OpenIncident openAuth;
  long lastSeen;
  long timerAt;
  long lastSecondary = Long.MIN_VALUE;
  boolean legacyReported;

  static void addBounded(List<EventRef> list, EventRef ref) {
    if (list.size() >= MAX_RECENT) {
      list.remove(0);
    }
    list.add(ref);
  }

  void prune(long before) {
    recent401.removeIf(r -> r.time() < before);
    recent404.removeIf(r -> r.time() < before);
    connects.removeIf(r -> r.time() < before);
  }

  boolean idle() {
    return pending.isEmpty() && openAuth == null;
  }

  byte[] encode() {
    BinaryWriter w = new BinaryWriter(256);
    w.writeByte(VERSION).writeVarInt(pending.size());
    for (Pending p : pending) {
      p.ref().write(w);
      w.writeString(p.protocol()).writeString(p.sdkFamily()).writeString(p.authType());
    }
    writeList(w, recent401);
    writeList(w, recent404);
    writeList(w, connects);
    w.writeBoolean(openAuth != null);
    if (openAuth != null) {
      openAuth.write(w);
    }
    w.writeVarLong(lastSeen)
        .writeVarLong(timerAt)
        .writeVarLong(lastSecondary)
        .writeBoolean(legacyReported);
    return w.toByteArray();
  }

  static DeviceState decode(byte[] b) {
    BinaryReader r = new BinaryReader(b);
    int version = r.readByte();
    if (version != VERSION) {
      throw new IllegalStateException("unknown device state version " + version);
    }
    DeviceState s = new DeviceState();
    int n = r.readVarInt();
    for (int i = 0; i < n; i++) {
      s.pending.add(new Pending(EventRef.read(r), r.readString(), r.readString(), r.readString()));
    }
    readList(r, s.recent401);
    readList(r, s.recent404);
    readList(r, s.connects);
    if (r.readBoolean()) {
      s.openAuth = OpenIncident.read(r);
    }
    s.lastSeen = r.readVarLong();
    s.timerAt = r.readVarLong();
    s.lastSecondary = r.readVarLong();
    s.legacyReported = r.readBoolean();
    return s;
  }

  private static void writeList(BinaryWriter w, List<EventRef> list) {
    w.writeVarInt(list.size());
    list.forEach(e -> e.write(w));
  }

  private static void readList(BinaryReader r, List<EventRef> list) {
    int n = r.readVarInt();
    for (int i = 0; i < n; i++) {
      list.add(EventRef.read(r));
    }
  }
}
