package io.linkwatch.streams.correlate;

import io.linkwatch.avro.DpsCategory;
import io.linkwatch.avro.DpsResultType;
import io.linkwatch.avro.Incident;
import io.linkwatch.avro.IncidentKind;
import io.linkwatch.avro.ProvisioningEvent;
import io.linkwatch.streams.config.StreamsSettings;
import io.linkwatch.streams.metrics.PipelineMetrics;
import io.linkwatch.streams.signal.EventRef;
import io.linkwatch.streams.signal.Observation;
import io.linkwatch.streams.signal.SignalCatalog;
import io.linkwatch.streams.window.ViewLookup;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Per-registration correlation of DPS records (input {@code linkwatch.events.provisioning.v1}, key
 * {@code <dpsInstance>/<registrationId>}): the attestation → registration → assignment funnel as
 * signals, attestation failures as one open incident per registration, the current hub of each
 * device with its changes ({@code REPROVISIONED}) and flapping ({@code ASSIGNMENT_FLAPPING}: N
 * changes within T), legacy SDK/API versions (seed 003), and 429s and service-operation errors.
 *
 * <p>Operation classification (docs/formats.md): operationName containing "Attestation" is an
 * attestation, containing "Regist" a registration; a successful registration with an assigned hub
 * is an assignment.
 */
final class ProvisioningCorrelator extends Correlator<ProvisioningEvent> {

  static final String STATE = "linkwatch-registration-state";
  static final String TIMERS = "linkwatch-registration-timers";
  static final String INCIDENTS = "linkwatch-incidents-registrations";

  private final long assignmentTtlMs;
  private KeyValueStore<String, byte[]> state;

  ProvisioningCorrelator(
      StreamsSettings settings,
      ViewLookup lookup,
      PipelineMetrics metrics,
      org.apache.kafka.common.serialization.Serializer<io.linkwatch.avro.Incident> incidents) {
    super(settings, lookup, metrics, TIMERS, INCIDENTS, incidents);
    this.assignmentTtlMs = Math.max(settings.deviceStateTtlMs(), 7L * 24 * 3600 * 1000);
  }

  @Override
  void initStores(ProcessorContext<String, Object> context) {
    state = context.getStateStore(STATE);
  }

