package io.linkwatch.ingest.parse;

import io.linkwatch.avro.AgentEvent;
import io.linkwatch.avro.ConnectionEvent;
import io.linkwatch.avro.DeadLetter;
import io.linkwatch.avro.ProvisioningEvent;

/**
 * Receives what the parsers make of a unit of input: typed events with their keys (DESIGN.md
 * "Topics"), and dead letters keyed by source name. Every record of the input ends up in exactly
 * one call.
 */
public interface ParseOutput {

  /** An IoT Hub record, key {@code <hub>/<deviceId>} or {@code <hub>/-}. */
  void connection(String key, ConnectionEvent event);

  /** A DPS record, key {@code <dpsInstance>/<registrationId>} or {@code <dpsInstance>/-}. */
  void provisioning(String key, ProvisioningEvent event);

  /** An Arc agent log line, key {@code <machine>}. */
  void agent(String key, AgentEvent event);

  /** Input that could not be turned into an event, key = source name. */
  void deadLetter(String key, DeadLetter deadLetter);
}
