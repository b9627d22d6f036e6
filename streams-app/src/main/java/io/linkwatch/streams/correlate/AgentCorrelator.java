package io.linkwatch.streams.correlate;

import io.linkwatch.avro.AgentCause;
import io.linkwatch.avro.AgentEvent;
import io.linkwatch.avro.Incident;
import io.linkwatch.avro.IncidentKind;
import io.linkwatch.avro.Level;
import io.linkwatch.streams.codec.BinaryReader;
import io.linkwatch.streams.codec.BinaryWriter;
import io.linkwatch.streams.config.StreamsSettings;
import io.linkwatch.streams.metrics.PipelineMetrics;
import io.linkwatch.streams.signal.EventRef;
import io.linkwatch.streams.signal.Observation;
import io.linkwatch.streams.signal.SignalCatalog;
import io.linkwatch.streams.window.ViewLookup;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Arc agent connection failures (input {@code linkwatch.events.agent.v1}, key machine): each line
 * the ingest classified with a known cause (seed 004), or an unclassified error line, is an
 * observation of {@code arc.connection_failures}; the failures of one machine and cause form one
 * open {@code AGENT_CONNECTION_FAILURE} incident, closed after the idle time.
 */
final class AgentCorrelator extends Correlator<AgentEvent> {

  static final String STATE = "linkwatch-machine-state";
  static final String TIMERS = "linkwatch-machine-timers";
  static final String INCIDENTS = "linkwatch-incidents-machines";

  private KeyValueStore<String, byte[]> state;

  AgentCorrelator(
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

  static boolean isFailure(AgentEvent a) {
    AgentCause cause = a.getCause();
    if (cause == null || cause == AgentCause.NONE) {
      return false;
    }
    if (cause == AgentCause.UNCLASSIFIED) {
      return a.getLevel() == Level.ERROR || a.getLevel() == Level.CRITICAL;
    }
    return true;
  }

  @Override
  void handle(Record<String, AgentEvent> record, long wm) {
    AgentEvent a = record.value();
    if (!isFailure(a)) {
      return;
    }
    long t = a.getTime().toEpochMilli();
    String machine = a.getMachine();
    String cause = a.getCause().name();
    String message = a.getMessage() == null ? "" : a.getMessage();
    EventRef ref =
        ref(
            a.getEventId(),
            t,
            cause + ": " + (message.length() > 160 ? message.substring(0, 160) + "..." : message),
            a.getErrorCode());
    observe(
        Observation.of(
            SignalCatalog.ARC_CONNECTION_FAILURES,
            Dims.of("machine", machine, "cause", cause, "endpoint", a.getEndpoint()),
            machine,
            t,
            ref));
    String key = record.key() == null ? machine : record.key();
    byte[] stored = state.get(key);
    MachineState s = stored == null ? new MachineState() : MachineState.decode(stored);
    Incidents.Subject who = Incidents.Subject.machine(machine);
    OpenIncident o = s.open.get(cause);
    if (o == null) {
      o = new OpenIncident();
      o.incidentId =
          Incidents.id(IncidentKind.AGENT_CONNECTION_FAILURE.name(), machine, ref.eventId());
      o.kind = IncidentKind.AGENT_CONNECTION_FAILURE.name();
      o.start = t;
      o.end = t;
      o.dimensions.putAll(
          Dims.of(
              "cause", cause,
              "endpoint", a.getEndpoint(),
              "errorCode", a.getErrorCode(),
              "agentVersion", a.getAgentVersion()));
      o.add(ref, settings.evidenceMax());
      o.emittedCount = o.eventCount;
      s.open.put(cause, o);
      emit(incident(who, o, a.getCauseDescription(), a.getSolution()));
    } else {
      o.add(ref, settings.evidenceMax());
    }
    if (a.getCauseDescription() != null) {
      s.descriptions.put(cause, a.getCauseDescription() + "\n" + Dims.str(a.getSolution()));
    }
    reschedule(key, s);
  }

  private Incident incident(
      Incidents.Subject who, OpenIncident o, String description, String solution) {
    String cause = o.dimensions.get("cause");
    var hint = Hints.agent(description, solution, cause);
    return Incidents.build(
        IncidentKind.AGENT_CONNECTION_FAILURE,
        false,
        o.revision,
        o.incidentId,
        who,
        o.start,
        o.end,
        "Arc agent cannot connect: "
            + cause.toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
            + (o.dimensions.getOrDefault("endpoint", "").isEmpty()
                ? ""
                : " (" + o.dimensions.get("endpoint") + ")")
            + ", "
            + o.eventCount
            + " line(s)",
        List.of(hint.getProbableCause()),
        hint,
        o.dimensions,
        o.eventCount,
        o.evidence);
  }

  @Override
  void onTimer(String key, long dueAt, long wm) {
    byte[] stored = state.get(key);
    if (stored == null) {
      return;
    }
    MachineState s = MachineState.decode(stored);
    if (s.timerAt != dueAt) {
      return;
    }
    s.timerAt = 0;
    Incidents.Subject who = Incidents.Subject.machine(key);
    for (var it = s.open.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      OpenIncident o = e.getValue();
      if (o.end + settings.incidentIdleMs() <= wm) {
        it.remove();
        if (o.eventCount > o.emittedCount) {
          o.revision++;
          String[] d = s.descriptions.getOrDefault(e.getKey(), "").split("\n", 2);
          emit(
              incident(
                  who,
                  o,
                  d.length == 2 && !d[0].isEmpty() ? d[0] : null,
                  d.length == 2 && !d[1].isEmpty() ? d[1] : null));
        }
        s.descriptions.remove(e.getKey());
      }
    }
    if (s.open.isEmpty()) {
      state.delete(key);
      return;
    }
    reschedule(key, s);
  }

  private void reschedule(String key, MachineState s) {
    long due = Long.MAX_VALUE;
    for (OpenIncident o : s.open.values()) {
      due = Math.min(due, o.end + settings.incidentIdleMs());
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

  /** Open incidents of one machine, by cause. */
  static final class MachineState {
    final Map<String, OpenIncident> open = new TreeMap<>();
    final Map<String, String> descriptions = new TreeMap<>();
    long timerAt;

    byte[] encode() {
      BinaryWriter w = new BinaryWriter(256);
      w.writeByte(1).writeVarInt(open.size());
      open.forEach(
          (k, v) -> {
            w.writeString(k);
            v.write(w);
          });
      w.writeVarInt(descriptions.size());
      descriptions.forEach((k, v) -> w.writeString(k).writeString(v));
      w.writeVarLong(timerAt);
      return w.toByteArray();
    }

    static MachineState decode(byte[] b) {
      BinaryReader r = new BinaryReader(b);
      if (r.readByte() != 1) {
        throw new IllegalStateException("unknown machine state version");
      }
      MachineState s = new MachineState();
      int n = r.readVarInt();
      for (int i = 0; i < n; i++) {
        s.open.put(r.readString(), OpenIncident.read(r));
      }
      n = r.readVarInt();
      for (int i = 0; i < n; i++) {
        s.descriptions.put(r.readString(), r.readString());
      }
      s.timerAt = r.readVarLong();
      return s;
    }
  }
}
