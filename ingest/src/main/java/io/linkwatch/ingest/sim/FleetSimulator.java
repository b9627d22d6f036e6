package io.linkwatch.ingest.sim;

import io.linkwatch.avro.AgentCause;
import io.linkwatch.avro.IncidentKind;
import io.linkwatch.ingest.sim.Fleet.Device;
import io.linkwatch.ingest.sim.Fleet.Dps;
import io.linkwatch.ingest.sim.Fleet.Group;
import io.linkwatch.ingest.sim.Fleet.Hub;
import io.linkwatch.ingest.sim.Fleet.Machine;
import io.linkwatch.ingest.sim.SimRecord.Stamp;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Simulates a fleet of devices on IoT hubs and DPS instances, and Arc-connected machines, as a
 * discrete-event simulation in simulated time: every device renews its SAS token, boots and
 * provisions, and the scripted {@link Scenario}s break things on purpose. It emits records in the
 * exact shapes Azure exports (see {@link SimRecord}), in the order they would reach the export
 * (delayed, some minutes late, some delivered twice), and the ground truth of every incident it
 * injected ({@link Truth}).
 *
 * <p>Deterministic: the same options (seed, start, ...) give the same records and truth. Each
 * concern draws from its own random stream, so switching a scenario off leaves the fleet and the
 * other scenarios as they were. Memory is bounded by the fleet and by a few minutes of records in
 * flight, not by the duration.
 */
public final class FleetSimulator {

  /** Receives the records in arrival order. */
  public interface Output {
    void record(SimRecord record);
  }

  /** What a run produced. */
  public record Result(
      long records,
      long repeats,
      long late,
      Map<String, Long> byCategory,
      long agentLines,
      List<Truth> truth,
      Map<Scenario, ScenarioSummary> scenarios,
      Fleet fleet) {}

  /** Where and when a scenario struck, for the summary. */
  static final class ScenarioSummary {
    long start = Long.MAX_VALUE;
    long end = Long.MIN_VALUE;
    int incidents;
    int events;
    final Set<String> hubs = new TreeSet<>();
    final Set<String> dpsInstances = new TreeSet<>();
    final Set<String> machines = new TreeSet<>();
    final Set<String> devices = new TreeSet<>();
    final Set<String> enrollmentGroups = new TreeSet<>();
    final Set<IncidentKind> kinds = new TreeSet<>();
    String note;
  }

  private static final long MS = 1_000_000L;
  private static final long SEC = 1_000 * MS;
  private static final long MIN = 60 * SEC;

  private static final Map<Integer, String> CODE_NAMES =
      Map.of(
          401003, "IotHubUnauthorized",
          404104, "DeviceConnectionClosedRemotely",
          409002, "LinkCreationConflict",
          400027, "ConnectionForcefullyClosedOnNewConnection",
          500001, "ServerError",
          500008, "GenericTimeout",
          429001, "ThrottlingException");

  private final SimOptions options;
  private final Fleet fleet;
  private final long t0;
  private final long tEnd;
  private final SplittableRandom delays;
  private final SplittableRandom noise;
  private final PriorityQueue<Action> actions =
      new PriorityQueue<>(
          Comparator.comparingLong((Action a) -> a.at).thenComparingLong(a -> a.seq));
  private final PriorityQueue<SimRecord> inFlight =
      new PriorityQueue<>(
          Comparator.comparingLong((SimRecord r) -> r.arrivalMillis).thenComparingLong(r -> r.seq));
  private final List<Truth> truth = new ArrayList<>();
  private final Map<Scenario, ScenarioSummary> summaries = new EnumMap<>(Scenario.class);
  private final Map<String, Long> byCategory = new TreeMap<>();
  private final Set<Device> reserved = new HashSet<>();
  private final Map<Device, Long> quietAfter = new HashMap<>();
  private Output out;
  private long seq;
  private long records;
  private long repeats;
  private long late;
  private long agentLines;

  private abstract static class Action {
    long at;
    long seq;

    abstract void run();
  }

  public FleetSimulator(SimOptions options) {
    this.options = options;
    this.fleet = new Fleet(options);
    this.t0 = options.start().getEpochSecond() * SEC + options.start().getNano();
    this.tEnd = t0 + options.duration().toNanos();
    this.delays = new SplittableRandom(options.seed() ^ 0xDE1A75L);
    this.noise = new SplittableRandom(options.seed() ^ 0x401535L);
  }

