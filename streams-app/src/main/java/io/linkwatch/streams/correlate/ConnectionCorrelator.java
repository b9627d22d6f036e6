package io.linkwatch.streams.correlate;

import io.linkwatch.avro.ConnectionEvent;
import io.linkwatch.avro.Incident;
import io.linkwatch.avro.IncidentKind;
import io.linkwatch.avro.IotHubOperation;
import io.linkwatch.streams.config.StreamsSettings;
import io.linkwatch.streams.metrics.PipelineMetrics;
import io.linkwatch.streams.signal.EventRef;
import io.linkwatch.streams.signal.Observation;
import io.linkwatch.streams.signal.SignalCatalog;
import io.linkwatch.streams.window.ViewLookup;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Per-device correlation of IoT Hub records (input {@code linkwatch.events.connections.v1}, key
 * {@code <hub>/<deviceId>}; no repartition: the input is keyed by device).
 *
 * <ul>
 *   <li>401003 then (usually) 404104 then a successful deviceConnect within the reconnect window:
 *       {@code TOKEN_RENEWAL}, benign, decided as soon as the reconnect is seen (in any arrival
 *       order).
 *   <li>A 401003 whose deadline (time + reconnect window) passes, plus grace, without that
 *       reconnect: {@code AUTH_FAILURE}, with seed 002's probable causes. Retries of a revoked
 *       device accumulate in one open incident, closed by a successful connect or by idleness.
 *   <li>404104 not preceded by a 401003 is a plain disconnect and goes to the per-hub outage
 *       detector; 409002/400027 are secondary; 500xxx and 429001-429005 go to the per-hub detector.
 *   <li>A device whose SDK predates native reprovisioning: {@code LEGACY_SDK} once per device.
 * </ul>
 */
final class ConnectionCorrelator extends Correlator<ConnectionEvent> {

  static final String STATE = "linkwatch-device-state";
  static final String TIMERS = "linkwatch-device-timers";
  static final String INCIDENTS = "linkwatch-incidents-devices";

  private static final int UNAUTHORIZED = 401003;
  private static final int CLOSED_REMOTELY = 404104;
  private static final long SKEW_MS = 1000;

  private KeyValueStore<String, byte[]> state;

  ConnectionCorrelator(
      StreamsSettings settings,
      ViewLookup lookup,
      PipelineMetrics metrics,
      org.apache.kafka.common.serialization.Serializer<io.linkwatch.avro.Incident> incidents) {
    super(settings, lookup, metrics, TIMERS, INCIDENTS, incidents);
  }

  @Override
  void initStores(ProcessorContext<String, Object> context) {
    state = context.getStateStore(STATE);
  }

