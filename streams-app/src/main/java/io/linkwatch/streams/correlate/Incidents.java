package io.linkwatch.streams.correlate;

import com.dynatrace.hash4j.hashing.Hashing;
import io.linkwatch.avro.Hint;
import io.linkwatch.avro.Incident;
import io.linkwatch.avro.IncidentKind;
import io.linkwatch.streams.signal.EventRef;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Builds {@link Incident} records with deterministic ids and no processing-time field. */
final class Incidents {

  private Incidents() {}

  /**
   * A deterministic id: kind, subject and the first evidence event (a replay of the same input
   * gives the same id). 128 bits as 32 hex digits.
   */
  static String id(String kind, String subject, String firstEventId) {
    String s = kind + '|' + subject + '|' + firstEventId;
    long a = Hashing.komihash5_0().hashCharsToLong(s);
    long b = Hashing.komihash5_0(0x9E3779B97F4A7C15L).hashCharsToLong(s);
    return String.format("%016x%016x", a, b);
  }

  /** Who an incident is about. */
  record Subject(
      String subject,
      String hub,
      String deviceId,
      String dpsInstance,
      String registrationId,
      String machine) {

    static Subject device(String hub, String deviceId) {
      return new Subject(hub + "/" + deviceId, hub, deviceId, null, null, null);
    }

    static Subject hub(String hub) {
      return new Subject(hub, hub, null, null, null, null);
    }

    static Subject registration(String dps, String registrationId) {
      return new Subject(dps + "/" + registrationId, null, null, dps, registrationId, null);
    }

    static Subject dps(String dps) {
      return new Subject(dps, null, null, dps, null, null);
    }

    static Subject machine(String machine) {
      return new Subject(machine, null, null, null, null, machine);
    }
  }

  static Incident build(
      IncidentKind kind,
      boolean benign,
      int revision,
      String incidentId,
      Subject who,
      long start,
      long end,
      String summary,
      List<String> causes,
      Hint hint,
      Map<String, String> dimensions,
      int eventCount,
      List<EventRef> evidence) {
    List<io.linkwatch.avro.EvidenceEvent> ev = new ArrayList<>(evidence.size());
    evidence.forEach(e -> ev.add(e.toAvro()));
    return Incident.newBuilder()
        .setIncidentId(incidentId)
        .setKind(kind)
        .setBenign(benign)
        .setRevision(revision)
        .setSubject(who.subject())
        .setHub(who.hub())
        .setDeviceId(who.deviceId())
        .setDpsInstance(who.dpsInstance())
        .setRegistrationId(who.registrationId())
        .setMachine(who.machine())
        .setStartTime(Instant.ofEpochMilli(start))
        .setEndTime(Instant.ofEpochMilli(end))
        .setSummary(summary)
        .setProbableCauses(List.copyOf(causes))
        .setHint(hint)
        .setDimensions(new java.util.TreeMap<>(dimensions))
        .setEventCount(eventCount)
        .setEvidence(ev)
        .build();
  }
}
