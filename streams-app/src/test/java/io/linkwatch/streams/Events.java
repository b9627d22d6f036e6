package io.linkwatch.streams;

import io.linkwatch.avro.AgentCause;
import io.linkwatch.avro.AgentEvent;
import io.linkwatch.avro.ConnectionEvent;
import io.linkwatch.avro.DpsCategory;
import io.linkwatch.avro.DpsResultType;
import io.linkwatch.avro.IotHubOperation;
import io.linkwatch.avro.Level;
import io.linkwatch.avro.Provenance;
import io.linkwatch.avro.ProvisioningEvent;
import io.linkwatch.avro.SourceKind;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/** Builders of input events with explicit event times, for the topology tests. */
final class Events {

  private static final AtomicLong IDS = new AtomicLong();

  private Events() {}

  static Provenance provenance() {
    return Provenance.newBuilder()
        .setSourceKind(SourceKind.SIMULATOR)
        .setSource("test")
        .setIngestTime(Instant.EPOCH)
        .build();
  }

  static ConnectionEvent.Builder connection(String hub, String device, Instant time) {
    return ConnectionEvent.newBuilder()
        .setEventId("e" + IDS.incrementAndGet())
        .setTime(time)
        .setHub(hub)
        .setDeviceId(device)
        .setCategory("Connections")
        .setOperationName("deviceConnect")
        .setOperation(IotHubOperation.DEVICE_CONNECT)
        .setLevel(Level.INFORMATIONAL)
        .setProtocol("Mqtt")
        .setAuthType("sas")
        .setResourceId("/SUBSCRIPTIONS/X/PROVIDERS/MICROSOFT.DEVICES/IOTHUBS/" + hub)
        .setProvenance(provenance());
  }

  static ConnectionEvent connect(String hub, String device, Instant time) {
    return connection(hub, device, time).setSdkVersion(".NET/1.38.0 (.NET Core 3.1)").build();
  }

  static ConnectionEvent unauthorized(String hub, String device, Instant time) {
    return connection(hub, device, time)
        .setOperationName("deviceConnect")
        .setOperation(IotHubOperation.DEVICE_CONNECT)
        .setResultCode(401003)
        .setResultDescription("IoTHubUnauthorized")
        .setStatusCode(401)
        .setLevel(Level.ERROR)
        .build();
  }

  static ConnectionEvent closedRemotely(String hub, String device, Instant time) {
    return error(hub, device, time, 404104, "DeviceConnectionClosedRemotely");
  }

  static ConnectionEvent error(String hub, String device, Instant time, int code, String name) {
    return connection(hub, device, time)
        .setOperationName("deviceDisconnect")
        .setOperation(IotHubOperation.DEVICE_DISCONNECT)
        .setResultCode(code)
        .setResultDescription(name)
        .setStatusCode(code / 1000)
        .setLevel(Level.ERROR)
        .build();
  }

  static ConnectionEvent telemetryThrottled(String hub, String device, Instant time) {
    return connection(hub, device, time)
        .setCategory("DeviceTelemetry")
        .setOperationName("ingress")
        .setOperation(IotHubOperation.OTHER)
        .setResultCode(429001)
        .setResultDescription("ThrottlingException")
        .setLevel(Level.ERROR)
        .build();
  }

  static ProvisioningEvent.Builder dps(String dps, String registration, Instant time) {
    return ProvisioningEvent.newBuilder()
        .setEventId("p" + IDS.incrementAndGet())
        .setTime(time)
        .setDpsInstance(dps)
        .setCategory(DpsCategory.DEVICE_OPERATIONS)
        .setOperationName("AttestationAttempt")
        .setResultType(DpsResultType.SUCCESS)
        .setLevel(Level.INFORMATIONAL)
        .setRegistrationId(registration)
        .setRecordType("Registration")
        .setProtocol("Mqtt")
        .setResourceId("/SUBSCRIPTIONS/X/PROVIDERS/MICROSOFT.DEVICES/PROVISIONINGSERVICES/" + dps)
        .setProvenance(provenance());
  }

  static ProvisioningEvent attestationFailure(
      String dps, String registration, String group, Instant time) {
    return dps(dps, registration, time)
        .setResultType(DpsResultType.FAILURE)
        .setHttpStatus(401)
        .setErrorCode(401002)
        .setEnrollmentGroupId(group)
        .setAttestationMechanism("X509")
        .setLevel(Level.ERROR)
        .build();
  }

  static ProvisioningEvent assignment(String dps, String registration, String hub, Instant time) {
    return dps(dps, registration, time)
        .setOperationName("RegisterDevice")
        .setAssignedHub(hub)
        .build();
  }

  /** An informational agent line: no error, no incident. */
  static AgentEvent agentLine(String machine, Instant time) {
    return AgentEvent.newBuilder(agentFailure(machine, AgentCause.NONE, time))
        .setLevel(Level.INFORMATIONAL)
        .setMessage("Agent heartbeat sent")
        .setEndpoint(null)
        .build();
  }

  static AgentEvent agentFailure(String machine, AgentCause cause, Instant time) {
    return AgentEvent.newBuilder()
        .setEventId("a" + IDS.incrementAndGet())
        .setTime(time)
        .setMachine(machine)
        .setLevel(Level.ERROR)
        .setMessage("Failed to acquire authorization token")
        .setCause(cause)
        .setEndpoint("login.windows.net")
        .setProvenance(provenance())
        .build();
  }
}