  @Override
  void handle(Record<String, ConnectionEvent> record, long wm) {
    ConnectionEvent e = record.value();
    long t = e.getTime().toEpochMilli();
    Integer code = e.getResultCode();
    String hub = e.getHub();
    String device = e.getDeviceId();
    String sdkFamily = SdkVersions.family(e.getSdkVersion());
    EventRef ref =
        ref(
            e.getEventId(),
            t,
            e.getOperationName()
                + (code == null ? "" : " " + code)
                + (e.getResultDescription() == null ? "" : " " + e.getResultDescription()),
            code == null ? null : code.toString());
    String entity = hub + "/" + (device == null ? "-" : device);
    boolean connects = e.getOperation() == IotHubOperation.DEVICE_CONNECT;
    boolean success = code == null;
    boolean secondary = code != null && (code == 409002 || code == 400027);

    observeEvent(e, t, code, hub, device, sdkFamily, ref, entity, connects, success, secondary);

    if (device == null || !"Connections".equalsIgnoreCase(e.getCategory())) {
      return;
    }
    String key = record.key() == null ? entity : record.key();
    byte[] stored = state.get(key);
    DeviceState s = stored == null ? new DeviceState() : DeviceState.decode(stored);
    s.lastSeen = Math.max(s.lastSeen, t);
    Incidents.Subject who = Incidents.Subject.device(hub, device);

    if (code != null && code == UNAUTHORIZED) {
      DeviceState.addBounded(s.recent401, ref);
      DeviceState.Pending p =
          new DeviceState.Pending(ref, Dims.str(e.getProtocol()), sdkFamily, e.getAuthType());
      // The device failed again after an earlier 401003's reconnect window, without reconnecting
      // in between: the earlier one was no renewal (a renewing device reconnects within seconds
      // and renews again only an hour later). Decide it now instead of waiting for the grace.
      for (Iterator<DeviceState.Pending> it = s.pending.iterator(); it.hasNext(); ) {
        DeviceState.Pending q = it.next();
        if (q.ref().time() + settings.reconnectWindowMs() < t) {
          it.remove();
          authFailure(who, s, q, wm);
        }
      }
      EventRef reconnect = firstConnectAfter(s, t);
      if (reconnect != null) {
        renewal(who, s, List.of(p), reconnect);
      } else if (t + settings.reconnectWindowMs() + settings.correlationGraceMs() <= wm) {
        metrics.late("correlation", false);
        authFailure(who, s, p, wm);
      } else if (s.pending.size() < DeviceState.MAX_PENDING) {
        s.pending.add(p);
      } else {
        authFailure(who, s, s.pending.remove(0), wm);
        s.pending.add(p);
      }
    } else if (code != null && code == CLOSED_REMOTELY) {
      DeviceState.addBounded(s.recent404, ref);
      boolean plain = true;
      for (EventRef r : s.recent401) {
        if (r.time() >= t - settings.reconnectWindowMs() && r.time() <= t + SKEW_MS) {
          plain = false;
          break;
        }
      }
      if (plain) {
        scope(
            ScopeSignal.hubKey(hub),
            new ScopeSignal(ScopeSignal.Kind.PLAIN_DISCONNECT, hub, entity, t, ref));
      }
    } else if (connects && success) {
      DeviceState.addBounded(s.connects, ref);
      List<DeviceState.Pending> matched = new ArrayList<>();
      for (Iterator<DeviceState.Pending> it = s.pending.iterator(); it.hasNext(); ) {
        DeviceState.Pending p = it.next();
        long pt = p.ref().time();
        if (pt <= t && t <= pt + settings.reconnectWindowMs()) {
          matched.add(p);
          it.remove();
        }
      }
      if (!matched.isEmpty()) {
        renewal(who, s, matched, ref);
      }
      if (s.openAuth != null && t > s.openAuth.end) {
        closeAuth(who, s);
      }
      if (!s.legacyReported && SdkVersions.legacy(e.getSdkVersion(), null)) {
        s.legacyReported = true;
        legacy(who, e, ref, sdkFamily);
      }
    } else if (secondary) {
      s.lastSecondary = t;
      secondaryIncident(who, s, ref, code);
    }
    reschedule(key, s, wm);
  }