  @Override
  void handle(Record<String, ProvisioningEvent> record, long wm) {
    ProvisioningEvent p = record.value();
    long t = p.getTime().toEpochMilli();
    String dps = p.getDpsInstance();
    String reg = p.getRegistrationId() == null ? "-" : p.getRegistrationId();
    String enrollment = p.getEnrollmentGroupId() != null ? p.getEnrollmentGroupId() : reg;
    String op = p.getOperationName() == null ? "" : p.getOperationName();
    String opLower = op.toLowerCase(Locale.ROOT);
    boolean success = p.getResultType() == DpsResultType.SUCCESS;
    String result =
        p.getResultType() == null ? "other" : p.getResultType().name().toLowerCase(Locale.ROOT);
    String status = Dims.str(p.getHttpStatus());
    String entity = dps + "/" + reg;
    String code =
        p.getErrorCode() != null
            ? p.getErrorCode().toString()
            : p.getHttpStatus() == null ? null : status;
    EventRef ref =
        ref(
            p.getEventId(),
            t,
            op
                + " "
                + (p.getResultTypeRaw() != null ? p.getResultTypeRaw() : result)
                + (p.getHttpStatus() == null ? "" : " " + p.getHttpStatus())
                + (p.getErrorCode() == null ? "" : " " + p.getErrorCode()),
            code);
    boolean deviceOp = p.getCategory() == DpsCategory.DEVICE_OPERATIONS;
    boolean attestation = deviceOp && opLower.contains("attestation");
    boolean registration = deviceOp && !attestation && opLower.contains("regist");
    boolean assignment = registration && success && p.getAssignedHub() != null;
    String hub = p.getAssignedHub();

    if (Integer.valueOf(429).equals(p.getHttpStatus())) {
      observe(
          Observation.of(
              SignalCatalog.DPS_THROTTLING,
              Dims.of(
                  "dpsInstance", dps,
                  "category", p.getCategory() == null ? "" : p.getCategory().name(),
                  "operationName", op),
              entity,
              t,
              ref));
      scope(
          ScopeSignal.dpsKey(dps), new ScopeSignal(ScopeSignal.Kind.THROTTLE, dps, entity, t, ref));
    }
    if (p.getCategory() == DpsCategory.SERVICE_OPERATIONS
        && (!success || (p.getHttpStatus() != null && p.getHttpStatus() >= 400))) {
      observe(
          Observation.of(
              SignalCatalog.DPS_SERVICE_ERRORS,
              Dims.of("dpsInstance", dps, "operationName", op, "httpStatus", status),
              entity,
              t,
              ref));
    }
    if (attestation) {
      observe(
          Observation.of(
              SignalCatalog.DPS_ATTESTATION_ATTEMPTS,
              Dims.of(
                  "dpsInstance", dps,
                  "enrollment", enrollment,
                  "registrationId", reg,
                  "attestationMechanism", p.getAttestationMechanism(),
                  "callerIp", p.getCallerIpAddress(),
                  "result", result,
                  "httpStatus", status,
                  "protocol", p.getProtocol()),
              entity,
              t,
              ref));
      if (!success) {
        observe(
            Observation.of(
                SignalCatalog.DPS_ATTESTATION_FAILURES,
                Dims.of(
                    "dpsInstance", dps,
                    "enrollment", enrollment,
                    "registrationId", reg,
                    "attestationMechanism", p.getAttestationMechanism(),
                    "callerIp", p.getCallerIpAddress(),
                    "result", result,
                    "httpStatus", status,
                    "errorCode", Dims.str(p.getErrorCode()),
                    "protocol", p.getProtocol()),
                entity,
                t,
                ref));
      }
    }
    if (registration) {
      observe(
          Observation.of(
              SignalCatalog.DPS_REGISTRATION_ATTEMPTS,
              Dims.of(
                  "dpsInstance", dps,
                  "enrollment", enrollment,
                  "registrationId", reg,
                  "hub", hub,
                  "result", result,
                  "httpStatus", status),
              entity,
              t,
              ref));
    }
    if (assignment) {
      observe(
          Observation.of(
              SignalCatalog.DPS_ASSIGNMENTS,
              Dims.of(
                  "dpsInstance", dps, "enrollment", enrollment, "registrationId", reg, "hub", hub),
              entity,
              t,
              ref));
    }
    boolean legacy = SdkVersions.legacy(p.getSdkVersion(), p.getApiVersion());
    String sdkFamily = SdkVersions.family(p.getSdkVersion());
    if (deviceOp && (p.getSdkVersion() != null || p.getApiVersion() != null)) {
      observe(
          Observation.of(
              SignalCatalog.DEVICES_SEEN,
              Dims.of("source", "dps", "scope", dps, "sdkFamily", sdkFamily),
              entity,
              t,
              ref));
      if (legacy) {
        observe(
            Observation.of(
                SignalCatalog.DEVICES_LEGACY_SDK,
                Dims.of(
                    "source",
                    "dps",
                    "scope",
                    dps,
                    "sdkFamily",
                    sdkFamily,
                    "sdkVersion",
                    p.getSdkVersion() != null
                        ? SdkVersions.version(p.getSdkVersion())
                        : "api " + p.getApiVersion()),
                entity,
                t,
                ref));
      }
    }
    if (!deviceOp || p.getRegistrationId() == null) {
      return;
    }

    String key = record.key() == null ? entity : record.key();
    byte[] stored = state.get(key);
    RegistrationState s =
        stored == null ? new RegistrationState() : RegistrationState.decode(stored);
    s.lastSeen = Math.max(s.lastSeen, t);
    Incidents.Subject who = Incidents.Subject.registration(dps, reg);
    Integer http = p.getHttpStatus();
    boolean throttledOrServer = http != null && (http == 429 || http >= 500);

    if (attestation && success) {
      s.lastAttestationSuccess = Math.max(s.lastAttestationSuccess, t);
    }
    // a failure older than a success already seen arrived late: it belongs to an episode that is
    // over, so it opens nothing (it still counts in the signals)
    if (attestation && !success && !throttledOrServer && t > s.lastAttestationSuccess) {
      if (s.openAttestation == null) {
        OpenIncident o = new OpenIncident();
        o.incidentId =
            Incidents.id(IncidentKind.ATTESTATION_FAILURE.name(), who.subject(), ref.eventId());
        o.kind = IncidentKind.ATTESTATION_FAILURE.name();
        o.start = t;
        o.end = t;
        o.dimensions.putAll(
            Dims.of(
                "enrollment", enrollment,
                "attestationMechanism", p.getAttestationMechanism(),
                "callerIp", p.getCallerIpAddress(),
                "httpStatus", status,
                "errorCode", Dims.str(p.getErrorCode())));
        o.add(ref, settings.evidenceMax());
        o.emittedCount = o.eventCount;
        s.openAttestation = o;
        emit(attestationIncident(who, o));
      } else {
        s.openAttestation.add(ref, settings.evidenceMax());
      }
    } else if (attestation && success && s.openAttestation != null) {
      closeAttestation(who, s);
    }
    if (assignment) {
      if (s.currentHub != null && !s.currentHub.equals(hub)) {
        reprovisioned(who, s, ref, s.currentHub, hub, dps);
      }
      s.currentHub = hub;
    }
    if (legacy && !s.legacyReported) {
      s.legacyReported = true;
      String id = Incidents.id(IncidentKind.LEGACY_SDK.name(), who.subject(), ref.eventId());
      emit(
          Incidents.build(
              IncidentKind.LEGACY_SDK,
              false,
              0,
              id,
              who,
              t,
              t,
              "Device provisioning client "
                  + (p.getSdkVersion() != null ? p.getSdkVersion() : "")
                  + (p.getApiVersion() != null ? " (API " + p.getApiVersion() + ")" : "")
                  + " predates native reprovisioning",
              List.of("SDK or REST API version predates native reprovisioning support"),
              Hints.LEGACY_SDK,
              Dims.of(
                  "source",
                  "dps",
                  "sdkFamily",
                  sdkFamily,
                  "sdkVersion",
                  SdkVersions.version(p.getSdkVersion()),
                  "apiVersion",
                  p.getApiVersion(),
                  "enrollment",
                  enrollment),
              1,
              List.of(ref)));
    }
    reschedule(key, s);
  }

