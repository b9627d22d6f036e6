package io.linkwatch.streams.correlate;

import io.linkwatch.avro.Hint;
import java.util.ArrayList;
import java.util.List;

/**
 * Probable causes and solutions, written in English from the Azure troubleshooting pages the
 * product is built from (seeds 000/001 DPS, 002 401003 IoTHubUnauthorized, 003 reprovisioning, 004
 * Arc agent), and from the IoT Hub error-code reference.
 */
final class Hints {

  private static final String IOTHUB_CODES =
      "https://learn.microsoft.com/azure/iot-hub/troubleshoot-error-codes";
  private static final String DPS_TROUBLESHOOT =
      "https://learn.microsoft.com/azure/iot-dps/how-to-troubleshoot-dps";
  private static final String DPS_REPROVISION =
      "https://learn.microsoft.com/azure/iot-dps/concepts-device-reprovision";

  private Hints() {}

  static final Hint TOKEN_RENEWAL =
      hint(
          "The device's SAS token expired: with MQTT some SDKs let IoT Hub disconnect them (401003"
              + " IoTHubUnauthorized, then 404104 DeviceConnectionClosedRemotely) to learn that"
              + " they must renew it, then reconnect with a new token.",
          "No action is needed when the device uses an Azure IoT SDK with a connection string: the"
              + " SDK generates a new token and reconnects. If the volume of these errors is a"
              + " problem, use the C SDK, which renews the token before it expires, or AMQP, which"
              + " renews it without disconnecting.",
          IOTHUB_CODES + "#401003-iothubunauthorized");

  static final Hint AUTH_FAILURE =
      hint(
          "IoT Hub could not authenticate the device (401003 IoTHubUnauthorized) and the device did"
              + " not reconnect, so this is not a token renewal: the authorization header, rule or"
              + " key was rejected.",
          "Check that the SAS token or other security token has not expired; for X.509, that the"
              + " device certificate and its CA certificate have not expired and that the device"
              + " certificate's thumbprint is registered with the hub; that the credentials are well"
              + " formed for the protocol; that the authorization rule grants the operation; and"
              + " that the device clock is within 5 minutes of UTC. The error message of the"
              + " device's logs usually names the failing part.",
          IOTHUB_CODES + "#401003-iothubunauthorized");

  static List<String> authFailureCauses(String authType) {
    List<String> sas =
        List.of(
            "SAS token or other security token expired",
            "credentials not well formed for the protocol in use",
            "authorization rule without permission for the requested operation",
            "device clock drift of more than 5 minutes");
    List<String> x509 =
        List.of(
            "device certificate or its CA certificate expired",
            "device certificate thumbprint not registered with the IoT hub");
    List<String> out = new ArrayList<>();
    boolean isX509 =
        authType != null && authType.toLowerCase(java.util.Locale.ROOT).contains("x509");
    if (isX509) {
      out.addAll(x509);
      out.addAll(sas);
    } else {
      out.addAll(sas);
      out.addAll(x509);
    }
    return out;
  }

  static final Hint HUB_OUTAGE =
      hint(
          "Many devices of the hub were disconnected (404104 DeviceConnectionClosedRemotely) together"
              + " with service-side errors (500xxx ServerError/GenericTimeout): a transient issue of"
              + " the IoT hub itself rather than of the devices.",
          "Check Azure Service Health and the hub's connected-devices metric; devices retry with"
              + " back-off. Mind the hub's connection throttle when the whole fleet reconnects at"
              + " once (100,000 devices on one S1 unit need at least 1,000 s).",
          IOTHUB_CODES + "#404104-deviceconnectionclosedremotely");

  static final Hint SECONDARY =
      hint(
          "409002 LinkCreationConflict and 400027 ConnectionForcefullyClosedOnNewConnection are"
              + " side effects: an earlier disconnect left a link open, or a second client connected"
              + " with the same identity.",
          "Look at the error that preceded it. If there is none, make sure only one client uses the"
              + " device identity at a time.",
          IOTHUB_CODES + "#409002-linkcreationconflict");

  static final Hint IOTHUB_THROTTLED =
      hint(
          "The hub's throttle (e.g. device-to-cloud sends, new connections) was exceeded for too"
              + " long: 429001 ThrottlingException and the 429002-429005 backlog errors.",
          "Back off and retry; spread device traffic over time, or scale the hub (more units or a"
              + " higher tier). Watch d2c.telemetry.ingress.sendThrottle.",
          IOTHUB_CODES + "#429001-throttlingexception");

  static final Hint DPS_THROTTLED =
      hint(
          "Device Provisioning Service operations are being throttled (429): the service allows"
              + " about 1,000 registrations and 1,000 operations per minute per instance.",
          "Retry with exponential back-off and random jitter, following the Retry-After header;"
              + " stagger mass reboots so that devices do not all register at once.",
          DPS_TROUBLESHOOT);

