package io.linkwatch.ingest.cli;

import io.linkwatch.ingest.IngestException;
import io.linkwatch.ingest.config.KafkaClients;
import io.linkwatch.ingest.sim.Scenario;
import io.linkwatch.ingest.sim.SimOptions;
import io.linkwatch.ingest.sim.Simulation;
import io.linkwatch.ingest.sink.KafkaEventSink;
import io.linkwatch.ingest.sink.KafkaReadiness;
import io.linkwatch.schemas.cli.ClientOptions;
import io.linkwatch.schemas.cli.DurationConverter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.errors.TopicExistsException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code linkwatch simulate}: a fleet producing realistic Azure logs, with its ground truth. */
@Command(
    name = "simulate",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Simulate a fleet of devices on IoT hubs and DPS instances, and Arc-connected machines,"
          + " writing the records Azure would export (Event Hubs envelopes, PT1H lines or Log"
          + " Analytics rows; azcmagent.log lines) with scripted incidents, and the ground truth"
          + " of every incident injected.",
      "",
      "Deterministic: the same --seed and --start give the same records and truth.",
      "",
      "Every scenario is on by default (--list-scenarios describes them); --scenario keeps only"
          + " the named ones, --no-scenario drops some."
    },
    footer = {
      "",
      "Output: with --out DIR, DIR/records.jsonl (or the Storage layout with --storage-layout),"
          + " DIR/agents/<machine>/azcmagent.log, DIR/truth.jsonl and DIR/summary.json; with"
          + " --out FILE, FILE plus FILE.truth.jsonl, FILE.summary.json and FILE.agents/.",
      "",
      "Examples:",
      "  linkwatch simulate --out sim/ --start 2024-05-01T08:00:00Z --duration 6h",
      "  linkwatch simulate --out fleet.jsonl --devices 5000 --hubs 5 --duration 24h --format pt1h",
      "  linkwatch simulate --produce events -b localhost:9092 --speed 60 --truth truth.jsonl",
      "  linkwatch ingest file sim/    # reads the records and agent logs back"
    })