  private void reprovisioned(
      Incidents.Subject who,
      RegistrationState s,
      EventRef ref,
      String from,
      String to,
      String dps) {
    long t = ref.time();
    String id = Incidents.id(IncidentKind.REPROVISIONED.name(), who.subject(), ref.eventId());
    emit(
        Incidents.build(
            IncidentKind.REPROVISIONED,
            true,
            0,
            id,
            who,
            t,
            t,
            "Assigned to hub " + to + " (was " + from + ")",
            List.of("reprovisioning policy or allocation moved the device"),
            Hints.REPROVISIONED,
            Dims.of("fromHub", from, "toHub", to),
            1,
            List.of(ref)));
    observe(
        new Observation(
            SignalCatalog.DPS_REPROVISIONS,
            Dims.of(
                "dpsInstance",
                dps,
                "registrationId",
                who.registrationId(),
                "fromHub",
                from,
                "toHub",
                to),
            1.0,
            who.subject(),
            t,
            ref,
            id));
    s.changes.add(t);
    s.changes.removeIf(c -> c <= t - settings.flapWindowMs());
    if (s.openFlap != null) {
      s.openFlap.add(ref, settings.evidenceMax());
    } else if (s.changes.size() >= settings.flapChanges()) {
      OpenIncident o = new OpenIncident();
      o.incidentId =
          Incidents.id(IncidentKind.ASSIGNMENT_FLAPPING.name(), who.subject(), ref.eventId());
      o.kind = IncidentKind.ASSIGNMENT_FLAPPING.name();
      o.start = s.changes.get(0);
      o.end = t;
      o.add(ref, settings.evidenceMax());
      o.eventCount = s.changes.size();
      o.emittedCount = o.eventCount;
      o.dimensions.put("changes", Integer.toString(s.changes.size()));
      s.openFlap = o;
      emit(flapIncident(who, o));
      observe(
          new Observation(
              SignalCatalog.DPS_ASSIGNMENT_FLAPS,
              Dims.of("dpsInstance", dps, "registrationId", who.registrationId()),
              1.0,
              who.subject(),
              t,
              ref,
              o.incidentId));
    }
  }

