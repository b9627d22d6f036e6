package io.linkwatch.streams.signal;

import java.util.List;
import java.util.Objects;

/**
 * A signal the topology computes from the events and the incidents: a stream of observations, each
 * with a value (1 for a plain occurrence), the dimensions it can be split by, and the entity
 * (device, registration, machine) that distinct counts count.
 *
 * @param name dotted name used in rules and aggregates, e.g. {@code iothub.disconnects}
 * @param description what one observation means, for a person
 * @param unit unit of the observed value
 * @param entity what {@code DISTINCT_DEVICES} counts for this signal
 * @param dimensions the dimensions an observation carries, usable in {@code splitBy} and filters
 * @param source the events or incidents the signal is derived from
 */
public record Signal(
    String name,
    String description,
    String unit,
    String entity,
    List<String> dimensions,
    String source) {

  public Signal {
    Objects.requireNonNull(name, "name");
    dimensions = List.copyOf(dimensions);
  }
}