  static Hint attestation(Integer httpStatus) {
    int status = httpStatus == null ? 0 : httpStatus;
    return switch (status) {
      case 400 ->
          hint(
              "The request body is not valid: it cannot be parsed or the object cannot be"
                  + " validated (400).",
              "Check the registration payload the device sends.",
              DPS_TROUBLESHOOT);
      case 404 ->
          hint(
              "The DPS instance or a resource such as the enrollment does not exist (404).",
              "Check the ID scope and that the enrollment exists; re-register the device.",
              DPS_TROUBLESHOOT);
      case 412 ->
          hint(
              "The request's ETag does not match the existing resource's ETag (412, RFC 7232).",
              "Read the resource again and retry with its current ETag.",
              DPS_TROUBLESHOOT);
      case 429 -> DPS_THROTTLED;
      case 500, 502, 503 ->
          hint(
              "An internal error occurred in the Device Provisioning Service (5xx).",
              "Retry later with cached credentials or use the registration status lookup.",
              DPS_TROUBLESHOOT);
      default ->
          hint(
              "The device failed attestation: the authorization token cannot be validated, for"
                  + " example it has expired or does not apply to the request URI (401); also"
                  + " returned as part of the TPM attestation flow.",
              "Check the enrollment's attestation: for X.509, that the device certificate chains to"
                  + " a verified CA certificate of the enrollment group and has not expired; for"
                  + " symmetric keys, that the derived device key matches the enrollment key; then"
                  + " re-register the device.",
              DPS_TROUBLESHOOT);
    };
  }

  static final Hint REPROVISIONED =
      hint(
          "The Device Provisioning Service assigned the device to a different IoT hub than before"
              + " (geolocation, multi-tenancy, a solution change or quarantine).",
          "Expected when the enrollment's reprovisioning policy moves devices; the device's state"
              + " is migrated or reset to its initial configuration as the policy says.",
          DPS_REPROVISION);

  static final Hint FLAPPING =
      hint(
          "The device's hub assignment keeps moving between hubs: an allocation policy or custom"
              + " allocation function that does not settle, or a device that keeps re-provisioning.",
          "Check the enrollment's allocation policy and reprovisioning policy, and why the device"
              + " re-registers (reboot loop, repeated provisioning calls).",
          DPS_REPROVISION);

  static final Hint LEGACY_SDK =
      hint(
          "The device uses an SDK or REST API version that predates native reprovisioning support"
              + " (REST API 2018-04-01, C SDK 1.2.8, Python 1.4.2, Node 1.7.3, Java 1.13.0, .NET"
              + " 1.1.0 or earlier): without a reprovisioning policy on its enrollment it is always"
              + " re-assigned to the same hub.",
          "Update the device SDK, or configure a reprovisioning policy on the enrollment, which"
              + " takes precedence over the legacy behaviour.",
          DPS_REPROVISION);

  static Hint agent(String causeDescription, String solution, String cause) {
    if (causeDescription != null && solution != null) {
      return hint(
          causeDescription,
          solution,
          "https://learn.microsoft.com/azure/azure-arc/servers/troubleshoot-agent-onboard");
    }
    String c = cause == null ? "UNCLASSIFIED" : cause;
    return switch (c) {
      case "ENDPOINT_UNREACHABLE" ->
          agentHint(
              "The agent cannot reach the endpoint (e.g. login.windows.net).",
              "Check connectivity to the endpoint; run 'azcmagent check'.");
      case "PROXY_OR_FIREWALL_BLOCKED" ->
          agentHint(
              "A proxy or firewall blocks access to the endpoint (login.windows.net or"
                  + " management.azure.com).",
              "Make sure a firewall or proxy server does not block the endpoint.");
      case "DNS_RESOLUTION_FAILED" ->
          agentHint(
              "The endpoint's host name cannot be resolved.",
              "Check DNS resolution of the endpoint from the machine.");
      case "INVALID_CLIENT_SECRET" ->
          agentHint(
              "The service principal secret is wrong or no longer valid.",
              "Check the service principal secret.");
      case "APPLICATION_NOT_FOUND" ->
          agentHint(
              "The service principal or tenant ID is wrong (AADSTS700016).",
              "Check the service principal and the tenant ID.");
      case "MISSING_ROLE_ASSIGNMENT" ->
          agentHint(
              "Wrong credentials or missing permissions: the identity lacks the Azure Connected"
                  + " Machine Onboarding role.",
              "Make sure you or the service principal are a member of the Azure Connected Machine"
                  + " Onboarding role.");
      case "RESOURCE_PROVIDER_NOT_REGISTERED" ->
          agentHint(
              "The Azure resource providers are not registered (Microsoft.HybridCompute).",
              "Register the resource providers.");
      case "ACCESS_TOKEN_FAILURE" ->
          agentHint(
              "The agent failed to get an access token: invalid credentials, an expired service"
                  + " principal secret or a wrong tenant.",
              "Check the credentials and the tenant ID.");
      default ->
          agentHint(
              "The agent failed to connect to Azure for a reason linkwatch does not classify.",
              "Read the agent's log line and run 'azcmagent check'.");
    };
  }

  private static Hint agentHint(String cause, String solution) {
    return hint(
        cause,
        solution,
        "https://learn.microsoft.com/azure/azure-arc/servers/troubleshoot-agent-onboard");
  }

  private static Hint hint(String cause, String solution, String reference) {
    return Hint.newBuilder()
        .setProbableCause(cause)
        .setSolution(solution)
        .setReference(reference)
        .build();
  }
}
