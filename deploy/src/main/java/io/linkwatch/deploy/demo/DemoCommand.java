package io.linkwatch.deploy.demo;

import io.linkwatch.deploy.cli.ExitCode;
import io.linkwatch.deploy.config.Role;
import io.linkwatch.ingest.sim.SimOptions;
import io.linkwatch.schemas.cli.DurationConverter;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code linkwatch demo}: everything in one process on a simulated fleet — a real Kafka broker, the
 * topics and the default rules, the simulator through the ingest parsers, the streams topology, the
 * sink with its console receiver and dashboard — with a live progress line, each alert as it fires
 * and resolves, and a summary that compares what was detected with what the simulator injected.
 * {@link DemoRun} does the work; this class holds the options.
 */
@Command(
    name = "demo",
    sortOptions = false,
    description = {
      "Everything in one process on a simulated fleet: alerts as they fire, a dashboard, a"
          + " summary.",
      "",
      "A real Kafka broker (KRaft), the"
          + " linkwatch topics and default rules, a fleet of devices on IoT hubs, DPS instances"
          + " and Arc machines writing the logs Azure would export (with scripted incidents),"
          + " ingest, streams and sink. Prints each alert as it fires and resolves, serves the"
          + " dashboard and the Prometheus metrics, and ends with a summary that compares what"
          + " was found with what was injected.",
      "",
      "Data (broker, state, the simulator's ground truth) stays in --data-dir: running again"
          + " keeps the history of earlier runs and replays a new fleet day; --fresh starts from"
          + " an empty broker.",
      ""
    },
    footer = {
      "",
      "Examples:",
      "  linkwatch demo                          # about two minutes, then a summary",
      "  linkwatch demo --follow                 # then keep the fleet running live until Ctrl-C",
      "  linkwatch demo --input exports/         # your own PT1H.json / Event Hubs exports",
      "  linkwatch demo --kafka-port 29092 --dashboard-port 28088",
      "",
      "Exit codes: 0 done, 1 failed (e.g. a port in use), 2 bad flag, 130 interrupted."
    })
public final class DemoCommand implements Callable<Integer> {

  /** The replay of the default run takes about this long. */
  static final Duration DEFAULT_REPLAY = Duration.ofSeconds(90);

  @Spec private CommandSpec spec;

  @Option(
      names = {"-d", "--data-dir"},
      paramLabel = "DIR",
      defaultValue = "data/demo",
      description =
          "Where the broker and the pipeline keep their data (default: ./${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(names = "--fresh", description = "Delete --data-dir first: an empty broker, no history.")
  boolean fresh;

  @Option(
      names = {"-f", "--follow"},
      description =
          "After the summary, keep running until Ctrl-C: the simulated fleet goes on live (or"
              + " --input files are followed).")
  boolean follow;

  @Option(
      names = {"-i", "--input"},
      paramLabel = "PATH",
      arity = "1..*",
      description =
          "Files or folders of real exports (PT1H.json, Event Hubs envelopes, Log Analytics"
              + " rows, azcmagent.log) instead of the simulator.")
  List<Path> inputs = new ArrayList<>();

  @Option(
      names = "--duration",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      defaultValue = "6h",
      description = "Simulated time span, ending now (default: ${DEFAULT-VALUE}).")
  Duration duration;

  @Option(
      names = "--speed",
      paramLabel = "X",
      description =
          "Simulated seconds per second (default: the span replayed in about "
              + "90 s, e.g. 240 for 6h).")
  Double speed;

  @Option(
      names = "--devices",
      defaultValue = "500",
      description = "Simulated devices (default: ${DEFAULT-VALUE}).")
  int devices;

  @Option(
      names = "--hubs",
      defaultValue = "3",
      description = "IoT hubs (default: ${DEFAULT-VALUE}).")
  int hubs;

  @Option(
      names = "--seed",
      defaultValue = "42",
      description = "Simulator seed: the same seed gives the same fleet and incidents.")
  long seed;

  @Option(
      names = "--kafka-port",
      defaultValue = "9092",
      description =
          "Port of the embedded broker (default: ${DEFAULT-VALUE}; the controller uses the next one).")
  int kafkaPort;

  @Option(
      names = "--dashboard-port",
      defaultValue = "8088",
      description = "Port of the dashboard and of /metrics (default: ${DEFAULT-VALUE}).")
  int dashboardPort;

  @Option(
      names = "--http-port",
      defaultValue = "7070",
      description =
          "Port of the streams role's HTTP server: health, interactive queries, its own /metrics"
              + " (default: ${DEFAULT-VALUE}).")
  int httpPort;

  @Option(
      names = "--host",
      defaultValue = "127.0.0.1",
      description =
          "Address the broker, the dashboard and the HTTP server listen on (default:"
              + " ${DEFAULT-VALUE}; 0.0.0.0 to reach them from another machine).")
  String host;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description =
          "A setting of the streams or sink role over the demo's (repeatable), e.g. --set"
              + " streams.grace.ms=120000 (docs/configuration.md).")
  Map<String, String> overrides = new LinkedHashMap<>();

