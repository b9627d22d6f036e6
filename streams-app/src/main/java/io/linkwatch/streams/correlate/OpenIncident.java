package io.linkwatch.streams.correlate;

import io.linkwatch.streams.codec.BinaryReader;
import io.linkwatch.streams.codec.BinaryWriter;
import io.linkwatch.streams.signal.EventRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An incident that stays open while evidence keeps coming (a revoked device retrying, an enrollment
 * failing attestation, an agent that cannot connect): one incident accumulating evidence, not one
 * per retry. Emitted at revision 0 when it opens and once more, as a revision, when it closes with
 * more evidence than it was first emitted with.
 */
final class OpenIncident {

  String incidentId;
  String kind;
  long start;
  long end;
  int eventCount;
  int emittedCount;
  int revision;

  /** Event-time watermark of the last verdict or evidence: idleness is measured from it. */
  long touched;

  final List<EventRef> evidence = new ArrayList<>();
  final Map<String, String> dimensions = new TreeMap<>();

  void add(EventRef ref, int evidenceMax) {
    eventCount++;
    if (ref != null) {
      end = Math.max(end, ref.time());
      start = Math.min(start, ref.time());
      if (evidence.size() < evidenceMax) {
        evidence.add(ref);
      }
    }
  }

  void write(BinaryWriter w) {
    w.writeString(incidentId)
        .writeString(kind)
        .writeVarLong(start)
        .writeVarLong(end)
        .writeVarInt(eventCount)
        .writeVarInt(emittedCount)
        .writeVarInt(revision)
        .writeVarLong(touched)
        .writeVarInt(evidence.size());
    evidence.forEach(e -> e.write(w));
    w.writeVarInt(dimensions.size());
    dimensions.forEach((k, v) -> w.writeString(k).writeString(v));
  }

  static OpenIncident read(BinaryReader r) {
    OpenIncident o = new OpenIncident();
    o.incidentId = r.readString();
    o.kind = r.readString();
    o.start = r.readVarLong();
    o.end = r.readVarLong();
    o.eventCount = r.readVarInt();
    o.emittedCount = r.readVarInt();
    o.revision = r.readVarInt();
    o.touched = r.readVarLong();
    int n = r.readVarInt();
    for (int i = 0; i < n; i++) {
      o.evidence.add(EventRef.read(r));
    }
    n = r.readVarInt();
    for (int i = 0; i < n; i++) {
      o.dimensions.put(r.readString(), r.readString());
    }
    return o;
  }
}
