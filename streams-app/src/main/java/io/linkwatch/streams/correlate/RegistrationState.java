package io.linkwatch.streams.correlate;

import io.linkwatch.streams.codec.BinaryReader;
import io.linkwatch.streams.codec.BinaryWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * The state of one DPS registration (key {@code <dpsInstance>/<registrationId>}): its current hub
 * assignment, the times of its recent assignment changes (flap detection), its open attestation
 * failure and flapping incidents, and its single timer.
 */
final class RegistrationState {

  private static final int VERSION = 1;

  String currentHub;
  final List<Long> changes = new ArrayList<>();
  OpenIncident openAttestation;
  OpenIncident openFlap;
  boolean legacyReported;
  long lastAttestationSuccess = Long.MIN_VALUE;
  long lastSeen;
  long timerAt;

  byte[] encode() {
    BinaryWriter w = new BinaryWriter(128);
    w.writeByte(VERSION).writeString(currentHub).writeVarInt(changes.size());
    changes.forEach(w::writeVarLong);
    w.writeBoolean(openAttestation != null);
    if (openAttestation != null) {
      openAttestation.write(w);
    }
    w.writeBoolean(openFlap != null);
    if (openFlap != null) {
      openFlap.write(w);
    }
    w.writeBoolean(legacyReported)
        .writeVarLong(lastAttestationSuccess)
        .writeVarLong(lastSeen)
        .writeVarLong(timerAt);
    return w.toByteArray();
  }

  static RegistrationState decode(byte[] b) {
    BinaryReader r = new BinaryReader(b);
    int version = r.readByte();
    if (version != VERSION) {
      throw new IllegalStateException("unknown registration state version " + version);
    }
    RegistrationState s = new RegistrationState();
    s.currentHub = r.readString();
    int n = r.readVarInt();
    for (int i = 0; i < n; i++) {
      s.changes.add(r.readVarLong());
    }
    if (r.readBoolean()) {
      s.openAttestation = OpenIncident.read(r);
    }
    if (r.readBoolean()) {
      s.openFlap = OpenIncident.read(r);
    }
    s.legacyReported = r.readBoolean();
    s.lastAttestationSuccess = r.readVarLong();
    s.lastSeen = r.readVarLong();
    s.timerAt = r.readVarLong();
    return s;
  }
}
