package io.linkwatch.ingest.sim;

import io.linkwatch.avro.IncidentKind;
import java.util.Locale;

/**
 * The incidents the simulator can inject, each switchable ({@code --scenario}, {@code
 * --no-scenario}), each placed at a fixed fraction of the run so that a run of a few simulated
 * hours shows every one of them. The ground truth names them by {@link #id()}.
 */
public enum Scenario {
  TOKEN_RENEWAL(
      IncidentKind.TOKEN_RENEWAL,
      0.0,
      "hourly SAS renewals of the healthy fleet: 401003, 404104, reconnect within 60 s (MQTT"
          + " devices of the .NET, Java and Python SDKs)"),
  REVOKED_CREDENTIALS(
      IncidentKind.AUTH_FAILURE,
      0.20,
      "a device whose credentials were revoked: 401003 without reconnect, then failing retries"),
  HUB_OUTAGE(
      IncidentKind.HUB_OUTAGE,
      0.30,
      "a hub-side incident: most devices of one hub disconnected with 404104 within a minute,"
          + " reconnects failing with 500001/500008 for minutes, then recovery"),
  BAD_CERTIFICATE(
      IncidentKind.ATTESTATION_FAILURE,
      0.40,
      "an X.509 enrollment group with a bad certificate: its devices reboot and fail"
          + " attestation (401, errorCode 401002) until the end of the scenario"),
  REPROVISIONING(
      IncidentKind.REPROVISIONED,
      0.50,
      "a few devices reprovisioned to another hub (a move: benign)"),
  SECONDARY_ERRORS(
      IncidentKind.SECONDARY_DISCONNECT,
      0.55,
      "409002 LinkCreationConflict after a 404104, and a duplicate client closed with 400027"),
  IOTHUB_THROTTLING(
      IncidentKind.THROTTLED,
      0.60,
      "429001 ThrottlingException on DeviceTelemetry ingress across one hub for minutes"),
  MASS_REBOOT(
      IncidentKind.THROTTLED,
      0.65,
      "a mass reboot behind one DPS: registrations beyond its rate get 429 and retry with"
          + " backoff until every device is assigned again"),
  ASSIGNMENT_FLAPPING(
      IncidentKind.ASSIGNMENT_FLAPPING,
      0.70,
      "a device whose hub assignment flaps between two hubs (with each move a REPROVISIONED)"),
  LEGACY_SDK(
      IncidentKind.LEGACY_SDK,
      0.0,
      "devices whose provisioning and device SDKs predate native reprovisioning (seed 003"
          + " table: C <= 1.2.8, Python <= 1.4.2, Node <= 1.7.3, Java <= 1.13.0, .NET <= 1.1.0,"
          + " REST API <= 2018-04-01)"),
  ARC_PROXY(
      IncidentKind.AGENT_CONNECTION_FAILURE,
      0.25,
      "Arc agents behind a proxy that blocks login.windows.net and management.azure.com"),
  ARC_BAD_SECRET(
      IncidentKind.AGENT_CONNECTION_FAILURE,
      0.45,
      "an Arc agent onboarded with an invalid service principal secret");

  private final IncidentKind kind;
  private final double at;
  private final String description;

  Scenario(IncidentKind kind, double at, String description) {
    this.kind = kind;
    this.at = at;
    this.description = description;
  }

  /** The name used on the command line and in the ground truth, e.g. {@code hub-outage}. */
  public String id() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** The incident kind the scenario injects (the main one). */
  public IncidentKind kind() {
    return kind;
  }

  /** When it starts, as a fraction of the run. */
  public double at() {
    return at;
  }

  public String description() {
    return description;
  }

  /** The scenario named {@code id} ({@code hub-outage} or {@code HUB_OUTAGE}). */
  public static Scenario of(String id) {
    String n = id.strip().toUpperCase(Locale.ROOT).replace('-', '_');
    for (Scenario s : values()) {
      if (s.name().equals(n)) {
        return s;
      }
    }
    StringBuilder known = new StringBuilder();
    for (Scenario s : values()) {
      known.append(known.isEmpty() ? "" : ", ").append(s.id());
    }
    throw new IllegalArgumentException("no scenario '" + id + "' (known: " + known + ")");
  }
}
