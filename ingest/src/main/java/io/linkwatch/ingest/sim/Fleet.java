package io.linkwatch.ingest.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The simulated estate: hubs, DPS instances with their enrollment groups, devices (SDK, protocol,
 * enrollment, hub) and Arc machines. Built from the seed alone, so that a scenario switched off
 * does not change the fleet.
 */
final class Fleet {

  static final String RESOURCE_GROUP = "RG-LINKWATCH-SIM";
  static final String LOCATION = "westeurope";

  /** An SDK family with a current and a legacy (seed 003) version of its user agents. */
  enum Sdk {
    DOTNET(
        ".NET/%s (.NET 6.0.27; Linux 5.15.0-1057-azure #65-Ubuntu; X64; {%s})",
        "1.42.3", "1.1.0", "Microsoft.Azure.Devices.Provisioning.Client/%s", "1.19.4", "1.1.0"),
    JAVA(
        "com.microsoft.azure.sdk.iot.iot-device-client/%s (Java 17; Linux; amd64)",
        "2.4.1", "1.13.0", "com.microsoft.azure.sdk.iot.provisioning.device/%s", "2.1.2", "1.13.0"),
    PYTHON(
        "azure-iot-device-iothub-py/%s (Python 3.11.4; Linux 5.15.0; x86_64)",
        "2.13.0", "1.4.2", "azure-iot-provisioning-device-py/%s", "2.13.0", "1.4.2"),
    NODE(
        "azure-iot-device/%s (node v18.19.0; Linux 5.15.0; x64)",
        "1.18.2",
        "1.7.3",
        "azure-iot-provisioning-device/%s (node v18.19.0; Linux 5.15.0; x64)",
        "1.9.1",
        "1.7.3"),
    C(
        "iothubclient/%s (native; Linux; x86_64)",
        "1.11.0", "1.2.8", "prov_device_client/%s", "1.11.0", "1.2.8");

    final String deviceAgent;
    final String deviceVersion;
    final String deviceLegacy;
    final String provisioningAgent;
    final String provisioningVersion;
    final String provisioningLegacy;

    Sdk(String da, String dv, String dl, String pa, String pv, String pl) {
      this.deviceAgent = da;
      this.deviceVersion = dv;
      this.deviceLegacy = dl;
      this.provisioningAgent = pa;
      this.provisioningVersion = pv;
      this.provisioningLegacy = pl;
    }
  }

  record Hub(int index, String name, String resourceId) {}

  record Dps(int index, String name, String resourceId, List<Group> groups) {}

  record Group(String id, String mechanism, Dps dps) {}

  record Machine(int index, String name) {}

  /** A device: fixed traits, and the hub it is on now (it moves when reprovisioned). */
  static final class Device {
    final int index;
    final String id;
    final Dps dps;
    final Group group;
    final Sdk sdk;
    final String protocol;
    final String ip;
    final String instanceGuid;
    final int renewalPeriodSec;
    boolean legacy;
    boolean restClient;
    Hub hub;

    /** Simulated nanos until which a scenario owns the device (no renewal then). */
    long busyUntil;

    /** Off the air for good (revoked, bad certificate). */
    boolean gone;

    Device(
        int index,
        String id,
        Dps dps,
        Group group,
        Sdk sdk,
        String protocol,
        String ip,
        String instanceGuid,
        int renewalPeriodSec,
        Hub hub) {
      this.index = index;
      this.id = id;
      this.dps = dps;
      this.group = group;
      this.sdk = sdk;
      this.protocol = protocol;
      this.ip = ip;
      this.instanceGuid = instanceGuid;
      this.renewalPeriodSec = renewalPeriodSec;
      this.hub = hub;
    }

    /**
     * SAS over MQTT with the .NET, Java or Python SDK: the hub disconnects at token expiry, 401003
     * then 404104, and the SDK reconnects (seed 002). X.509 devices have no token to renew.
     */
    boolean renewsWithDisconnect() {
      return protocol.startsWith("Mqtt")
          && !"X509".equals(group.mechanism())
          && (sdk == Sdk.DOTNET || sdk == Sdk.JAVA || sdk == Sdk.PYTHON);
    }

    /** Node over MQTT reconnects at renewal with only informational events. */
    boolean renewsQuietly() {
      return protocol.startsWith("Mqtt") && !"X509".equals(group.mechanism()) && sdk == Sdk.NODE;
    }