  private Incident flapIncident(Incidents.Subject who, OpenIncident o) {
    return Incidents.build(
        IncidentKind.ASSIGNMENT_FLAPPING,
        false,
        o.revision,
        o.incidentId,
        who,
        o.start,
        o.end,
        "Hub assignment changed "
            + o.eventCount
            + " times within "
            + settings.flapWindowMs() / 60000
            + " min",
        List.of(
            "allocation or reprovisioning policy that does not settle",
            "device re-provisioning in a loop"),
        Hints.FLAPPING,
        o.dimensions,
        o.eventCount,
        o.evidence);
  }

  private Incident attestationIncident(Incidents.Subject who, OpenIncident o) {
    String status = o.dimensions.getOrDefault("httpStatus", "");
    Integer http = status.isEmpty() ? null : Integer.valueOf(status);
    return Incidents.build(
        IncidentKind.ATTESTATION_FAILURE,
        false,
        o.revision,
        o.incidentId,
        who,
        o.start,
        o.end,
        "DPS attestation failed"
            + (status.isEmpty() ? "" : " (" + status + ")")
            + " for enrollment "
            + o.dimensions.getOrDefault("enrollment", "")
            + ": "
            + o.eventCount
            + " attempt(s)",
        List.of(Hints.attestation(http).getProbableCause()),
        Hints.attestation(http),
        o.dimensions,
        o.eventCount,
        o.evidence);
  }

  private void closeAttestation(Incidents.Subject who, RegistrationState s) {
    OpenIncident o = s.openAttestation;
    s.openAttestation = null;
    if (o.eventCount > o.emittedCount) {
      o.revision++;
      emit(attestationIncident(who, o));
    }
  }

  private void closeFlap(Incidents.Subject who, RegistrationState s) {
    OpenIncident o = s.openFlap;
    s.openFlap = null;
    if (o.eventCount > o.emittedCount) {
      o.revision++;
      emit(flapIncident(who, o));
    }
  }

  @Override
  void onTimer(String key, long dueAt, long wm) {
    byte[] stored = state.get(key);
    if (stored == null) {
      return;
    }
    RegistrationState s = RegistrationState.decode(stored);
    if (s.timerAt != dueAt) {
      return;
    }
    s.timerAt = 0;
    int slash = key.indexOf('/');
    Incidents.Subject who =
        Incidents.Subject.registration(
            key.substring(0, Math.max(0, slash)), key.substring(slash + 1));
    if (s.openAttestation != null && s.openAttestation.end + settings.incidentIdleMs() <= wm) {
      closeAttestation(who, s);
    }
    if (s.openFlap != null && s.openFlap.end + settings.flapWindowMs() <= wm) {
      closeFlap(who, s);
    }
    if (s.openAttestation == null && s.openFlap == null && s.lastSeen + assignmentTtlMs <= wm) {
      state.delete(key);
      return;
    }
    reschedule(key, s);
  }

  private void reschedule(String key, RegistrationState s) {
    long due = s.lastSeen + assignmentTtlMs;
    if (s.openAttestation != null) {
      due = Math.min(due, s.openAttestation.end + settings.incidentIdleMs());
    }
    if (s.openFlap != null) {
      due = Math.min(due, s.openFlap.end + settings.flapWindowMs());
    }
    if (s.timerAt == 0 || due < s.timerAt) {
      if (s.timerAt != 0) {
        timers.remove(s.timerAt, key);
      }
      s.timerAt = due;
      timers.add(due, key);
    }
    state.put(key, s.encode());
  }
}