public final class SimulateCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @ArgGroup(exclusive = true, multiplicity = "0..1")
  Destination destination = new Destination();

  static final class Destination {
    @Option(
        names = {"-o", "--out"},
        paramLabel = "FILE|DIR",
        description = "Write the records to a file or a folder.")
    String out;

    @Option(
        names = "--produce",
        paramLabel = "raw|events",
        description =
            "Produce instead of writing: 'raw' to the raw export topics insights-logs-<category>"
                + " (and "
                + "arc-agent-logs), read back by 'ingest kafka'; 'events' parsed"
                + " straight to the event topics.")
    String produce;
  }

  @Option(
      names = "--storage-layout",
      description =
          "With --out DIR: write PT1H.json blobs in the Storage export layout (implies --format pt1h).")
  boolean storageLayout;

  @Option(
      names = "--format",
      paramLabel = "eventhubs|pt1h|loganalytics",
      description = "Export shape of the records (default: ${DEFAULT-VALUE}).",
      defaultValue = "eventhubs",
      converter = FormatConverter.class)
  SimOptions.Format format;

  @Option(names = "--seed", defaultValue = "42", description = "Seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--start",
      paramLabel = "TIME",
      description = "Simulated start, ISO-8601 UTC (default: now minus the duration).")
  String start;

  @Option(
      names = {"-d", "--duration"},
      paramLabel = "DURATION",
      defaultValue = "6h",
      description = "Simulated time span: 90m, 6h, 2d or PT6H (default: ${DEFAULT-VALUE}).")
  String duration;

  @Option(
      names = "--devices",
      defaultValue = "200",
      description = "Devices (default: ${DEFAULT-VALUE}).")
  int devices;

  @Option(
      names = "--hubs",
      defaultValue = "3",
      description = "IoT hubs (default: ${DEFAULT-VALUE}).")
  int hubs;

  @Option(
      names = "--dps",
      defaultValue = "2",
      description = "DPS instances (default: ${DEFAULT-VALUE}).")
  int dps;

  @Option(
      names = "--machines",
      defaultValue = "4",
      description = "Arc machines (default: ${DEFAULT-VALUE}).")
  int machines;

  @Option(
      names = "--scenario",
      paramLabel = "NAME",
      split = ",",
      description = "Inject only these scenarios (repeatable or comma-separated).")
  List<String> only = new ArrayList<>();

  @Option(
      names = "--no-scenario",
      paramLabel = "NAME",
      split = ",",
      description = "Leave these scenarios out (repeatable or comma-separated).")
  List<String> without = new ArrayList<>();

  @Option(names = "--list-scenarios", description = "Describe the scenarios and exit.")
  boolean listScenarios;

  @Option(
      names = "--duplicates",
      defaultValue = "0.005",
      paramLabel = "RATE",
      description = "Share of records delivered twice (default: ${DEFAULT-VALUE}).")
  double duplicates;

  @Option(
      names = "--late",
      defaultValue = "0.02",
      paramLabel = "RATE",
      description = "Share of records arriving 3 to 12 minutes late (default: ${DEFAULT-VALUE}).")
  double late;

  @Option(
      names = "--speed",
      defaultValue = "0",
      paramLabel = "X",
      description =
          "Simulated seconds per second of wall-clock time: 1 is live, 60 a minute per second;"
              + " 0 as fast as possible (default).")
  double speed;

  @Option(
      names = "--rate",
      defaultValue = "0",
      paramLabel = "N",
      description = "At most N records (envelopes, lines) per second; 0 no limit (default).")
  double rate;

  @Option(
      names = "--truth",
      paramLabel = "FILE",
      description = "Ground-truth file (default with --out: beside the output).")
  Path truth;

  @Option(
      names = "--summary",
      paramLabel = "FILE",
      description = "Summary file (default with --out: beside the output).")
  Path summary;

  @Mixin ClientOptions client = new ClientOptions();

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    if (listScenarios) {
      for (Scenario s : Scenario.values()) {
        out.printf(Locale.ROOT, "%-20s %-24s %s%n", s.id(), s.kind(), s.description());
      }
      out.flush();
      return 0;
    }
    try {
      SimOptions options = options();
      Simulation.Outcome outcome;
      if (destination.out != null) {
        Path target = Path.of(destination.out);
        Simulation.Layout layout = Simulation.Layout.of(target, destination.out, storageLayout);
        if (truth != null || summary != null) {
          layout =
              new Simulation.Layout(
                  layout.records(),
                  layout.storageRoot(),
                  layout.agents(),
                  truth != null ? truth : layout.truth(),
                  summary != null ? summary : layout.summary());
        }
        outcome = Simulation.toFiles(options, layout, speed, rate);
      } else if (destination.produce != null) {
        outcome = produce(options, destination.produce);
      } else {
        throw new IllegalArgumentException(
            "say where the records go: --out FILE|DIR or --produce raw|events");
      }
      out.printf(
          Locale.ROOT,
          "simulated %,d devices on %d hub(s) and %d DPS, %d machine(s), %s from %s:%n"
              + "  %,d records in %,d %s%n  %,d incidents injected%s%n",
          options.devices(),
          options.hubs(),
          options.dpsInstances(),
          options.machines(),
          duration,
          options.start(),
          outcome.records(),
          outcome.units(),
          options.format() == SimOptions.Format.EVENTHUBS ? "envelopes/lines" : "lines",
          outcome.incidents(),
          outcome.truth() == null
              ? " (no --truth file given)"
              : ", ground truth " + outcome.truth());
      if (outcome.summaryFile() != null) {
        out.println("  summary " + outcome.summaryFile());
      }
      out.flush();
      return 0;
    } catch (java.io.UncheckedIOException e) {
      return SourceCommand.report(
          spec,
          new IngestException("cannot write the simulation: " + e.getCause().getMessage(), e));
    } catch (IllegalStateException e) {
      return SourceCommand.report(spec, new IngestException(e.getMessage(), e));
    } catch (Exception e) {
      return SourceCommand.report(spec, e);
    }
  }

  SimOptions options() {
    Duration span = DurationConverter.parse(duration);
    Instant from;
    if (start == null) {
      from = Instant.now().minus(span).truncatedTo(ChronoUnit.MINUTES);
    } else {
      try {
        from = Instant.parse(start);
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException(
            "--start '" + start + "' is not an ISO-8601 UTC time such as 2024-05-01T08:00:00Z");
      }
    }
    Set<Scenario> scenarios = EnumSet.allOf(Scenario.class);
    if (!only.isEmpty()) {
      scenarios = EnumSet.noneOf(Scenario.class);
      for (String s : only) {
        scenarios.add(Scenario.of(s));
      }
    }
    for (String s : without) {
      scenarios.remove(Scenario.of(s));
    }
    SimOptions.Format f = storageLayout ? SimOptions.Format.PT1H : format;
    return new SimOptions(
        seed, from, span, devices, hubs, dps, machines, scenarios, f, duplicates, late);
  }

  private Simulation.Outcome produce(SimOptions options, String what) {
    String mode = what.strip().toLowerCase(Locale.ROOT);
    if (!mode.equals("raw") && !mode.equals("events")) {
      throw new IllegalArgumentException("--produce must be 'raw' or 'events', not '" + what + "'");
    }
    try (IngestRuntime rt = IngestRuntime.create(client, Map.of(), new SimpleMeterRegistry())) {
      if (mode.equals("events")) {
        try (KafkaEventSink sink = rt.openSink("simulator", Map.of())) {
          Simulation.Outcome o =
              Simulation.toEvents(
                  options, rt.azureParser(), rt.agentParser(), sink, truth, summary, speed, rate);
          sink.flush();
          return o;
        }
      }
      Map<String, Object> admin = KafkaClients.admin(rt.settings, "linkwatch-simulator-admin");
      KafkaReadiness.await(admin, List.of(), Duration.ofMillis(rt.config.startupTimeoutMs()));
      createRawTopics(admin);
      try (KafkaProducer<byte[], byte[]> producer =
          new KafkaProducer<>(KafkaClients.producer(rt.settings, "linkwatch-simulator"))) {
        return Simulation.toRawTopics(options, producer, truth, summary, speed, rate);
      }
    }
  }

  /** The raw topics are not in the topic plan: create the ones the simulation writes. */
  private static void createRawTopics(Map<String, Object> admin) {
    List<NewTopic> topics = new ArrayList<>();
    for (String category :
        List.of(
            "Connections",
            "DeviceTelemetry",
            "TwinQueries",
            "DeviceOperations",
            "ServiceOperations")) {
      topics.add(
          new NewTopic(
              "insights-logs-" + category.toLowerCase(Locale.ROOT),
              java.util.Optional.empty(),
              java.util.Optional.empty()));
    }
    topics.add(
        new NewTopic("arc-agent-logs", java.util.Optional.empty(), java.util.Optional.empty()));
    try (Admin a = Admin.create(admin)) {
      for (var e : a.createTopics(topics).values().entrySet()) {
        try {
          e.getValue().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException ex) {
          if (!(ex.getCause() instanceof TopicExistsException)) {
            throw new IngestException(
                "cannot create the raw topic " + e.getKey() + ": " + ex.getCause().getMessage(),
                ex);
          }
        } catch (java.util.concurrent.TimeoutException ex) {
          throw new IngestException("timed out creating the raw topic " + e.getKey(), ex);
        } catch (InterruptedException ex) {
          Thread.currentThread().interrupt();
          throw new IngestException("interrupted", ex);
        }
      }
    }
  }

  /** Lower-case names for the formats on the command line. */
  static final class FormatConverter implements ITypeConverter<SimOptions.Format> {
    @Override
    public SimOptions.Format convert(String value) {
      try {
        return SimOptions.Format.valueOf(value.strip().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new picocli.CommandLine.TypeConversionException(
            "'" + value + "' is not one of eventhubs, pt1h, loganalytics");
      }
    }
  }
}
