package io.linkwatch.streams.alert;

import io.linkwatch.avro.ConnectionEvent;
import io.linkwatch.avro.IotHubOperation;
import io.linkwatch.avro.Level;
import io.linkwatch.avro.Provenance;
import io.linkwatch.avro.SourceKind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * IoT Hub connection events of a scripted fleet, as the ingest role produces them: a healthy fleet
 * renewing its SAS tokens every 65 minutes, a device with revoked credentials, a hub outage, and a
 * quiet keep-alive device that moves event time on so that the last windows close.
 */
final class Fleet {

  static final String HUB = "hub-a";

  private final Instant start;
  private final List<ConnectionEvent> events = new ArrayList<>();
  private long ids;

  Fleet(Instant start) {
    this.start = start;
  }

  /** Devices that connect, then renew their SAS token every 65 min: 401003, 404104, connect. */
  Fleet healthy(int devices, Duration length) {
    for (int d = 0; d < devices; d++) {
      String device = "dev-" + d;
      Instant first = start.plusSeconds(d * 97L);
      add(device, first, 0, null, IotHubOperation.DEVICE_CONNECT);
      for (Instant t = first.plus(Duration.ofMinutes(65));
          t.isBefore(start.plus(length));
          t = t.plus(Duration.ofMinutes(65))) {
        add(device, t, 401003, "IoTHubUnauthorized", IotHubOperation.DEVICE_CONNECT);
        add(
            device,
            t.plusSeconds(1),
            404104,
            "DeviceConnectionClosedRemotely",
            IotHubOperation.DEVICE_DISCONNECT);
        add(device, t.plusSeconds(6), 0, null, IotHubOperation.DEVICE_CONNECT);
      }
    }
    return this;
  }

  /** A device whose credentials were revoked: 401003 every 3 minutes, never a reconnect. */
  Fleet revoked(String device, Instant from, int attempts) {
    for (int i = 0; i < attempts; i++) {
      add(
          device,
          from.plus(Duration.ofMinutes(3L * i)),
          401003,
          "IoTHubUnauthorized",
          IotHubOperation.DEVICE_CONNECT);
    }
    return this;
  }

  /** Twenty devices get a 500001 and a 404104 within a minute, and reconnect 4 minutes later. */
  Fleet outage(Instant at) {
    for (int d = 0; d < 20; d++) {
      Instant t = at.plusSeconds(d * 3L);
      add("dev-" + d, t, 500001, "ServerError", IotHubOperation.OTHER);
      add(
          "dev-" + d,
          t.plusSeconds(1),
          404104,
          "DeviceConnectionClosedRemotely",
          IotHubOperation.DEVICE_DISCONNECT);
      add("dev-" + d, t.plusSeconds(240), 0, null, IotHubOperation.DEVICE_CONNECT);
    }
    return this;
  }

  /** The events in time order, then a keep-alive device on another hub for {@code after}. */
  List<ConnectionEvent> events(Duration after) {
    List<ConnectionEvent> out = new ArrayList<>(events);
    out.sort(Comparator.comparing(ConnectionEvent::getTime));
    Instant last = out.get(out.size() - 1).getTime();
    for (long m = 1; m <= after.toMinutes(); m++) {
      ConnectionEvent tick =
          event(
              "keepalive",
              last.plus(Duration.ofMinutes(m)),
              0,
              null,
              IotHubOperation.DEVICE_CONNECT);
      tick.setHub("hub-quiet");
      out.add(tick);
    }
    return out;
  }

  private void add(String device, Instant time, int code, String description, IotHubOperation op) {
    events.add(event(device, time, code, description, op));
  }

  private ConnectionEvent event(
      String device, Instant time, int code, String description, IotHubOperation op) {
    ConnectionEvent.Builder b =
        ConnectionEvent.newBuilder()
            .setEventId("e" + ++ids)
            .setTime(time)
            .setHub(HUB)
            .setDeviceId(device)
            .setCategory("Connections")
            .setOperationName(
                op == IotHubOperation.DEVICE_DISCONNECT ? "deviceDisconnect" : "deviceConnect")
            .setOperation(op)
            .setLevel(code == 0 ? Level.INFORMATIONAL : Level.ERROR)
            .setProtocol("Mqtt")
            .setAuthType("sas")
            .setResourceId("/SUBSCRIPTIONS/X/PROVIDERS/MICROSOFT.DEVICES/IOTHUBS/" + HUB)
            .setProvenance(
                Provenance.newBuilder()
                    .setSourceKind(SourceKind.SIMULATOR)
                    .setSource("test")
                    .setIngestTime(Instant.EPOCH)
                    .build());
    if (code != 0) {
      b.setResultCode(code).setResultDescription(description).setStatusCode(code / 1000);
    } else if (op == IotHubOperation.DEVICE_CONNECT) {
      b.setSdkVersion(".NET/1.38.0 (.NET Core 3.1)");
    }
    return b.build();
  }
}