  /** Runs the simulation, handing every record to {@code output} in arrival order. */
  public Result run(Output output) {
    this.out = output;
    if (options.has(Scenario.LEGACY_SDK)) {
      legacyDevices();
    }
    for (Device d : fleet.devices) {
      SplittableRandom r = deviceRandom(d);
      long boot = t0 + (long) (r.nextDouble() * 10 * MIN);
      at(boot, () -> boot(d, boot, r));
    }
    for (Hub h : fleet.hubs) {
      every(t0 + (long) (noise.nextDouble() * 10 * MIN), 10 * MIN, t -> twinQuery(h, t));
    }
    for (Dps d : fleet.dps) {
      every(t0 + (long) (noise.nextDouble() * 30 * MIN), 30 * MIN, t -> serviceOperation(d, t));
    }
    for (Machine m : fleet.machines) {
      agentStart(m, t0 + (long) (noise.nextDouble() * 2 * MIN));
      every(t0 + 15 * MIN + (long) (noise.nextDouble() * MIN), 15 * MIN, t -> heartbeat(m, t));
    }
    scheduleScenarios();
    while (!actions.isEmpty()) {
      Action a = actions.poll();
      if (a.at >= tEnd) {
        break;
      }
      drain(Math.floorDiv(a.at, MS) - 1);
      a.run();
    }
    drain(Long.MAX_VALUE);
    truth.removeIf(Truth::isEmpty);
    truth.sort(
        Comparator.comparingLong((Truth t) -> t.startMillis)
            .thenComparing(t -> t.subject)
            .thenComparing(t -> t.kind));
    for (Truth t : truth) {
      ScenarioSummary s = summary(t.scenario);
      s.incidents++;
      s.events += t.events;
      s.kinds.add(t.kind);
      s.start = Math.min(s.start, t.startMillis);
      s.end = Math.max(s.end, t.endMillis);
      add(s.hubs, t.hub);
      add(s.dpsInstances, t.dpsInstance);
      add(s.machines, t.machine);
      add(s.enrollmentGroups, t.enrollmentGroupId);
      if (t.deviceId != null) {
        s.devices.add(t.hub + "/" + t.deviceId);
      } else if (t.registrationId != null) {
        s.devices.add(t.dpsInstance + "/" + t.registrationId);
      }
    }
    return new Result(records, repeats, late, byCategory, agentLines, truth, summaries, fleet);
  }

  Fleet fleet() {
    return fleet;
  }

  // ------------------------------------------------------------------ engine

  private void at(long when, Runnable r) {
    Action a =
        new Action() {
          @Override
          void run() {
            r.run();
          }
        };
    a.at = when;
    a.seq = seq++;
    actions.add(a);
  }

  private void every(long first, long period, java.util.function.LongConsumer task) {
    at(
        first,
        () -> {
          task.accept(first);
          if (first + period < tEnd) {
            every(first + period, period, task);
          }
        });
  }

  private void drain(long untilMillis) {
    while (!inFlight.isEmpty() && inFlight.peek().arrivalMillis <= untilMillis) {
      out.record(inFlight.poll());
    }
  }

  /**
   * Puts a record in flight: it reaches the export 15 s to a few minutes after its event time, a
   * share of them much later, a share twice. Records past the end of the run are dropped.
   */
  private SimRecord emit(SimRecord r) {
    if (r.eventNanos >= tEnd || r.eventNanos < t0) {
      return null;
    }
    long eventMs = Math.floorDiv(r.eventNanos, MS);
    if (r.isAgent()) {
      // a local log file: written as it happens
      r.arrivalMillis = eventMs;
      agentLines++;
    } else {
      long delay = 15_000 + (long) (-45_000 * Math.log(1 - delays.nextDouble()));
      if (delays.nextDouble() < options.lateRate()) {
        delay += 180_000 + delays.nextLong(540_000);
        late++;
      }
      r.arrivalMillis = eventMs + delay;
      byCategory.merge(r.category, 1L, Long::sum);
      if (delays.nextDouble() < options.duplicateRate()) {
        inFlight.add(r.repeatAt(r.arrivalMillis + 1_000 + delays.nextLong(120_000), seq++));
        repeats++;
      }
    }
    records++;
    inFlight.add(r);
    return r;
  }

  private SplittableRandom deviceRandom(Device d) {
    return new SplittableRandom(options.seed() * 31 + d.index * 0x9E3779B97F4A7C15L);
  }

  private SplittableRandom scenarioRandom(Scenario s) {
    return new SplittableRandom(options.seed() ^ ((long) (s.ordinal() + 1) * 0x2545F4914F6CDD1DL));
  }

  private long scenarioStart(Scenario s, SplittableRandom r) {
    long span = tEnd - t0;
    return t0 + (long) (s.at() * span) + (long) (r.nextDouble() * Math.min(2 * MIN, span / 50));
  }

  private ScenarioSummary summary(Scenario s) {
    return summaries.computeIfAbsent(s, k -> new ScenarioSummary());
  }

  private static void add(Set<String> set, String v) {
    if (v != null) {
      set.add(v);
    }
  }

  private Truth truth(Truth t) {
    truth.add(t);
    return t;
  }

  /** Devices a scenario may take: not taken by another, on the air, idle at {@code when}. */
  private List<Device> candidates(long when, java.util.function.Predicate<Device> filter) {
    List<Device> out = new ArrayList<>();
    for (Device d : fleet.devices) {
      if (!reserved.contains(d)
          && !d.gone
          && d.busyUntil < when
          && quietAfter.getOrDefault(d, 0L) < when - 30 * SEC
          && filter.test(d)) {
        out.add(d);
      }
    }
    return out;
  }

  private static <T> List<T> take(List<T> from, int n, SplittableRandom r) {
    List<T> copy = new ArrayList<>(from);
    List<T> out = new ArrayList<>();
    while (out.size() < n && !copy.isEmpty()) {
      out.add(copy.remove(r.nextInt(copy.size())));
    }
    return out;
  }

  private void busy(Device d, long until) {
    d.busyUntil = Math.max(d.busyUntil, until);
    quietAfter.merge(d, until, Math::max);
  }

