package io.linkwatch.streams.signal;

import java.util.Map;

/**
 * One observation of a signal, produced by the correlators from an event or an incident: the
 * signal, the dimension values it carries, the observed value (1 for an occurrence), the entity
 * that distinct counts count (device, registration, machine), its event time and the input event
 * behind it. The window engine fans each observation out to the views that name its signal.
 *
 * @param incidentId the incident behind an incident-derived observation, else {@code null}
 */
public record Observation(
    String signal,
    Map<String, String> dimensions,
    double value,
    String entity,
    long time,
    EventRef evidence,
    String incidentId) {

  public static Observation of(
      String signal, Map<String, String> dimensions, String entity, long time, EventRef ref) {
    return new Observation(signal, dimensions, 1.0, entity, time, ref, null);
  }
}