  private void observeEvent(
      ConnectionEvent e,
      long t,
      Integer code,
      String hub,
      String device,
      String sdkFamily,
      EventRef ref,
      String entity,
      boolean connects,
      boolean success,
      boolean secondary) {
    String protocol = Dims.str(e.getProtocol());
    if (connects && success) {
      observe(
          Observation.of(
              SignalCatalog.IOTHUB_CONNECTS,
              Dims.of(
                  "hub", hub,
                  "deviceId", device,
                  "protocol", protocol,
                  "authType", e.getAuthType(),
                  "sdkFamily", sdkFamily,
                  "sdkVersion", SdkVersions.version(e.getSdkVersion())),
              entity,
              t,
              ref));
      if (e.getSdkVersion() != null) {
        observe(
            Observation.of(
                SignalCatalog.DEVICES_SEEN,
                Dims.of("source", "iothub", "scope", hub, "sdkFamily", sdkFamily),
                entity,
                t,
                ref));
        if (SdkVersions.legacy(e.getSdkVersion(), null)) {
          observe(
              Observation.of(
                  SignalCatalog.DEVICES_LEGACY_SDK,
                  Dims.of(
                      "source",
                      "iothub",
                      "scope",
                      hub,
                      "sdkFamily",
                      sdkFamily,
                      "sdkVersion",
                      SdkVersions.version(e.getSdkVersion())),
                  entity,
                  t,
                  ref));
        }
      }
    }
    if (code == null) {
      if (e.getOperation() == IotHubOperation.DEVICE_DISCONNECT) {
        observe(disconnect(hub, device, "", "", protocol, entity, t, ref));
      }
      return;
    }
    String codeText = code.toString();
    observe(
        Observation.of(
            SignalCatalog.IOTHUB_ERRORS,
            Dims.of(
                "hub", hub,
                "deviceId", device,
                "category", e.getCategory(),
                "operationName", e.getOperationName(),
                "resultCode", codeText),
            entity,
            t,
            ref));
    int family = code / 1000;
    if (family == 500 || family == 503) {
      observe(
          Observation.of(
              SignalCatalog.IOTHUB_SERVER_ERRORS,
              Dims.of(
                  "hub", hub,
                  "deviceId", device,
                  "category", e.getCategory(),
                  "resultCode", codeText),
              entity,
              t,
              ref));
      scope(
          ScopeSignal.hubKey(hub),
          new ScopeSignal(ScopeSignal.Kind.SERVER_ERROR, hub, entity, t, ref));
    }
    if (code >= 429001 && code <= 429005) {
      observe(
          Observation.of(
              SignalCatalog.IOTHUB_THROTTLING,
              Dims.of(
                  "hub", hub,
                  "deviceId", device,
                  "category", e.getCategory(),
                  "operationName", e.getOperationName(),
                  "resultCode", codeText),
              entity,
              t,
              ref));
      scope(
          ScopeSignal.hubKey(hub), new ScopeSignal(ScopeSignal.Kind.THROTTLE, hub, entity, t, ref));
    }
    if (secondary) {
      observe(
          Observation.of(
              SignalCatalog.IOTHUB_SECONDARY_DISCONNECTS,
              Dims.of("hub", hub, "deviceId", device, "resultCode", codeText),
              entity,
              t,
              ref));
    } else if ("Connections".equalsIgnoreCase(e.getCategory())
        && e.getOperation() != IotHubOperation.OTHER) {
      observe(
          disconnect(hub, device, codeText, e.getResultDescription(), protocol, entity, t, ref));
    }
  }

  private static Observation disconnect(
      String hub,
      String device,
      String code,
      String description,
      String protocol,
      String entity,
      long t,
      EventRef ref) {
    return Observation.of(
        SignalCatalog.IOTHUB_DISCONNECTS,
        Dims.of(
            "hub", hub,
            "deviceId", device,
            "resultCode", code,
            "resultDescription", description,
            "protocol", protocol),
        entity,
        t,
        ref);
  }

  private EventRef firstConnectAfter(DeviceState s, long t) {
    for (EventRef c : s.connects) {
      if (c.time() >= t && c.time() <= t + settings.reconnectWindowMs()) {
        return c;
      }
    }
    return null;
  }

  private void renewal(
      Incidents.Subject who, DeviceState s, List<DeviceState.Pending> matched, EventRef reconnect) {
    long start = Long.MAX_VALUE;
    for (DeviceState.Pending p : matched) {
      start = Math.min(start, p.ref().time());
    }
    List<EventRef> evidence = new ArrayList<>();
    matched.forEach(p -> evidence.add(p.ref()));
    for (EventRef d : s.recent404) {
      if (d.time() >= start - SKEW_MS && d.time() <= reconnect.time()) {
        evidence.add(d);
      }
    }
    evidence.add(reconnect);
    evidence.sort(java.util.Comparator.comparingLong(EventRef::time));
    DeviceState.Pending first = matched.get(0);
    String id =
        Incidents.id(IncidentKind.TOKEN_RENEWAL.name(), who.subject(), first.ref().eventId());
    long seconds = (reconnect.time() - start) / 1000;
    Map<String, String> dims =
        Dims.of("protocol", first.protocol(), "sdkFamily", first.sdkFamily());
    Incident incident =
        Incidents.build(
            IncidentKind.TOKEN_RENEWAL,
            true,
            0,
            id,
            who,
            start,
            reconnect.time(),
            "SAS token renewal: 401003 then "
                + (evidence.size() > matched.size() + 1 ? "404104 then " : "")
                + "reconnect after "
                + seconds
                + " s",
            List.of("SAS token expired and was renewed by the device SDK"),
            Hints.TOKEN_RENEWAL,
            dims,
            evidence.size(),
            bounded(evidence));
    emit(incident);
    observe(
        new Observation(
            SignalCatalog.IOTHUB_TOKEN_RENEWALS,
            Dims.of(
                "hub", who.hub(),
                "deviceId", who.deviceId(),
                "protocol", first.protocol(),
                "sdkFamily", first.sdkFamily()),
            1.0,
            who.subject(),
            reconnect.time(),
            first.ref(),
            id));
  }