  // ------------------------------------------------------------------ records

  private Stamp hubStamp(Hub h) {
    if (options.format() == SimOptions.Format.LOGANALYTICS) {
      return noise.nextBoolean() ? Stamp.MILLIS : Stamp.SECONDS;
    }
    // hubs differ in what the export shows: some whole seconds, some 7-digit fractions
    return h.index() % 2 == 0 ? Stamp.SECONDS : Stamp.SEVEN_DIGITS;
  }

  private Stamp dpsStamp() {
    if (options.format() == SimOptions.Format.LOGANALYTICS) {
      return noise.nextBoolean() ? Stamp.MILLIS : Stamp.SECONDS;
    }
    return noise.nextDouble() < 0.8 ? Stamp.SEVEN_DIGITS : Stamp.SECONDS;
  }

  private SimRecord hubRecord(Hub h, long t, String category, String operation) {
    SimRecord r = SimRecord.azure(t, seq++, hubStamp(h));
    r.resourceId = h.resourceId();
    r.resourceType = "IOTHUBS";
    r.resourceName = h.name();
    r.category = category;
    r.operationName = operation;
    r.location = Fleet.LOCATION;
    return r;
  }

  private static final String AUTH_SAS = authType(false);
  private static final String AUTH_X509 = authType(true);

  private static String authType(Device d) {
    return "X509".equals(d.group.mechanism()) ? AUTH_X509 : AUTH_SAS;
  }

  private static String authType(boolean x509) {
    return Json.object()
        .str("scope", "device")
        .str("type", x509 ? "x509Certificate" : "sas")
        .str("issuer", x509 ? "thirdParty" : "iothub")
        .str("acceptingIpFilterRule", null)
        .end();
  }

  private SimRecord connect(Device d, Hub h, long t, Integer code) {
    return connection(d, h, t, "deviceConnect", code);
  }

  private SimRecord disconnect(Device d, Hub h, long t, Integer code) {
    return connection(d, h, t, "deviceDisconnect", code);
  }

  /**
   * A Connections record as IoT Hub writes it: a connect names the SDK and the auth type, a
   * disconnect does not (authType null), as in the published samples.
   */
  private SimRecord connection(Device d, Hub h, long t, String operation, Integer code) {
    boolean connect = operation.equals("deviceConnect");
    SimRecord r = hubRecord(h, t, "Connections", operation);
    Json p = Json.object().str("deviceId", d.id);
    if (connect) {
      p.str("sdkVersion", d.deviceSdkVersion());
    }
    p.str("protocol", d.protocol)
        .str("authType", connect ? authType(d) : null)
        .str("maskedIpAddress", d.ip);
    if (code == null) {
      r.level = "Information";
      p.str("statusCode", null).str("errorMessage", "");
    } else {
      error(r, code);
      p.str("statusCode", Integer.toString(code / 1000)).str("errorMessage", errorMessage(code));
    }
    r.properties = p.end();
    return emit(r);
  }

  private static void error(SimRecord r, int code) {
    r.level = "Error";
    r.resultType = Integer.toString(code);
    r.resultDescription = CODE_NAMES.getOrDefault(code, "Error");
  }

  private static String errorMessage(int code) {
    return switch (code) {
      case 404104 -> "Device disconnected, see cause and resolution at https://aka.ms/iothub404104";
      case 401003 ->
          "Authentication failed for this device, renew token or certificate and reconnect, see"
              + " https://aka.ms/iothub401003";
      default -> "see cause and resolution at https://aka.ms/iothub" + code;
    };
  }

  private SimRecord telemetryThrottled(Device d, Hub h, long t) {
    SimRecord r = hubRecord(h, t, "DeviceTelemetry", "ingress");
    error(r, 429001);
    String at = SimRecord.format(t, Stamp.SEVEN_DIGITS);
    r.properties =
        Json.object()
            .str("deviceId", d.id)
            .str("batching", "0")
            .str("messageSizeInBytes", Integer.toString(200 + noise.nextInt(800)))
            .str("EventProcessedUtcTime", at)
            .str("EventEnqueuedUtcTime", at)
            .str("partitionId", Integer.toString(d.index % 4))
            .end();
    return emit(r);
  }

  private void twinQuery(Hub h, long t) {
    SimRecord r = hubRecord(h, t, "TwinQueries", "query");
    r.level = "Information";
    r.durationMs = Integer.toString(1 + noise.nextInt(40));
    r.properties =
        Json.object()
            .str("query", "SELECT * FROM devices WHERE properties.reported.firmware < '7.2'")
            .str("sdkVersion", "microsoft.azure.devices/1.39.1")
            .str("messageSize", "0")
            .str("pageSize", "100")
            .str("continuation", "false")
            .str("resultSize", Integer.toString(noise.nextInt(100)))
            .end();
    emit(r);
  }

  private SimRecord dpsRecord(Dps d, long t, String category, String operation) {
    SimRecord r = SimRecord.azure(t, seq++, dpsStamp());
    r.resourceId = d.resourceId();
    r.resourceType = "PROVISIONINGSERVICES";
    r.resourceName = d.name();
    r.category = category;
    r.operationName = operation;
    r.location = Fleet.LOCATION;
    r.operationVersion = "DeviceOperations".equals(category) ? "March2019" : "October2021";
    r.durationMs = Integer.toString(40 + noise.nextInt(400));
    r.correlationId = Ids.uuid(noise);
    r.resultSignature = "";
    r.resultDescription = "";
    return r;
  }

