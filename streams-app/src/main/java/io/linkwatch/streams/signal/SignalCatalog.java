package io.linkwatch.streams.signal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every signal the topology computes. Rules name one of these ({@code linkwatch rules signals}
 * prints them), and the aggregates topic carries each of them per its dimensions.
 */
public final class SignalCatalog {

  public static final String IOTHUB_CONNECTS = "iothub.connects";
  public static final String IOTHUB_DISCONNECTS = "iothub.disconnects";
  public static final String IOTHUB_SECONDARY_DISCONNECTS = "iothub.secondary_disconnects";
  public static final String IOTHUB_ERRORS = "iothub.errors";
  public static final String IOTHUB_SERVER_ERRORS = "iothub.server_errors";
  public static final String IOTHUB_THROTTLING = "iothub.throttling";
  public static final String IOTHUB_TOKEN_RENEWALS = "iothub.token_renewals";
  public static final String IOTHUB_AUTH_FAILURES = "iothub.auth_failures";
  public static final String IOTHUB_OUTAGES = "iothub.outages";
  public static final String DPS_ATTESTATION_ATTEMPTS = "dps.attestation_attempts";
  public static final String DPS_ATTESTATION_FAILURES = "dps.attestation_failures";
  public static final String DPS_REGISTRATION_ATTEMPTS = "dps.registration_attempts";
  public static final String DPS_ASSIGNMENTS = "dps.assignments";
  public static final String DPS_THROTTLING = "dps.throttling";
  public static final String DPS_SERVICE_ERRORS = "dps.service_errors";
  public static final String DPS_REPROVISIONS = "dps.reprovisions";
  public static final String DPS_ASSIGNMENT_FLAPS = "dps.assignment_flaps";
  public static final String DEVICES_SEEN = "devices.seen";
  public static final String DEVICES_LEGACY_SDK = "devices.legacy_sdk";
  public static final String ARC_CONNECTION_FAILURES = "arc.connection_failures";

  private static final String DEVICE = "device";
  private static final String REGISTRATION = "registration";
  private static final String MACHINE = "machine";
  private static final String COUNT = "count";

  private static final Map<String, Signal> SIGNALS = new LinkedHashMap<>();