  private void authFailure(Incidents.Subject who, DeviceState s, DeviceState.Pending p, long wm) {
    long t = p.ref().time();
    List<EventRef> evidence = new ArrayList<>();
    evidence.add(p.ref());
    for (EventRef d : s.recent404) {
      if (d.time() >= t - SKEW_MS && d.time() <= t + settings.reconnectWindowMs()) {
        evidence.add(d);
      }
    }
    boolean opened = s.openAuth == null;
    if (opened) {
      OpenIncident o = new OpenIncident();
      o.incidentId =
          Incidents.id(IncidentKind.AUTH_FAILURE.name(), who.subject(), p.ref().eventId());
      o.kind = IncidentKind.AUTH_FAILURE.name();
      o.start = t;
      o.end = t;
      o.dimensions.putAll(
          Dims.of(
              "protocol", p.protocol(),
              "sdkFamily", p.sdkFamily(),
              "authType", p.authType()));
      s.openAuth = o;
    }
    for (EventRef r : evidence) {
      s.openAuth.add(r, settings.evidenceMax());
    }
    s.openAuth.touched = Math.max(s.openAuth.touched, wm);
    if (opened) {
      s.openAuth.emittedCount = s.openAuth.eventCount;
      emit(authIncident(who, s.openAuth, p.authType()));
    }
    observe(
        new Observation(
            SignalCatalog.IOTHUB_AUTH_FAILURES,
            Dims.of(
                "hub", who.hub(),
                "deviceId", who.deviceId(),
                "protocol", p.protocol(),
                "sdkFamily", p.sdkFamily(),
                "authType", p.authType()),
            1.0,
            who.subject(),
            // the verdict's time: the watermark that decided it (deterministic for an input
            // order), so that the observation is not late for windows already closed by then
            Math.max(t + settings.reconnectWindowMs(), wm),
            p.ref(),
            s.openAuth.incidentId));
  }

  private Incident authIncident(Incidents.Subject who, OpenIncident o, String authType) {
    int attempts = 0;
    for (EventRef r : o.evidence) {
      if ("401003".equals(r.code())) {
        attempts++;
      }
    }
    return Incidents.build(
        IncidentKind.AUTH_FAILURE,
        false,
        o.revision,
        o.incidentId,
        who,
        o.start,
        o.end,
        "Authentication failure: 401003 IoTHubUnauthorized without reconnect within "
            + settings.reconnectWindowMs() / 1000
            + " s ("
            + Math.max(attempts, 1)
            + (o.eventCount > o.evidence.size() ? "+" : "")
            + " failed attempt(s), "
            + o.eventCount
            + " event(s))",
        Hints.authFailureCauses(authType),
        Hints.AUTH_FAILURE,
        o.dimensions,
        o.eventCount,
        o.evidence);
  }

  private void closeAuth(Incidents.Subject who, DeviceState s) {
    OpenIncident o = s.openAuth;
    s.openAuth = null;
    if (o.eventCount > o.emittedCount) {
      o.revision++;
      o.emittedCount = o.eventCount;
      emit(authIncident(who, o, o.dimensions.get("authType")));
    }
  }

