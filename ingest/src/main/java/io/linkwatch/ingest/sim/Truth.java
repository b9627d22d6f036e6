package io.linkwatch.ingest.sim;

import io.linkwatch.avro.IncidentKind;
import java.time.Instant;

/**
 * One injected incident, as the ground truth records it: what the topology should find, on which
 * subject, between which event times, made of how many records. Times are those a parser reads back
 * from the records (Azure's timestamp shape, at millisecond precision), so a test can compare them
 * with the incidents' times directly.
 */
final class Truth {

  final Scenario scenario;
  final IncidentKind kind;
  final boolean benign;
  final String subject;
  String hub;
  String deviceId;
  String dpsInstance;
  String registrationId;
  String machine;
  String enrollmentGroupId;
  String cause;
  long startMillis = Long.MAX_VALUE;
  long endMillis = Long.MIN_VALUE;
  int events;

  Truth(Scenario scenario, IncidentKind kind, boolean benign, String subject) {
    this.scenario = scenario;
    this.kind = kind;
    this.benign = benign;
    this.subject = subject;
  }

  static Truth device(Scenario s, IncidentKind k, boolean benign, String hub, String device) {
    Truth t = new Truth(s, k, benign, hub + "/" + device);
    t.hub = hub;
    t.deviceId = device;
    return t;
  }

  static Truth registration(
      Scenario s, IncidentKind k, boolean benign, String dps, String registration) {
    Truth t = new Truth(s, k, benign, dps + "/" + registration);
    t.dpsInstance = dps;
    t.registrationId = registration;
    return t;
  }

  static Truth hub(Scenario s, IncidentKind k, String hub) {
    Truth t = new Truth(s, k, false, hub);
    t.hub = hub;
    return t;
  }

  static Truth dps(Scenario s, IncidentKind k, String dps) {
    Truth t = new Truth(s, k, false, dps);
    t.dpsInstance = dps;
    return t;
  }

  static Truth machine(Scenario s, IncidentKind k, String machine) {
    Truth t = new Truth(s, k, false, machine);
    t.machine = machine;
    return t;
  }

  Truth cause(String cause) {
    this.cause = cause;
    return this;
  }

  /** Counts a record of the incident (null: a record past the end of the run, not emitted). */
  Truth add(SimRecord r) {
    if (r != null) {
      events++;
      long ms = r.parsedMillis();
      startMillis = Math.min(startMillis, ms);
      endMillis = Math.max(endMillis, ms);
    }
    return this;
  }

  boolean isEmpty() {
    return events == 0;
  }

  String toJson() {
    return Json.object()
        .str("scenario", scenario.id())
        .str("kind", kind.name())
        .raw("benign", Boolean.toString(benign))
        .str("subject", subject)
        .str("hub", hub)
        .str("deviceId", deviceId)
        .str("dpsInstance", dpsInstance)
        .str("registrationId", registrationId)
        .str("machine", machine)
        .str("enrollmentGroupId", enrollmentGroupId)
        .str("cause", cause)
        .str("start", Instant.ofEpochMilli(startMillis).toString())
        .str("end", Instant.ofEpochMilli(endMillis).toString())
        .raw("events", Integer.toString(events))
        .end();
  }
}