  static {
    add(
        IOTHUB_CONNECTS,
        "a successful deviceConnect",
        DEVICE,
        List.of("hub", "deviceId", "protocol", "authType", "sdkFamily", "sdkVersion"),
        "ConnectionEvent (Connections, deviceConnect, no error)");
    add(
        IOTHUB_DISCONNECTS,
        "a deviceDisconnect or failed deviceConnect that is not secondary to another error",
        DEVICE,
        List.of("hub", "deviceId", "resultCode", "resultDescription", "protocol"),
        "ConnectionEvent (Connections)");
    add(
        IOTHUB_SECONDARY_DISCONNECTS,
        "409002 LinkCreationConflict or 400027 ConnectionForcefullyClosedOnNewConnection: a side"
            + " effect of an earlier error or of a duplicate client, not a problem of its own",
        DEVICE,
        List.of("hub", "deviceId", "resultCode"),
        "ConnectionEvent (Connections)");
    add(
        IOTHUB_ERRORS,
        "any IoT Hub record with an error code, in any category",
        DEVICE,
        List.of("hub", "deviceId", "category", "operationName", "resultCode"),
        "ConnectionEvent (all categories)");
    add(
        IOTHUB_SERVER_ERRORS,
        "a 500xxx/503xxx service-side error (ServerError, GenericTimeout, PartitionNotFound)",
        DEVICE,
        List.of("hub", "deviceId", "category", "resultCode"),
        "ConnectionEvent (all categories)");
    add(
        IOTHUB_THROTTLING,
        "a 429001-429005 throttling error, in any category",
        DEVICE,
        List.of("hub", "deviceId", "category", "operationName", "resultCode"),
        "ConnectionEvent (all categories)");
    add(
        IOTHUB_TOKEN_RENEWALS,
        "a SAS token renewal: 401003 then 404104 then a successful reconnect (benign)",
        DEVICE,
        List.of("hub", "deviceId", "protocol", "sdkFamily"),
        "Incident TOKEN_RENEWAL");
    add(
        IOTHUB_AUTH_FAILURES,
        "a failed authentication attempt: a 401003 without the reconnect of a token renewal (one"
            + " observation per attempt, at the watermark of the verdict; the attempts of one"
            + " device form one AUTH_FAILURE incident)",
        DEVICE,
        List.of("hub", "deviceId", "protocol", "sdkFamily", "authType"),
        "Incident AUTH_FAILURE");
    add(
        IOTHUB_OUTAGES,
        "a hub-wide outage signature: many devices disconnected with 404104 together with 500xxx",
        DEVICE,
        List.of("hub"),
        "Incident HUB_OUTAGE");
    add(
        DPS_ATTESTATION_ATTEMPTS,
        "a device attestation attempt (DeviceOperations AttestationAttempt), any outcome",
        REGISTRATION,
        List.of(
            "dpsInstance",
            "enrollment",
            "registrationId",
            "attestationMechanism",
            "callerIp",
            "result",
            "httpStatus",
            "protocol"),
        "ProvisioningEvent (DeviceOperations)");
    add(
        DPS_ATTESTATION_FAILURES,
        "a failed device attestation attempt",
        REGISTRATION,
        List.of(
            "dpsInstance",
            "enrollment",
            "registrationId",
            "attestationMechanism",
            "callerIp",
            "result",
            "httpStatus",
            "errorCode",
            "protocol"),
        "ProvisioningEvent (DeviceOperations)");
    add(
        DPS_REGISTRATION_ATTEMPTS,
        "a registration attempt after a successful attestation, any outcome",
        REGISTRATION,
        List.of("dpsInstance", "enrollment", "registrationId", "hub", "result", "httpStatus"),
        "ProvisioningEvent (DeviceOperations)");
    add(
        DPS_ASSIGNMENTS,
        "a device assigned to an IoT hub",
        REGISTRATION,
        List.of("dpsInstance", "enrollment", "registrationId", "hub"),
        "ProvisioningEvent (DeviceOperations)");
    add(
        DPS_THROTTLING,
        "a DPS operation rejected with 429 (device or service operation)",
        REGISTRATION,
        List.of("dpsInstance", "category", "operationName"),
        "ProvisioningEvent (all categories)");
    add(
        DPS_SERVICE_ERRORS,
        "a ServiceOperations call that failed with 4xx/5xx (412 is an ETag conflict)",
        REGISTRATION,
        List.of("dpsInstance", "operationName", "httpStatus"),
        "ProvisioningEvent (ServiceOperations)");
    add(
        DPS_REPROVISIONS,
        "a device assigned to a different hub than its previous assignment",
        REGISTRATION,
        List.of("dpsInstance", "registrationId", "fromHub", "toHub"),
        "Incident REPROVISIONED");
    add(
        DPS_ASSIGNMENT_FLAPS,
        "a device whose assignment moves back and forth between hubs",
        REGISTRATION,
        List.of("dpsInstance", "registrationId"),
        "Incident ASSIGNMENT_FLAPPING");
    add(
        DEVICES_SEEN,
        "a device seen with an SDK or API version (one observation per connect or registration)",
        DEVICE,
        List.of("source", "scope", "sdkFamily"),
        "ConnectionEvent deviceConnect, ProvisioningEvent registration");
    add(
        DEVICES_LEGACY_SDK,
        "a device on an SDK or API version that predates native DPS reprovisioning, so it keeps the"
            + " legacy assignment behaviour",
        DEVICE,
        List.of("source", "scope", "sdkFamily", "sdkVersion"),
        "Incident LEGACY_SDK");
    add(
        ARC_CONNECTION_FAILURES,
        "an Arc agent connection error classified by cause",
        MACHINE,
        List.of("machine", "cause", "endpoint"),
        "AgentEvent");
  }

  private SignalCatalog() {}

  private static void add(
      String name, String description, String entity, List<String> dimensions, String source) {
    SIGNALS.put(name, new Signal(name, description, COUNT, entity, dimensions, source));
  }

  /** All signals, in catalog order. */
  public static List<Signal> all() {
    return List.copyOf(SIGNALS.values());
  }

  public static Optional<Signal> find(String name) {
    return Optional.ofNullable(SIGNALS.get(name));
  }
}
