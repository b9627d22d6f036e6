package io.linkwatch.ingest.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.linkwatch.avro.AgentEvent;
import io.linkwatch.avro.ConnectionEvent;
import io.linkwatch.avro.DeadLetter;
import io.linkwatch.avro.IncidentKind;
import io.linkwatch.avro.ProvisioningEvent;
import io.linkwatch.avro.SourceKind;
import io.linkwatch.ingest.parse.AgentLogParser;
import io.linkwatch.ingest.parse.AzureLogParser;
import io.linkwatch.ingest.parse.Origin;
import io.linkwatch.ingest.parse.ParseOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class FleetSimulatorTest {

  private static final Instant START = Instant.parse("2024-05-01T08:00:00Z");

  /** Everything a simulation produced once parsed back. */
  static final class Parsed implements ParseOutput {
    final List<ConnectionEvent> connections = new ArrayList<>();
    final List<ProvisioningEvent> provisioning = new ArrayList<>();
    final List<AgentEvent> agents = new ArrayList<>();
    final List<DeadLetter> deadLetters = new ArrayList<>();

    @Override
    public void connection(String key, ConnectionEvent event) {
      connections.add(event);
    }

    @Override
    public void provisioning(String key, ProvisioningEvent event) {
      provisioning.add(event);
    }

    @Override
    public void agent(String key, AgentEvent event) {
      agents.add(event);
    }

    @Override
    public void deadLetter(String key, DeadLetter deadLetter) {
      deadLetters.add(deadLetter);
    }
  }

  static Parsed parseAll(Path dir) throws IOException {
    Parsed p = new Parsed();
    AzureLogParser azure = new AzureLogParser(1 << 20, 1 << 16, () -> 0L);
    AgentLogParser agent = new AgentLogParser(1 << 20, 1 << 16, () -> 0L);
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        String name = f.getFileName().toString();
        if (name.equals("truth.jsonl") || name.equals("summary.json")) {
          continue;
        }
        byte[] b = Files.readAllBytes(f);
        if (name.endsWith(".log")) {
          agent.parseLines(
              b,
              0,
              b.length,
              f.getParent().getFileName().toString(),
              name,
              Origin.line(SourceKind.FILE, f.toString(), 1),
              p);
        } else {
          azure.parsePayload(b, 0, b.length, Origin.line(SourceKind.FILE, f.toString(), 1), p);
        }
      }
    }
    return p;
  }

  static Simulation.Outcome simulate(Path dir, SimOptions o) {
    return Simulation.toFiles(o, Simulation.Layout.of(dir, dir + "/", false), 0, 0);
  }

  @ParameterizedTest
  @EnumSource(SimOptions.Format.class)
  void shouldWriteRecordsEveryParserReadsWithoutADeadLetter(
      SimOptions.Format format, @TempDir Path dir) throws IOException {
    SimOptions o = withFormat(SimOptions.defaults(7, START), format);

    simulate(dir, o);
    Parsed p = parseAll(dir);

    assertThat(p.deadLetters).extracting(DeadLetter::getReason).isEmpty();
    assertThat(p.connections).hasSizeGreaterThan(1000);
    assertThat(p.provisioning).hasSizeGreaterThan(200);
    assertThat(p.agents).isNotEmpty();
  }

  @Test
  void shouldInjectEveryScenarioWithItsDefaults(@TempDir Path dir) throws IOException {
    Simulation.Outcome out = simulate(dir, SimOptions.defaults(42, START));

    List<String> truth = Files.readAllLines(dir.resolve("truth.jsonl"));
    for (Scenario s : Scenario.values()) {
      assertThat(truth).as(s.id()).anyMatch(l -> l.contains("\"scenario\":\"" + s.id() + "\""));
    }
    for (IncidentKind k : EnumSet.complementOf(EnumSet.of(IncidentKind.OTHER))) {
      assertThat(truth).as(k.name()).anyMatch(l -> l.contains("\"kind\":\"" + k.name() + "\""));
    }
    assertThat(out.incidents()).isEqualTo(truth.size());
    assertThat(Files.readString(dir.resolve("summary.json")))
        .contains("\"scenario\":\"hub-outage\"")
        .contains("\"hubs\":[\"lw-hub-01\"]");
  }

  @Test
  void shouldBeTheSameForTheSameSeedAndStart(@TempDir Path a, @TempDir Path b, @TempDir Path c)
      throws IOException {
    simulate(a, SimOptions.defaults(42, START));
    simulate(b, SimOptions.defaults(42, START));
    simulate(c, SimOptions.defaults(43, START));

    assertThat(Files.readString(a.resolve("records.jsonl")))
        .isEqualTo(Files.readString(b.resolve("records.jsonl")));
    assertThat(Files.readString(a.resolve("truth.jsonl")))
        .isEqualTo(Files.readString(b.resolve("truth.jsonl")));
    assertThat(Files.readString(a.resolve("truth.jsonl")))
        .isNotEqualTo(Files.readString(c.resolve("truth.jsonl")));
  }

  @Test
  void shouldReportEveryTokenRenewalOfTheHealthyFleetInTheTruth(@TempDir Path dir)
      throws IOException {
    simulate(dir, SimOptions.defaults(11, START));
    Parsed p = parseAll(dir);

    // every 401003 of a renewing device is a TOKEN_RENEWAL line; the revoked device's are not
    Map<String, Integer> unauthorized = new HashMap<>();
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (ConnectionEvent e : p.connections) {
      if (Integer.valueOf(401003).equals(e.getResultCode()) && seen.add(e.getEventId())) {
        unauthorized.merge(e.getHub() + "/" + e.getDeviceId(), 1, Integer::sum);
      }
    }
    List<String> truth = Files.readAllLines(dir.resolve("truth.jsonl"));
    Map<String, Integer> renewals = new HashMap<>();
    for (String l : truth) {
      String subject = l.replaceAll(".*\"subject\":\"([^\"]+)\".*", "$1");
      if (l.contains("\"kind\":\"TOKEN_RENEWAL\"")) {
        assertThat(l).contains("\"benign\":true").contains("\"events\":3");
        renewals.merge(subject, 1, Integer::sum);
      }
      if (l.contains("\"kind\":\"AUTH_FAILURE\"")) {
        // the revoked device: a 401003, a 404104, then failing reconnects, all 401003 but one
        int events = Integer.parseInt(l.replaceAll(".*\"events\":(\\d+).*", "$1"));
        assertThat(events).isGreaterThan(3);
        unauthorized.merge(subject, -(events - 1), Integer::sum);
      }
    }
    unauthorized.values().removeIf(n -> n == 0);
    assertThat(renewals).isEqualTo(unauthorized);
  }

  @Test
  void shouldWriteTheStorageExportLayoutBinnedByHour(@TempDir Path dir) throws IOException {
    SimOptions o = withFormat(SimOptions.defaults(5, START), SimOptions.Format.PT1H);

    Simulation.toFiles(o, Simulation.Layout.of(dir, dir.toString(), true), 0, 0);

    try (Stream<Path> files = Files.walk(dir)) {
      List<String> blobs =
          files
              .filter(f -> f.getFileName().toString().equals("PT1H.json"))
              .map(f -> dir.relativize(f).toString())
              .toList();
      assertThat(blobs)
          .anyMatch(
              b ->
                  b.matches(
                      "insights-logs-connections/resourceId=/SUBSCRIPTIONS/[0-9A-F-]+/RESOURCEGROUPS/"
                          + "RG-LINKWATCH-SIM/PROVIDERS/MICROSOFT.DEVICES/IOTHUBS/LW-HUB-01/"
                          + "y=2024/m=05/d=01/h=08/m=00/PT1H.json"))
          .anyMatch(b -> b.startsWith("insights-logs-deviceoperations/"));
    }
    assertThat(parseAll(dir).deadLetters).isEmpty();
  }

  private static SimOptions withFormat(SimOptions o, SimOptions.Format f) {
    return new SimOptions(
        o.seed(),
        o.start(),
        o.duration(),
        o.devices(),
        o.hubs(),
        o.dpsInstances(),
        o.machines(),
        o.scenarios(),
        f,
        o.duplicateRate(),
        o.lateRate());
  }

  static String text(Path p) throws IOException {
    return new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
  }
}