  @Option(
      names = "--color",
      defaultValue = "auto",
      paramLabel = "WHEN",
      description = "auto (on a terminal, unless NO_COLOR is set), always or never.")
  String color;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    validate();
    if (!portsFree(err)) {
      return ExitCode.FAILED;
    }
    boolean terminal = System.console() != null;
    boolean colour =
        switch (color.toLowerCase(Locale.ROOT)) {
          case "always" -> true;
          case "never" -> false;
          default -> terminal && System.getenv("NO_COLOR") == null;
        };
    DemoConsole console = new DemoConsole(out, terminal, colour, 15_000);
    DemoRun run = new DemoRun(this, console);
    CountDownLatch finished = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              run.interrupt();
              try {
                finished.await(60, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "linkwatch-demo-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      return run.call();
    } finally {
      finished.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // Ctrl-C: the hook is running and waits for us
      }
    }
  }

  private void validate() {
    CommandLine cli = spec.commandLine();
    if (devices < 1 || hubs < 1) {
      throw new CommandLine.ParameterException(cli, "--devices and --hubs must be at least 1");
    }
    if (duration.compareTo(Duration.ofHours(2)) < 0) {
      throw new CommandLine.ParameterException(
          cli, "--duration must be at least 2h, not " + duration.toMinutes() + "m");
    }
    if (speed != null && speed <= 0) {
      throw new CommandLine.ParameterException(cli, "--speed must be positive, not " + speed);
    }
    if (!color.matches("(?i)auto|always|never")) {
      throw new CommandLine.ParameterException(
          cli, "--color must be auto, always or never, not '" + color + "'");
    }
    for (String key : overrides.keySet()) {
      if (!Role.STREAMS.knownKeys().accepts(key) && !Role.SINK.knownKeys().accepts(key)) {
        throw new CommandLine.ParameterException(
            cli, "--set " + key + ": not a setting of the streams or sink role");
      }
    }
    for (int port : List.of(kafkaPort, dashboardPort, httpPort)) {
      if (port < 1 || port > 65534) {
        throw new CommandLine.ParameterException(cli, "port " + port + " is out of range");
      }
    }
  }

  /** Says, one line per port, which port is taken and which flag picks another. */
  private boolean portsFree(PrintWriter err) {
    boolean ok = true;
    ok &= free(err, kafkaPort, "Kafka", "--kafka-port");
    ok &= free(err, kafkaPort + 1, "the Kafka controller (--kafka-port + 1)", "--kafka-port");
    ok &= free(err, dashboardPort, "the dashboard", "--dashboard-port");
    ok &= free(err, httpPort, "the streams HTTP server", "--http-port");
    err.flush();
    return ok;
  }

  private boolean free(PrintWriter err, int port, String what, String flag) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getByName(host), port));
      return true;
    } catch (java.io.IOException e) {
      err.println(
          "demo: port "
              + port
              + " for "
              + what
              + " is in use on "
              + host
              + "; choose another with "
              + flag
              + " (e.g. "
              + flag
              + " "
              + (port + 20000 <= 65534 ? port + 20000 : port - 1000)
              + ")");
      return false;
    }
  }

  /** The simulation the options ask for: the span ending when the replay ends. */
  SimOptions simulation(Instant now) {
    double x = effectiveSpeed();
    Duration replay = Duration.ofMillis((long) (duration.toMillis() / x));
    Instant start = now.minus(duration).plus(replay).truncatedTo(ChronoUnit.SECONDS);
    SimOptions d = SimOptions.defaults(seed, start);
    return new SimOptions(
        seed,
        start,
        duration,
        devices,
        hubs,
        d.dpsInstances(),
        d.machines(),
        EnumSet.copyOf(d.scenarios()),
        SimOptions.Format.EVENTHUBS,
        d.duplicateRate(),
        d.lateRate());
  }

  double effectiveSpeed() {
    return speed != null
        ? speed
        : Math.max(1.0, (double) duration.toMillis() / DEFAULT_REPLAY.toMillis());
  }
}