  private Json deviceProperties(Device d) {
    return Json.object()
        .str("id", d.id)
        .str("type", "Registration")
        .str(
            "protocol",
            d.protocol.startsWith("Amqp")
                ? "Amqp"
                : d.protocol.startsWith("Mqtt") ? "Mqtt" : "Http")
        .str("enrollmentGroupId", d.group.id())
        .str("attestationMechanism", d.group.mechanism())
        .strIfPresent("sdkVersion", d.provisioningSdkVersion())
        .str("apiVersion", d.apiVersion());
  }

  /** DeviceOperations AttestationAttempt: success, or an HTTP status with a DPS error code. */
  private SimRecord attestation(Device d, long t, int status, int errorCode, String message) {
    SimRecord r = dpsRecord(d.dps, t, "DeviceOperations", "AttestationAttempt");
    r.callerIp = d.ip;
    if (status == 0) {
      r.resultType = "Success";
      r.level = "Information";
    } else {
      r.resultType = status >= 500 ? "Failure" : "ClientError";
      r.level = "Error";
      r.resultSignature = Integer.toString(status);
      r.resultDescription =
          Json.object()
              .raw("errorCode", Integer.toString(errorCode))
              .str("trackingId", Ids.uuid(noise))
              .str("message", message)
              .str("timestampUtc", SimRecord.format(t, Stamp.SEVEN_DIGITS))
              .end();
    }
    r.properties = deviceProperties(d).end();
    return emit(r);
  }

  /** DeviceOperations RegisterDevice, successful: the assignment to {@code hub}. */
  private SimRecord registration(Device d, long t, Hub hub) {
    SimRecord r = dpsRecord(d.dps, t, "DeviceOperations", "RegisterDevice");
    r.callerIp = d.ip;
    r.resultType = "Success";
    r.level = "Information";
    r.properties =
        deviceProperties(d)
            .str("assignedHub", hub.name() + ".azure-devices.net")
            .str("deviceId", d.id)
            .end();
    return emit(r);
  }

  private void serviceOperation(Dps d, long t) {
    String[] ops = {"Get", "Upsert", "Query"};
    String op = ops[noise.nextInt(ops.length)];
    Group g = d.groups().get(noise.nextInt(d.groups().size()));
    SimRecord r = dpsRecord(d, t, "ServiceOperations", op);
    r.callerIp = "13.91.244.XXX";
    r.resultType = "Success";
    r.level = "Information";
    r.properties =
        Json.object()
            .str("id", g.id())
            .str("type", "EnrollmentGroup")
            .str("protocol", "Http")
            .end();
    emit(r);
  }

  private SimRecord agent(Machine m, long t, String level, String message, String... fields) {
    StringBuilder line = new StringBuilder(160);
    line.append("time=\"").append(SimRecord.format(t, Stamp.SECONDS)).append("\" level=");
    line.append(level).append(" msg=");
    logrusQuote(line, message);
    for (int i = 0; i + 1 < fields.length; i += 2) {
      line.append(' ').append(fields[i]).append('=');
      String v = fields[i + 1];
      if (v.matches("[A-Za-z0-9._/@^+-]+")) {
        line.append(v);
      } else {
        logrusQuote(line, v);
      }
    }
    return emit(SimRecord.agent(t, seq++, m.name(), line.toString()));
  }