  private void legacy(Incidents.Subject who, ConnectionEvent e, EventRef ref, String sdkFamily) {
    String id = Incidents.id(IncidentKind.LEGACY_SDK.name(), who.subject(), ref.eventId());
    emit(
        Incidents.build(
            IncidentKind.LEGACY_SDK,
            false,
            0,
            id,
            who,
            ref.time(),
            ref.time(),
            "Device SDK " + e.getSdkVersion() + " predates native DPS reprovisioning",
            List.of("SDK version predates native reprovisioning support (seed 003 table)"),
            Hints.LEGACY_SDK,
            Dims.of(
                "source",
                "iothub",
                "sdkFamily",
                sdkFamily,
                "sdkVersion",
                SdkVersions.version(e.getSdkVersion())),
            1,
            List.of(ref)));
  }

  private void secondaryIncident(Incidents.Subject who, DeviceState s, EventRef ref, Integer code) {
    List<EventRef> evidence = new ArrayList<>();
    EventRef primary = null;
    for (EventRef d : s.recent404) {
      if (d.time() <= ref.time() && d.time() >= ref.time() - settings.reconnectWindowMs()) {
        primary = d;
      }
    }
    if (primary != null) {
      evidence.add(primary);
    }
    evidence.add(ref);
    String id =
        Incidents.id(IncidentKind.SECONDARY_DISCONNECT.name(), who.subject(), ref.eventId());
    emit(
        Incidents.build(
            IncidentKind.SECONDARY_DISCONNECT,
            true,
            0,
            id,
            who,
            evidence.get(0).time(),
            ref.time(),
            code
                + (primary != null
                    ? " secondary to the 404104 disconnect "
                        + (ref.time() - primary.time()) / 1000
                        + " s earlier"
                    : " secondary: a second client or a leftover link with the same identity"),
            List.of(
                primary != null
                    ? "side effect of the preceding disconnect"
                    : "another client connected with the same device identity"),
            Hints.SECONDARY,
            Dims.of("resultCode", code.toString()),
            evidence.size(),
            evidence));
  }

  private List<EventRef> bounded(List<EventRef> evidence) {
    return evidence.size() <= settings.evidenceMax()
        ? evidence
        : evidence.subList(0, settings.evidenceMax());
  }

  @Override
  void onTimer(String key, long dueAt, long wm) {
    byte[] stored = state.get(key);
    if (stored == null) {
      return;
    }
    DeviceState s = DeviceState.decode(stored);
    if (s.timerAt != dueAt) {
      return;
    }
    s.timerAt = 0;
    int slash = key.indexOf('/');
    Incidents.Subject who =
        Incidents.Subject.device(key.substring(0, Math.max(0, slash)), key.substring(slash + 1));
    for (Iterator<DeviceState.Pending> it = s.pending.iterator(); it.hasNext(); ) {
      DeviceState.Pending p = it.next();
      if (p.ref().time() + settings.reconnectWindowMs() + settings.correlationGraceMs() <= wm) {
        it.remove();
        authFailure(who, s, p, wm);
      }
    }
    if (s.openAuth != null && idleSince(s.openAuth) + settings.incidentIdleMs() <= wm) {
      closeAuth(who, s);
    }
    if (s.idle() && s.lastSeen + settings.deviceStateTtlMs() <= wm) {
      state.delete(key);
      return;
    }
    reschedule(key, s, wm);
  }

  /** An open incident is idle from its last evidence or verdict, whichever is later. */
  private static long idleSince(OpenIncident o) {
    return Math.max(o.end, o.touched);
  }

  private void reschedule(String key, DeviceState s, long wm) {
    s.prune(wm - 2 * settings.reconnectWindowMs() - settings.correlationGraceMs());
    long due = s.lastSeen + settings.deviceStateTtlMs();
    for (DeviceState.Pending p : s.pending) {
      due =
          Math.min(
              due, p.ref().time() + settings.reconnectWindowMs() + settings.correlationGraceMs());
    }
    if (s.openAuth != null) {
      due = Math.min(due, idleSince(s.openAuth) + settings.incidentIdleMs());
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