    String deviceSdkVersion() {
      if (restClient) {
        return "contoso-rest-client/0.9.2";
      }
      return String.format(
          Locale.ROOT,
          sdk.deviceAgent,
          legacy ? sdk.deviceLegacy : sdk.deviceVersion,
          instanceGuid);
    }

    String provisioningSdkVersion() {
      if (restClient) {
        return null;
      }
      return String.format(
          Locale.ROOT,
          sdk.provisioningAgent,
          legacy ? sdk.provisioningLegacy : sdk.provisioningVersion);
    }

    String apiVersion() {
      return restClient ? "2018-04-01" : legacy ? "2018-04-01" : "2021-06-01";
    }

    /** True when the device's IoT Hub user agent names a legacy version (the streams check). */
    boolean legacyDeviceSdk() {
      return legacy && !restClient;
    }
  }

  final String subscriptionId;
  final String tenantId;
  final List<Hub> hubs = new ArrayList<>();
  final List<Dps> dps = new ArrayList<>();
  final List<Device> devices = new ArrayList<>();
  final List<Machine> machines = new ArrayList<>();

  Fleet(SimOptions o) {
    SplittableRandom r = new SplittableRandom(o.seed() ^ 0x5EEDF1EE7L);
    this.subscriptionId = Ids.uuid(r).toUpperCase(Locale.ROOT);
    this.tenantId = Ids.uuid(r);
    for (int i = 0; i < o.hubs(); i++) {
      String name = String.format(Locale.ROOT, "lw-hub-%02d", i + 1);
      hubs.add(new Hub(i, name, resourceId("IOTHUBS", name)));
    }
    for (int i = 0; i < o.dpsInstances(); i++) {
      String name = String.format(Locale.ROOT, "lw-dps-%02d", i + 1);
      List<Group> groups = new ArrayList<>();
      Dps d = new Dps(i, name, resourceId("PROVISIONINGSERVICES", name), groups);
      String n = String.format(Locale.ROOT, "%02d", i + 1);
      groups.add(new Group("eg-" + n + "-x509-a", "X509", d));
      groups.add(new Group("eg-" + n + "-x509-b", "X509", d));
      groups.add(new Group("eg-" + n + "-symkey", "SymmetricKey", d));
      groups.add(new Group("eg-" + n + "-tpm", "TPM", d));
      dps.add(d);
    }
    Sdk[] sdks = Sdk.values();
    double[] sdkWeights = {0.35, 0.20, 0.15, 0.15, 0.15};
    for (int i = 0; i < o.devices(); i++) {
      String id = String.format(Locale.ROOT, "dev-%05d", i + 1);
      Dps d = dps.get(i % dps.size());
      Group g = d.groups().get(pick(r, new double[] {0.35, 0.20, 0.30, 0.15}));
      Sdk sdk = sdks[pick(r, sdkWeights)];
      String protocol =
          new String[] {"Mqtt", "Amqp", "MqttWs", "AmqpWs"}
              [pick(r, new double[] {0.7, 0.15, 0.1, 0.05})];
      String ip = (10 + r.nextInt(200)) + "." + r.nextInt(256) + "." + r.nextInt(256) + ".XXX";
      int period = 65 * 60 + r.nextInt(-120, 121);
      Hub hub = hubs.get(r.nextInt(hubs.size()));
      devices.add(
          new Device(
              i, id, d, g, sdk, protocol, ip, Ids.uuid(r).toUpperCase(Locale.ROOT), period, hub));
    }
    for (int i = 0; i < o.machines(); i++) {
      machines.add(new Machine(i, String.format(Locale.ROOT, "arc-srv-%02d", i + 1)));
    }
  }

  private String resourceId(String type, String name) {
    return "/SUBSCRIPTIONS/"
        + subscriptionId
        + "/RESOURCEGROUPS/"
        + RESOURCE_GROUP
        + "/PROVIDERS/MICROSOFT.DEVICES/"
        + type
        + "/"
        + name.toUpperCase(Locale.ROOT);
  }

  List<Device> onHub(Hub hub) {
    List<Device> out = new ArrayList<>();
    for (Device d : devices) {
      if (d.hub == hub && !d.gone) {
        out.add(d);
      }
    }
    return out;
  }

  static int pick(SplittableRandom r, double[] weights) {
    double x = r.nextDouble();
    double acc = 0;
    for (int i = 0; i < weights.length; i++) {
      acc += weights[i];
      if (x < acc) {
        return i;
      }
    }
    return weights.length - 1;
  }
}
