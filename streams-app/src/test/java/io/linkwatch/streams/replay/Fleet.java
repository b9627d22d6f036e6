package io.linkwatch.streams.replay;

import io.linkwatch.avro.ConnectionEvent;
import io.linkwatch.avro.IotHubOperation;
import io.linkwatch.avro.Level;
import io.linkwatch.avro.Provenance;
import io.linkwatch.avro.SourceKind;
import io.linkwatch.schemas.topic.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.kafka.common.utils.Utils;

/**
 * A scripted IoT Hub fleet, as ingest writes it: devices that renew their SAS token every 65
 * minutes (401003, 404104, reconnect 6 s later: benign), and devices whose credentials are revoked
 * (a 401003 every 3 minutes and no reconnect: the default pack's {@code iothub-auth-failures}).
 */
final class Fleet {

  static final Instant T0 = Instant.parse("2026-03-02T00:00:00Z");

  private final String hub;
  private final Instant t0;
  private final List<ConnectionEvent> events = new ArrayList<>();
  private long ids;

  Fleet(String hub) {
    this(hub, T0);
  }

  Fleet(String hub, Instant t0) {
    this.hub = hub;
    this.t0 = t0;
  }

  /** {@code devices} devices connected from t0 and renewing their token until {@code end}. */
  Fleet healthy(int devices, Instant end) {
    for (int d = 0; d < devices; d++) {
      String device = "dev-" + d;
      Instant start = t0.plusSeconds(d * 97L);
      events.add(event(device, start, 0, null, IotHubOperation.DEVICE_CONNECT));
      for (Instant t = start.plus(Duration.ofMinutes(65));
          t.isBefore(end);
          t = t.plus(Duration.ofMinutes(65))) {
        events.add(event(device, t, 401003, "IoTHubUnauthorized", IotHubOperation.DEVICE_CONNECT));
        events.add(
            event(
                device,
                t.plusSeconds(1),
                404104,
                "DeviceConnectionClosedRemotely",
                IotHubOperation.DEVICE_DISCONNECT));
        events.add(event(device, t.plusSeconds(6), 0, null, IotHubOperation.DEVICE_CONNECT));
      }
    }
    return this;
  }

  /** A device refused with 401003 every 3 minutes in {@code [from, to)}. */
  Fleet revoked(String device, Instant from, Instant to) {
    for (Instant t = from; t.isBefore(to); t = t.plus(Duration.ofMinutes(3))) {
      events.add(event(device, t, 401003, "IoTHubUnauthorized", IotHubOperation.DEVICE_CONNECT));
    }
    return this;
  }

  /** The events in time order. */
  List<ConnectionEvent> events() {
    List<ConnectionEvent> sorted = new ArrayList<>(events);
    sorted.sort(Comparator.comparing(ConnectionEvent::getTime));
    return sorted;
  }

  /** Key of an event on the connections topic. */
  static String key(ConnectionEvent e) {
    return e.getHub() + "/" + e.getDeviceId();
  }

  /** The partition the default partitioner gives the event's key. */
  static int partition(ConnectionEvent e, int partitions) {
    return Utils.toPositive(Utils.murmur2(key(e).getBytes(StandardCharsets.UTF_8))) % partitions;
  }

  /**
   * The events as the connections topic would hold them: partitioned by key, offsets in arrival
   * order (time order), merged by (time, partition, offset) as {@link RangeReader} hands them over.
   */
  List<RangeReader.Source> sources(Topics topics, int partitions) {
    long[] next = new long[partitions];
    List<RangeReader.Source> out = new ArrayList<>();
    var serializer = topics.connections().valueSerde().serializer();
    String topic = topics.connections().name();
    for (ConnectionEvent e : events()) {
      int p = partition(e, partitions);
      out.add(
          new RangeReader.Source(
              0,
              topic,
              p,
              1000 + next[p]++,
              e.getTime().toEpochMilli(),
              key(e).getBytes(StandardCharsets.UTF_8),
              serializer.serialize(topic, e)));
    }
    out.sort(
        Comparator.comparingLong(RangeReader.Source::timestamp)
            .thenComparingInt(RangeReader.Source::partition)
            .thenComparingLong(RangeReader.Source::offset));
    return out;
  }

  private ConnectionEvent event(
      String device, Instant time, int code, String description, IotHubOperation op) {
    ConnectionEvent.Builder b =
        ConnectionEvent.newBuilder()
            .setEventId(hub + "-e" + ++ids)
            .setTime(time)
            .setHub(hub)
            .setDeviceId(device)
            .setCategory("Connections")
            .setOperationName(
                op == IotHubOperation.DEVICE_DISCONNECT ? "deviceDisconnect" : "deviceConnect")
            .setOperation(op)
            .setLevel(code == 0 ? Level.INFORMATIONAL : Level.ERROR)
            .setProtocol("Mqtt")
            .setAuthType("sas")
            .setResourceId("/SUBSCRIPTIONS/X/PROVIDERS/MICROSOFT.DEVICES/IOTHUBS/" + hub)
            .setProvenance(
                Provenance.newBuilder()
                    .setSourceKind(SourceKind.SIMULATOR)
                    .setSource("test")
                    .setIngestTime(Instant.EPOCH)
                    .build());
    if (code != 0) {
      b.setResultCode(code).setResultDescription(description).setStatusCode(code / 1000);
    } else {
      b.setSdkVersion(".NET/1.38.0 (.NET Core 3.1)");
    }
    return b.build();
  }
}