  private static void logrusQuote(StringBuilder b, String s) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\');
      }
      b.append(c == '\n' ? ' ' : c);
    }
    b.append('"');
  }

  private void agentStart(Machine m, long t) {
    agent(m, t, "debug", "Agent Version: 1.21.02043.347");
    agent(m, t, "debug", "HIS host name: gbl.his.arc.azure.com, IPv4 address: 51.116.145.136");
    agent(
        m,
        t + SEC,
        "debug",
        "Validating HTTP response. getting a non-200 response (404 Not Found)",
        "Endpoint",
        "http://169.254.169.254/metadata/instance/compute?api-version=2019-06-01");
  }

  private void heartbeat(Machine m, long t) {
    if (busyMachines.contains(m)) {
      return;
    }
    agent(
        m,
        t,
        "info",
        "Heartbeat sent",
        "Request URL",
        "https://gbl.his.arc.azure.com/machine/" + m.name() + "/heartbeat",
        "Status Code",
        "200");
  }

  private final Set<Machine> busyMachines = new HashSet<>();

  // ------------------------------------------------------------------ healthy fleet

  private void boot(Device d, long t, SplittableRandom r) {
    SimRecord attested = attestation(d, t, 0, 0, null);
    long reg = t + 500 * MS + r.nextLong(1500 * MS);
    registration(d, reg, d.hub);
    long conn = reg + SEC + r.nextLong(4 * SEC);
    SimRecord c = connect(d, d.hub, conn, null);
    quietAfter.merge(d, conn, Math::max);
    if (d.legacy && options.has(Scenario.LEGACY_SDK)) {
      legacyTruth(d, attested, c);
    }
    if (d.renewsWithDisconnect() || d.renewsQuietly()) {
      long first = conn + 5 * MIN + (long) (r.nextDouble() * (d.renewalPeriodSec * SEC - 5 * MIN));
      at(first, () -> renew(d, first, r));
    }
  }

  private void renew(Device d, long t, SplittableRandom r) {
    if (d.gone) {
      return;
    }
    if (t < d.busyUntil || quietAfter.getOrDefault(d, 0L) > t) {
      long later =
          Math.max(d.busyUntil, quietAfter.getOrDefault(d, 0L)) + MIN + r.nextLong(5 * MIN);
      at(later, () -> renew(d, later, r));
      return;
    }
    Hub h = d.hub;
    if (d.renewsWithDisconnect() && options.has(Scenario.TOKEN_RENEWAL)) {
      SimRecord unauthorized = disconnect(d, h, t, 401003);
      long closed = t + 200 * MS + r.nextLong(1300 * MS);
      SimRecord dropped = disconnect(d, h, closed, 404104);
      long back = closed + SEC + r.nextLong(39 * SEC);
      SimRecord reconnected = connect(d, h, back, null);
      quietAfter.merge(d, back, Math::max);
      truth(Truth.device(Scenario.TOKEN_RENEWAL, IncidentKind.TOKEN_RENEWAL, true, h.name(), d.id))
          .cause("SAS token expired; the SDK renewed it and reconnected (MQTT)")
          .add(unauthorized)
          .add(dropped)
          .add(reconnected);
    } else if (d.renewsQuietly()) {
      disconnect(d, h, t, null);
      long back = t + SEC + r.nextLong(4 * SEC);
      connect(d, h, back, null);
      quietAfter.merge(d, back, Math::max);
    }
    long next = t + d.renewalPeriodSec * SEC;
    at(next, () -> renew(d, next, r));
  }

  // ------------------------------------------------------------------ scenarios

  private void scheduleScenarios() {
    for (Scenario s : Scenario.values()) {
      if (!options.has(s) || s == Scenario.TOKEN_RENEWAL || s == Scenario.LEGACY_SDK) {
        continue;
      }
      SplittableRandom r = scenarioRandom(s);
      long when = scenarioStart(s, r);
      at(when, () -> start(s, when, r));
    }
  }

  private void start(Scenario s, long t, SplittableRandom r) {
    switch (s) {
      case REVOKED_CREDENTIALS -> revokedCredentials(t, r);
      case HUB_OUTAGE -> hubOutage(t, r);
      case BAD_CERTIFICATE -> badCertificate(t, r);
      case REPROVISIONING -> reprovisioning(t, r);
      case SECONDARY_ERRORS -> secondaryErrors(t, r);
      case IOTHUB_THROTTLING -> iotHubThrottling(t, r);
      case MASS_REBOOT -> massReboot(t, r);
      case ASSIGNMENT_FLAPPING -> assignmentFlapping(t, r);
      case ARC_PROXY -> arcProxy(t, r);
      case ARC_BAD_SECRET -> arcBadSecret(t, r);
      default -> {}
    }
  }

  private void legacyDevices() {
    SplittableRandom r = scenarioRandom(Scenario.LEGACY_SDK);
    for (Fleet.Sdk sdk : Fleet.Sdk.values()) {
      List<Device> c =
          take(
              fleet.devices.stream()
                  .filter(
                      d ->
                          d.sdk == sdk && !d.group.id().endsWith("x509-b") && !reserved.contains(d))
                  .toList(),
              1,
              r);
      c.forEach(
          d -> {
            d.legacy = true;
            reserved.add(d);
          });
    }
    take(
            fleet.devices.stream()
                .filter(d -> !d.group.id().endsWith("x509-b") && !reserved.contains(d))
                .toList(),
            1,
            r)
        .forEach(
            d -> {
              d.restClient = true;
              d.legacy = true;
              reserved.add(d);
            });
  }

  private void legacyTruth(Device d, SimRecord bootAttestation, SimRecord firstConnect) {
    // the first DPS record of the device (its boot attestation) shows the legacy client...
    Truth dps =
        truth(
                Truth.registration(
                    Scenario.LEGACY_SDK, IncidentKind.LEGACY_SDK, false, d.dps.name(), d.id))
            .cause(
                d.restClient
                    ? "REST API " + d.apiVersion() + " predates native reprovisioning"
                    : "provisioning SDK "
                        + d.provisioningSdkVersion()
                        + " predates native reprovisioning")
            .add(bootAttestation);
    dps.enrollmentGroupId = d.group.id();
    // ... and so does its first connection to the hub, unless it is a REST client
    if (d.legacyDeviceSdk()) {
      truth(Truth.device(Scenario.LEGACY_SDK, IncidentKind.LEGACY_SDK, false, d.hub.name(), d.id))
          .cause("device SDK " + d.deviceSdkVersion() + " predates native reprovisioning")
          .add(firstConnect);
    }
  }

  private void revokedCredentials(long t, SplittableRandom r) {
    List<Device> picked = take(candidates(t, Device::renewsWithDisconnect), 1, r);
    if (picked.isEmpty()) {
      summary(Scenario.REVOKED_CREDENTIALS).note = "no MQTT device with SAS renewal to revoke";
      return;
    }
    for (Device d : picked) {
      reserved.add(d);
      d.gone = true;
      Hub h = d.hub;
      Truth tr =
          truth(
                  Truth.device(
                      Scenario.REVOKED_CREDENTIALS,
                      IncidentKind.AUTH_FAILURE,
                      false,
                      h.name(),
                      d.id))
              .cause("credentials revoked (device key regenerated): 401003 without reconnect");
      tr.add(disconnect(d, h, t, 401003));
      tr.add(disconnect(d, h, t + 400 * MS + r.nextLong(MS * 800), 404104));
      long retry = t + 5 * SEC;
      long backoff = 5 * SEC;
      while (retry < tEnd) {
        tr.add(connect(d, h, retry, 401003));
        backoff = Math.min(5 * MIN, backoff * 2);
        retry += backoff + r.nextLong(backoff / 4 + 1);
      }
      busy(d, tEnd);
    }
  }

  private void hubOutage(long t, SplittableRandom r) {
    Hub h = fleet.hubs.get(0);
    List<Device> on = candidates(t, d -> d.hub == h);
    List<Device> hit = take(on, (int) Math.ceil(on.size() * 0.6), r);
    if (hit.isEmpty()) {
      summary(Scenario.HUB_OUTAGE).note = "no device on " + h.name();
      return;
    }
    long outageEnd = t + 8 * MIN;
    Truth tr =
        truth(Truth.hub(Scenario.HUB_OUTAGE, IncidentKind.HUB_OUTAGE, h.name()))
            .cause("hub-side incident: mass 404104 with 500001/500008 across devices");
    for (Device d : hit) {
      reserved.add(d);
      long drop = t + r.nextLong(60 * SEC);
      tr.add(disconnect(d, h, drop, 404104));
      long retry = drop + 10 * SEC + r.nextLong(20 * SEC);
      while (retry < outageEnd) {
        tr.add(connect(d, h, retry, r.nextDouble() < 0.7 ? 500008 : 500001));
        retry += 15 * SEC + r.nextLong(25 * SEC);
      }
      long back = outageEnd + r.nextLong(2 * MIN);
      connect(d, h, back, null);
      busy(d, back + MIN);
      long free = back + MIN;
      at(free, () -> reserved.remove(d));
    }
    if (hit.size() < 10) {
      summary(Scenario.HUB_OUTAGE).note =
          hit.size()
              + " devices hit: fewer than the 10 distinct devices the default outage detector"
              + " needs (streams.outage.min.devices)";
    }
  }

  private void badCertificate(long t, SplittableRandom r) {
    Dps dps = fleet.dps.get(0);
    Group g = dps.groups().get(1);
    List<Device> hit = candidates(t, d -> d.group == g);
    if (hit.isEmpty()) {
      summary(Scenario.BAD_CERTIFICATE).note = "no device in enrollment group " + g.id();
      return;
    }
    long fixed = t + 20 * MIN;
    for (Device d : hit) {
      reserved.add(d);
      Hub h = d.hub;
      long reboot = t + r.nextLong(2 * MIN);
      disconnect(d, h, reboot, 404104);
      Truth tr =
          truth(
                  Truth.registration(
                      Scenario.BAD_CERTIFICATE,
                      IncidentKind.ATTESTATION_FAILURE,
                      false,
                      dps.name(),
                      d.id))
              .cause(
                  "the X.509 certificate chain of enrollment group "
                      + g.id()
                      + " is not valid (expired or not verified): 401 Unauthorized, 401002");
      tr.enrollmentGroupId = g.id();
      long attempt = reboot + 20 * SEC + r.nextLong(20 * SEC);
      while (attempt < fixed) {
        tr.add(attestation(d, attempt, 401, 401002, "Unauthorized"));
        attempt += 30 * SEC + r.nextLong(60 * SEC);
      }
      long ok = fixed + r.nextLong(MIN);
      attestation(d, ok, 0, 0, null);
      long reg = ok + SEC;
      registration(d, reg, h);
      long conn = reg + 2 * SEC;
      connect(d, h, conn, null);
      busy(d, conn + MIN);
    }
  }

  private void reprovisioning(long t, SplittableRandom r) {
    if (fleet.hubs.size() < 2) {
      summary(Scenario.REPROVISIONING).note = "needs at least 2 hubs";
      return;
    }
    List<Device> c = candidates(t, d -> true);
    int n = Math.max(2, Math.min(20, (int) Math.round(fleet.devices.size() * 0.03)));
    for (Device d : take(c, n, r)) {
      reserved.add(d);
      long at = t + r.nextLong(10 * MIN);
      Hub from = d.hub;
      Hub to = fleet.hubs.get((from.index() + 1) % fleet.hubs.size());
      Truth tr = move(Scenario.REPROVISIONING, d, at, to, r);
      tr.cause("moved from " + from.name() + " to " + to.name() + " by reprovisioning");
    }
  }

  /** One reprovisioning of a device to {@code to}: attestation, assignment, reconnection. */
  private Truth move(Scenario s, Device d, long t, Hub to, SplittableRandom r) {
    Hub from = d.hub;
    attestation(d, t, 0, 0, null);
    long reg = t + 500 * MS + r.nextLong(SEC);
    SimRecord assigned = registration(d, reg, to);
    long bye = reg + 200 * MS;
    disconnect(d, from, bye, null);
    long conn = bye + SEC + r.nextLong(3 * SEC);
    connect(d, to, conn, null);
    d.hub = to;
    busy(d, conn + MIN);
    Truth tr =
        truth(Truth.registration(s, IncidentKind.REPROVISIONED, true, d.dps.name(), d.id))
            .add(assigned);
    tr.hub = to.name();
    tr.enrollmentGroupId = d.group.id();
    return tr;
  }

  private void secondaryErrors(long t, SplittableRandom r) {
    List<Device> c = candidates(t, d -> true);
    List<Device> picked = take(c, 4, r);
    for (int i = 0; i < picked.size(); i++) {
      Device d = picked.get(i);
      reserved.add(d);
      Hub h = d.hub;
      long at = t + r.nextLong(5 * MIN);
      if (i < 3) {
        SimRecord drop = disconnect(d, h, at, 404104);
        long conflict = at + 2 * SEC + r.nextLong(8 * SEC);
        SimRecord link = connect(d, h, conflict, 409002);
        long back = conflict + 5 * SEC + r.nextLong(15 * SEC);
        connect(d, h, back, null);
        busy(d, back + MIN);
        truth(
                Truth.device(
                    Scenario.SECONDARY_ERRORS,
                    IncidentKind.SECONDARY_DISCONNECT,
                    true,
                    h.name(),
                    d.id))
            .cause("409002 LinkCreationConflict secondary to the 404104 just before")
            .add(drop)
            .add(link);
      } else {
        // a second client with the same identity: each connection closes the other one
        long when = at;
        for (int k = 0; k < 2; k++) {
          connect(d, h, when, null);
          SimRecord closed = disconnect(d, h, when + 300 * MS, 400027);
          truth(
                  Truth.device(
                      Scenario.SECONDARY_ERRORS,
                      IncidentKind.SECONDARY_DISCONNECT,
                      true,
                      h.name(),
                      d.id))
              .cause("400027: another client connected with the same device identity")
              .add(closed);
          when += 20 * SEC + r.nextLong(40 * SEC);
        }
        connect(d, h, when, null);
        busy(d, when + MIN);
      }
    }
  }

  private void iotHubThrottling(long t, SplittableRandom r) {
    Hub h = fleet.hubs.get(Math.min(1, fleet.hubs.size() - 1));
    List<Device> on = new ArrayList<>();
    for (Device d : fleet.devices) {
      if (d.hub == h && !d.gone) {
        on.add(d);
      }
    }
    List<Device> hit = take(on, Math.max(Math.min(5, on.size()), (int) (on.size() * 0.3)), r);
    if (hit.isEmpty()) {
      summary(Scenario.IOTHUB_THROTTLING).note = "no device on " + h.name();
      return;
    }
    Truth tr =
        truth(Truth.hub(Scenario.IOTHUB_THROTTLING, IncidentKind.THROTTLED, h.name()))
            .cause("device-to-cloud sends over the hub's throttle for too long: 429001");
    long end = t + 6 * MIN;
    for (Device d : hit) {
      long at = t + r.nextLong(30 * SEC);
      while (at < end) {
        tr.add(telemetryThrottled(d, h, at));
        at += 10 * SEC + r.nextLong(30 * SEC);
      }
    }
  }

  private void massReboot(long t, SplittableRandom r) {
    Dps dps = fleet.dps.get(0);
    List<Device> c = candidates(t, d -> d.dps == dps && !d.group.id().endsWith("x509-b"));
    List<Device> hit = take(c, Math.max(Math.min(10, c.size()), (int) (c.size() * 0.4)), r);
    if (hit.isEmpty()) {
      summary(Scenario.MASS_REBOOT).note = "no device behind " + dps.name();
      return;
    }
    int perMinute = Math.max(5, hit.size() / 6);
    Map<Long, Integer> granted = new HashMap<>();
    Truth tr =
        truth(Truth.dps(Scenario.MASS_REBOOT, IncidentKind.THROTTLED, dps.name()))
            .cause(
                "mass reboot: "
                    + hit.size()
                    + " devices re-registering at once, over the DPS rate: 429");
    List<long[]> attempts = new ArrayList<>();
    for (Device d : hit) {
      reserved.add(d);
      long reboot = t + r.nextLong(90 * SEC);
      disconnect(d, d.hub, reboot, 404104);
      attempts.add(new long[] {d.index, reboot + 20 * SEC + r.nextLong(20 * SEC), 0});
    }
    // serve the attempts in time order against the per-minute rate
    PriorityQueue<long[]> queue = new PriorityQueue<>(Comparator.comparingLong((long[] a) -> a[1]));
    queue.addAll(attempts);
    while (!queue.isEmpty()) {
      long[] a = queue.poll();
      Device d = fleet.devices.get((int) a[0]);
      long at = a[1];
      long minute = Math.floorDiv(at - t, MIN);
      int used = granted.getOrDefault(minute, 0);
      if (used < perMinute) {
        granted.put(minute, used + 1);
        attestation(d, at, 0, 0, null);
        long reg = at + 500 * MS + r.nextLong(SEC);
        registration(d, reg, d.hub);
        long conn = reg + SEC + r.nextLong(3 * SEC);
        connect(d, d.hub, conn, null);
        busy(d, conn + MIN);
        long free = conn + MIN;
        at(Math.max(free, t), () -> reserved.remove(d));
      } else {
        tr.add(attestation(d, at, 429, 429001, "Operations are being throttled by the service."));
        int tries = (int) a[2] + 1;
        long backoff = Math.min(60 * SEC, 5 * SEC << Math.min(tries, 4));
        queue.add(new long[] {a[0], at + backoff + r.nextLong(backoff / 2 + 1), tries});
      }
    }
  }

  private void assignmentFlapping(long t, SplittableRandom r) {
    if (fleet.hubs.size() < 2) {
      summary(Scenario.ASSIGNMENT_FLAPPING).note = "needs at least 2 hubs";
      return;
    }
    List<Device> picked = take(candidates(t, d -> !d.group.id().endsWith("x509-b")), 1, r);
    if (picked.isEmpty()) {
      summary(Scenario.ASSIGNMENT_FLAPPING).note = "no idle device to flap";
      return;
    }
    Device d = picked.get(0);
    reserved.add(d);
    Hub a = d.hub;
    Hub b = fleet.hubs.get((a.index() + 1) % fleet.hubs.size());
    Truth flap =
        truth(
                Truth.registration(
                    Scenario.ASSIGNMENT_FLAPPING,
                    IncidentKind.ASSIGNMENT_FLAPPING,
                    false,
                    d.dps.name(),
                    d.id))
            .cause("assignment flapping between " + a.name() + " and " + b.name());
    flap.enrollmentGroupId = d.group.id();
    long at = t;
    for (int k = 0; k < 6; k++) {
      Hub to = d.hub == a ? b : a;
      Hub from = d.hub;
      Truth moved = move(Scenario.ASSIGNMENT_FLAPPING, d, at, to, r);
      moved.cause("moved from " + from.name() + " to " + to.name() + " (flapping)");
      flap.startMillis = Math.min(flap.startMillis, moved.startMillis);
      flap.endMillis = Math.max(flap.endMillis, moved.endMillis);
      flap.events += moved.events;
      at += 4 * MIN + r.nextLong(2 * MIN);
    }
    flap.hub = d.hub.name();
  }

  private void arcProxy(long t, SplittableRandom r) {
    if (fleet.machines.isEmpty()) {
      summary(Scenario.ARC_PROXY).note = "no machine";
      return;
    }
    int n = Math.max(1, fleet.machines.size() / 4);
    for (int i = 0; i < n; i++) {
      Machine m = fleet.machines.get(i);
      busyMachines.add(m);
      Truth tr =
          truth(Truth.machine(Scenario.ARC_PROXY, IncidentKind.AGENT_CONNECTION_FAILURE, m.name()))
              .cause(AgentCause.PROXY_OR_FIREWALL_BLOCKED.name());
      long at = t + r.nextLong(MIN);
      long end = t + 30 * MIN;
      boolean login = true;
      while (at < end) {
        if (login) {
          tr.add(
              agent(
                  m,
                  at,
                  "error",
                  "Failed to acquire authorization token device flow: Error occurred while sending"
                      + " request for Device Authorization Code: Post https://login.windows.net/"
                      + fleet.tenantId
                      + "/oauth2/devicecode?api-version=1.0:  dial tcp 40.126.9.7:443: connect:"
                      + " network is Forbidden"));
        } else {
          tr.add(
              agent(
                  m,
                  at,
                  "error",
                  "Failed to AzcmagentConnect ARM resource: Get https://management.azure.com/subscriptions/"
                      + fleet.subscriptionId.toLowerCase(Locale.ROOT)
                      + "/resourcegroups/"
                      + Fleet.RESOURCE_GROUP.toLowerCase(Locale.ROOT)
                      + "/providers/Microsoft.HybridCompute/machines/"
                      + m.name()
                      + "?api-version=2019-03-18-preview:  Forbidden"));
        }
        login = !login;
        at += MIN + r.nextLong(MIN);
      }
      final long cleared = end;
      at(
          cleared,
          () -> {
            busyMachines.remove(m);
            agent(m, cleared + 5 * SEC, "info", "Connected machine to Azure");
          });
    }
  }

  private void arcBadSecret(long t, SplittableRandom r) {
    int proxied = options.has(Scenario.ARC_PROXY) ? Math.max(1, fleet.machines.size() / 4) : 0;
    if (fleet.machines.size() <= proxied) {
      summary(Scenario.ARC_BAD_SECRET).note =
          "no machine left after arc-proxy (needs at least " + (proxied + 1) + " machines)";
      return;
    }
    Machine m = fleet.machines.get(proxied);
    busyMachines.add(m);
    Truth tr =
        truth(
                Truth.machine(
                    Scenario.ARC_BAD_SECRET, IncidentKind.AGENT_CONNECTION_FAILURE, m.name()))
            .cause(AgentCause.INVALID_CLIENT_SECRET.name());
    long at = t + r.nextLong(MIN);
    long end = t + 20 * MIN;
    while (at < end) {
      tr.add(
          agent(
              m,
              at,
              "error",
              "Failed to acquire authorization token from SPN: Invalid client secret is provided"));
      at += 2 * MIN + r.nextLong(2 * MIN);
    }
    final long cleared = end;
    at(cleared, () -> busyMachines.remove(m));
  }
}
