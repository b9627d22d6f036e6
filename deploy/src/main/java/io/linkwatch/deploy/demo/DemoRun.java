package io.linkwatch.deploy.demo;

import ch.qos.logback.classic.Level;
import io.linkwatch.avro.Alert;
import io.linkwatch.avro.AlertRule;
import io.linkwatch.avro.IncidentKind;
import io.linkwatch.deploy.broker.EmbeddedKafkaBroker;
import io.linkwatch.deploy.cli.ExitCode;
import io.linkwatch.deploy.config.Role;
import io.linkwatch.ingest.config.KafkaClients;
import io.linkwatch.ingest.sim.SimOptions;
import io.linkwatch.ingest.sink.IngestMetrics;
import io.linkwatch.ingest.sink.KafkaEventSink;
import io.linkwatch.schemas.config.CommonConfig;
import io.linkwatch.schemas.config.KafkaClientSettings;
import io.linkwatch.schemas.serde.AvroSerdes;
import io.linkwatch.schemas.topic.TopicPlan;
import io.linkwatch.schemas.topic.TopicPlanApplier;
import io.linkwatch.schemas.topic.Topics;
import io.linkwatch.sink.AlertSink;
import io.linkwatch.sink.alert.AlertLabels;
import io.linkwatch.sink.config.SinkConfig;
import io.linkwatch.sink.routing.RoutingPlan;
import io.linkwatch.streams.app.StreamsRunner;
import io.linkwatch.streams.config.StreamsAppConfig;
import io.linkwatch.streams.rules.RuleLoader;
import io.linkwatch.streams.rules.RulePlan;
import io.linkwatch.streams.rules.RuleSet;
import io.linkwatch.streams.rules.RuleTopic;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.utils.AppInfoParser;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.LoggerFactory;

/**
 * One run of {@code linkwatch demo}: starts the broker and the three roles in this process, feeds
 * them, shows progress and alerts, and prints the summary; then stops everything in the reverse
 * order (or keeps running with {@code --follow}).
 *
 * <p>Each run is a new generation over the same broker data: its own streams application id and
 * sink consumer groups, whose offsets are set to the end of the topics before they start, so a run
 * processes only its own events and never mixes its event time with an earlier run's. The internal
 * topics and state of earlier generations are deleted; their records stay in the linkwatch topics,
 * where {@code linkwatch tail} shows them.
 */
final class DemoRun implements Callable<Integer> {

  private static final DateTimeFormatter CLOCK =
      DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);
  private static final String RUN_PREFIX = "linkwatch-demo-run-";
  private static final Duration SETTLE = Duration.ofSeconds(12);

  /**
   * Quiet time after which the run is over although alerts still fire: an incident that lasts to
   * the end of the span (the revoked device) keeps its alert firing for good, and once the input
   * has stopped, event time moves only with the wall clock (streams.idle.close.ms), so windows that
   * still wait for their grace would take minutes more to close. Waiting the full {@link
   * #SETTLE_MAX} for it added 3 minutes to every demo and changed nothing in it.
   */
  private static final Duration SETTLE_FIRING = Duration.ofSeconds(30);

  private static final Duration SETTLE_MAX = Duration.ofMinutes(3);

  /**
   * Records (event topics and repartition topics) the streams role may have to catch up on before
   * the simulator waits.
   */
  private static final long MAX_LAG = 3_000;

  /** Partitions of the demo's topics and repartition topics. */
  private static final int PARTITIONS = 3;

  private final DemoCommand o;
  private final DemoConsole console;
  private final List<AutoCloseable> open = new ArrayList<>();
  private final long startedNanos = System.nanoTime();
  private volatile boolean interrupted;
  private volatile Thread main;

  DemoRun(DemoCommand options, DemoConsole console) {
    this.o = options;
    this.console = console;
  }

  /** Ctrl-C: stop waiting, print what there is, close. */
  void interrupt() {
    interrupted = true;
    Thread t = main;
    if (t != null) {
      t.interrupt();
    }
  }

  @Override
  public Integer call() throws Exception {
    main = Thread.currentThread();
    quietLogs();
    try {
      return run();
    } catch (InterruptedException e) {
      console.endProgress();
      console.line("demo: interrupted");
      return ExitCode.INTERRUPTED;
    } finally {
      close();
    }
  }

  private int run() throws Exception {
    Path dir = o.dataDir.toAbsolutePath().normalize();
    if (o.fresh) {
      deleteTree(dir);
    }
    Files.createDirectories(dir);
    int runNumber = nextRun(dir);
    Path runDir = dir.resolve("run-" + runNumber);
    Files.createDirectories(runDir);
    boolean simulated = o.inputs.isEmpty();
    Instant now = Instant.now();
    SimOptions sim = o.simulation(now);

    intro(sim, simulated);

    // ---------------------------------------------------------------- the broker
    long t = System.nanoTime();
    EmbeddedKafkaBroker broker =
        EmbeddedKafkaBroker.builder()
            .host(o.host)
            .port(o.kafkaPort)
            .dataDir(dir.resolve("broker"))
            .start();
    open.add(broker);
    step(
        "Kafka "
            + AppInfoParser.getVersion()
            + " broker (KRaft, one node) on "
            + broker.bootstrapServers()
            + ", data in "
            + relative(broker.dataDir())
            + (broker.formattedNewStorage() ? " (new)" : " (kept from earlier runs)"),
        t);

    Map<String, String> settings = new LinkedHashMap<>();
    settings.put(CommonConfig.BOOTSTRAP_SERVERS, broker.bootstrapServers());
    // one broker and one instance of each role: a few partitions are plenty, and each exactly
    // once commit touches fewer of them
    settings.put(TopicPlan.PARTITIONS, Integer.toString(PARTITIONS));
    AbstractConfig common = new AbstractConfig(CommonConfig.define(new ConfigDef()), settings);
    AvroSerdes serdes = CommonConfig.serdes(common);
    open.add(0, serdes);
    Topics topics = CommonConfig.topics(common, serdes);
    Admin admin = Admin.create(new HashMap<>(KafkaClientSettings.admin(settings)));
    open.add(0, admin);

    // ---------------------------------------------------------------- topics and rules
    t = System.nanoTime();
    List<TopicPlanApplier.Change> changes =
        new TopicPlanApplier(admin, Duration.ofSeconds(60)).apply(CommonConfig.topicPlan(common));
    long created =
        changes.stream().filter(c -> c.outcome() == TopicPlanApplier.Outcome.CREATED).count();
    RuleSet pack = RuleLoader.loadDefaultPack();
    RuleTopic ruleTopic = new RuleTopic(settings, topics.alertRules(), Duration.ofSeconds(60));
    Map<String, AlertRule> held = ruleTopic.readAll();
    RulePlan rulePlan = RulePlan.of(pack.alertRules(), held, false);
    int written = ruleTopic.publish(rulePlan);
    step(
        changes.size()
            + " topics ("
            + (created == 0 ? "all there already" : created + " created")
            + "), "
            + pack.alertRules().size()
            + " rules of the default pack ("
            + (written == 0 ? "unchanged" : written + " written")
            + ")",
        t);

    // ---------------------------------------------------------------- this run's generation
    String appId = RUN_PREFIX + runNumber;
    String sinkGroup = appId + "-sink";
    forgetEarlierRuns(admin, dir, appId);
    List<String> inputs =
        List.of(topics.connections().name(), topics.provisioning().name(), topics.agent().name());
    startAtTheEnd(admin, appId, inputs);
    startAtTheEnd(admin, sinkGroup + ".console", List.of(topics.alerts().name()));
    Map<TopicPartition, Long> watchFrom = endOffsets(admin, RunWatcher.watched(topics));
    RunWatcher watcher =
        new RunWatcher(new HashMap<>(KafkaClientSettings.consumer(settings)), topics, watchFrom);
    Thread watcherThread = new Thread(watcher, "linkwatch-demo-watcher");
    watcherThread.setDaemon(true);
    watcherThread.start();
    open.add(0, watcher);

    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);

    // ---------------------------------------------------------------- streams
    t = System.nanoTime();
    Map<String, String> streamsSettings = new LinkedHashMap<>(settings);
    streamsSettings.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
    streamsSettings.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("streams").toString());
    streamsSettings.put(StreamsAppConfig.HTTP_HOST, o.host);
    streamsSettings.put(StreamsAppConfig.HTTP_PORT, Integer.toString(o.httpPort));
    // the simulator delivers 2 % of its records 3 to 12 minutes late, as Azure does: windows wait
    // for them as the correlation does (streams.correlation.grace.ms), so late records count in
    // their window instead of revising it or being dropped
    streamsSettings.put(
        StreamsAppConfig.GRACE_MS, Long.toString(Duration.ofMinutes(15).toMillis()));
    // one machine, one process: fewer, larger transactions (exactly once commits every second
    // instead of every 100 ms) leave the CPU to the work; alerts still come within seconds
    streamsSettings.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "1000");
    // a loaded laptop can stall a commit for seconds: let the transaction outlive it rather than
    // fence the producer and migrate the task (Kafka Streams' default is 10 s)
    streamsSettings.put(
        StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG), "60000");
    streamsSettings.put(StreamsAppConfig.WINDOW_PARTITIONS, Integer.toString(PARTITIONS));
    overrides(Role.STREAMS, streamsSettings);
    StreamsRunner streams = new StreamsRunner(streamsSettings);
    open.add(0, streams);
    streams.start();
    awaitRunning(streams);
    step("streams: the topology runs, exactly once (application.id " + appId + ")", t);

    // ---------------------------------------------------------------- sink
    t = System.nanoTime();
    Map<String, String> sinkSettings = new LinkedHashMap<>(settings);
    sinkSettings.put(SinkConfig.GROUP_ID, sinkGroup);
    sinkSettings.put(SinkConfig.STATE_DIR, runDir.resolve("sink").toString());
    sinkSettings.put(SinkConfig.START, "latest");
    sinkSettings.put(SinkConfig.DASHBOARD_HOST, o.host);
    sinkSettings.put(SinkConfig.DASHBOARD_PORT, Integer.toString(o.dashboardPort));
    sinkSettings.put(
        SinkConfig.DASHBOARD_CHART_HISTORY, "PT" + (o.duration.plusHours(1).toMinutes()) + "M");
    AlertSink sink =
        AlertSink.start(
            new SinkConfig(overrides(Role.SINK, sinkSettings)),
            RoutingPlan.consoleOnly(),
            registry,
            registry::scrape,
            console.blockStream(),
            console.colour());
    open.add(0, () -> sink.close());
    step("sink: alerts to this console and to the dashboard", t);

    urls(broker);
    explain(simulated);

    // ---------------------------------------------------------------- the feed
    KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(KafkaClients.producer(settings, "linkwatch-demo-ingest"));
    KafkaEventSink events =
        new KafkaEventSink(
            producer,
            topics,
            new IngestMetrics(registry, simulated ? "simulator" : "file"),
            1 << 20);
    open.add(0, events);
    Path truth = runDir.resolve("truth.jsonl");
    Feed feed =
        simulated
            ? Feed.simulation(
                List.of(new Feed.Phase(sim, truth, runDir.resolve("simulation.json"))),
                o.effectiveSpeed(),
                events)
            : Feed.files(o.inputs, false, events);
    open.add(0, feed);
    feed.start();

    // ---------------------------------------------------------------- watch it run
    Progress progress = new Progress(sim, simulated, feed, watcher);
    String failure = watch(progress, feed, watcher, streams, sink, admin, appId, inputs);
    console.endProgress();
    long elapsed = System.nanoTime() - startedNanos;
    String summary = summary(simulated, sim, feed, watcher, truth, elapsed, failure);
    console.block(summary);
    Files.writeString(runDir.resolve("summary.txt"), plain(summary), StandardCharsets.UTF_8);
    if (failure != null) {
      return ExitCode.FAILED;
    }
    if (interrupted) {
      return ExitCode.INTERRUPTED;
    }
    if (o.follow) {
      return follow(sim, simulated, events, watcher, streams, sink);
    }
    console.line(
        console.dim(
            "Stopping. The data stays in "
                + relative(dir)
                + ": run again to replay a new day next to this one's history, --fresh to"
                + " start over, --follow to keep the fleet running live."));
    return ExitCode.OK;
  }

  // ------------------------------------------------------------------ phases

  private void intro(SimOptions sim, boolean simulated) {
    console.line("");
    console.line(console.bold("linkwatch demo"));
    if (simulated) {
      console.line(
          String.format(
              Locale.ROOT,
              "A simulated fleet of %,d devices on %d IoT hubs and %d DPS instances, and %d"
                  + " Arc-connected machines: %s of their diagnostic logs, replayed in %s at the"
                  + " earliest (the simulator waits whenever the pipeline falls behind: about"
                  + " two minutes on two cores).",
              sim.devices(),
              sim.hubs(),
              sim.dpsInstances(),
              sim.machines(),
              human(o.duration),
              human(Duration.ofMillis((long) (o.duration.toMillis() / o.effectiveSpeed())))));
    } else {
      console.line("Your exports: " + o.inputs);
    }
    console.line("");
  }

  private void step(String what, long startedNanos) {
    long ms = (System.nanoTime() - startedNanos) / 1_000_000;
    console.line(
        "  "
            + console.green("✓")
            + " "
            + what
            + console.dim(String.format(Locale.ROOT, "  %.1f s", ms / 1000.0)));
  }

  private void urls(EmbeddedKafkaBroker broker) {
    String h =
        o.host.equals("0.0.0.0") ? "localhost" : o.host.equals("127.0.0.1") ? "localhost" : o.host;
    console.line("");
    console.line("  Dashboard    " + console.bold("http://" + h + ":" + o.dashboardPort + "/"));
    console.line(
        "  Prometheus   http://"
            + h
            + ":"
            + o.dashboardPort
            + "/metrics   (streams: http://"
            + h
            + ":"
            + o.httpPort
            + "/metrics, incidents: /api/incidents)");
    console.line(
        "  Kafka        "
            + broker.bootstrapServers()
            + "   e.g. in another terminal: ./linkwatch tail alerts -b "
            + broker.bootstrapServers());
    console.line("");
  }

  private void explain(boolean simulated) {
    if (simulated) {
      console.line(
          console.bold("What happens")
              + ": the devices connect, send telemetry and renew their SAS tokens every hour."
              + " Along the way the simulator injects incidents: a device whose credentials were"
              + " revoked, an outage of one hub, an enrollment group with a bad certificate,"
              + " throttling on a hub and on DPS after a mass reboot, a device whose hub"
              + " assignment flaps, devices on SDKs too old to reprovision, Arc agents behind a"
              + " blocking proxy or with a bad secret.");
      console.line(
          console.bold("What to look at")
              + ": each alert below as it fires — with its probable cause and the fix — and as"
              + " it resolves. The hourly token renewals look like failures (401003 then"
              + " 404104) but are not: linkwatch recognises them and stays quiet. The dashboard"
              + " shows the board and the charts; the summary compares what was injected with"
              + " what was found.");
    } else {
      console.line(
          console.bold("What to look at")
              + ": each alert below as it fires and resolves, the dashboard, and the summary.");
    }
    console.line("");
  }

  /** Runs until the feed is processed and the alerts have settled; returns a failure or null. */
  private String watch(
      Progress progress,
      Feed feed,
      RunWatcher watcher,
      StreamsRunner streams,
      AlertSink sink,
      Admin admin,
      String appId,
      List<String> inputs)
      throws InterruptedException {
    long caughtUpAt = 0;
    long tick = 0;
    while (!interrupted) {
      String broken = broken(feed, watcher, streams, sink);
      if (broken != null) {
        return broken;
      }
      String phase = null;
      if (!feed.done() && tick % 2 == 0) {
        long lag = lag(admin, appId, inputs);
        if (lag > MAX_LAG) {
          feed.hold(true);
        } else if (lag >= 0 && lag < MAX_LAG / 3) {
          feed.hold(false);
        }
      }
      if (feed.held()) {
        phase = "the simulator waits for streams to catch up";
      }
      if (feed.done()) {
        if (caughtUpAt == 0) {
          long lag = tick % 2 == 0 ? lag(admin, appId, inputs) : -1;
          if (lag == 0) {
            caughtUpAt = System.nanoTime();
          } else {
            phase = "processing the last events";
          }
        }
        if (caughtUpAt != 0) {
          long quiet = System.nanoTime() - watcher.lastActivityNanos();
          long since = System.nanoTime() - caughtUpAt;
          boolean settled = quiet > (watcher.firing() == 0 ? SETTLE : SETTLE_FIRING).toNanos();
          if (settled || since > SETTLE_MAX.toNanos()) {
            return null;
          }
          phase =
              watcher.firing() > 0
                  ? "waiting for the last windows to close (" + watcher.firing() + " still firing)"
                  : "waiting for the last windows to close";
        }
      }
      console.progress(progress.line(phase, console));
      tick++;
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        // Ctrl-C: the summary says what happened until now
        interrupted = true;
      }
    }
    return null;
  }

  private static String broken(
      Feed feed, RunWatcher watcher, StreamsRunner streams, AlertSink sink) {
    if (feed.failure() != null) {
      return "the feed stopped: " + message(feed.failure());
    }
    KafkaStreams.State s = streams.streams().state();
    if (s == KafkaStreams.State.ERROR || s == KafkaStreams.State.NOT_RUNNING) {
      return "the streams role stopped (" + s + "); rerun with --verbose for its logs";
    }
    if (sink.failure().isPresent()) {
      return "the sink stopped: " + message(sink.failure().get());
    }
    if (watcher.failure() != null) {
      return "reading the results failed: " + message(watcher.failure());
    }
    return null;
  }

  /** Keeps the pipeline running, the fleet live, until Ctrl-C. */
  private int follow(
      SimOptions replayed,
      boolean simulated,
      KafkaEventSink events,
      RunWatcher watcher,
      StreamsRunner streams,
      AlertSink sink)
      throws InterruptedException {
    Feed live;
    if (simulated) {
      SimOptions next =
          new SimOptions(
              replayed.seed(),
              replayed.end(),
              Duration.ofDays(1),
              replayed.devices(),
              replayed.hubs(),
              replayed.dpsInstances(),
              replayed.machines(),
              replayed.scenarios(),
              replayed.format(),
              replayed.duplicateRate(),
              replayed.lateRate());
      live = Feed.simulation(List.of(new Feed.Phase(next, null, null)), 1.0, events);
      console.line(
          "Following: the fleet goes on live (real time), incidents spread over the next 24"
              + " hours. Ctrl-C stops.");
    } else {
      live = Feed.files(o.inputs, true, events);
      console.line("Following the input files for new data. Ctrl-C stops.");
    }
    open.add(0, live);
    live.start();
    Progress progress = new Progress(null, simulated, live, watcher);
    while (!interrupted) {
      String broken = broken(live, watcher, streams, sink);
      if (broken != null) {
        console.endProgress();
        console.line("demo: " + broken);
        return ExitCode.FAILED;
      }
      console.progress(progress.line("live", console));
      try {
        Thread.sleep(1000);
      } catch (InterruptedException e) {
        interrupted = true; // Ctrl-C: the way to stop following
      }
    }
    console.endProgress();
    console.line(
        String.format(
            Locale.ROOT,
            "Stopped: %,d events, %,d incidents, %d alerts fired and %d resolved in this run.",
            live.eventsOut(),
            watcher.incidentCount(),
            watcher.fired(),
            watcher.resolved()));
    return ExitCode.OK;
  }

  // ------------------------------------------------------------------ summary

  private String summary(
      boolean simulated,
      SimOptions sim,
      Feed feed,
      RunWatcher watcher,
      Path truthFile,
      long elapsedNanos,
      String failure) {
    StringBuilder b = new StringBuilder("\n");
    b.append(console.bold("Summary"));
    if (simulated) {
      b.append(
          " — "
              + human(o.duration)
              + " of simulated time in "
              + human(Duration.ofNanos(elapsedNanos)));
    }
    if (interrupted) {
      b.append(" (interrupted: what happened until Ctrl-C)");
    }
    b.append('\n');
    long deadIngest = watcher.ingestDeadLetters();
    b.append(
        String.format(
            Locale.ROOT,
            "  events        %,d on the event topics; %,d dead letters from ingest, %,d from the"
                + " pipeline%n",
            feed.eventsOut(),
            deadIngest,
            watcher.pipelineDeadLetters()));
    Map<IncidentKind, Long> kinds = watcher.incidentsByKind();
    b.append(String.format(Locale.ROOT, "  incidents     %,d", watcher.incidentCount()));
    if (!kinds.isEmpty()) {
      List<String> parts = new ArrayList<>();
      kinds.entrySet().stream()
          .sorted(Map.Entry.<IncidentKind, Long>comparingByValue().reversed())
          .forEach(e -> parts.add(e.getKey() + " " + e.getValue()));
      b.append(": ").append(String.join(", ", parts));
    }
    b.append('\n');
    b.append(
        String.format(
            Locale.ROOT,
            "  alerts        %d fired (%d of them inhibited: explained by a wider alert), %d"
                + " resolved, %d still firing%s%n",
            watcher.fired(),
            watcher.inhibited(),
            watcher.resolved(),
            watcher.firing(),
            watcher.revised() == 0
                ? ""
                : console.dim(
                    " ("
                        + watcher.revised()
                        + " revisions of firing alerts as late records arrived, not printed)")));
    for (Alert a : watcher.stillFiring()) {
      b.append("                still firing: ").append(alertName(a)).append('\n');
    }
    if (simulated && feed.done() && Files.exists(truthFile)) {
      b.append('\n');
      b.append(console.bold("Injected by the simulator, and found by linkwatch"));
      b.append(console.dim("  (ground truth: " + relative(truthFile) + ")")).append('\n');
      GroundTruth truth = GroundTruth.read(truthFile);
      List<Alert> transitions = watcher.transitions();
      for (GroundTruth.ScenarioResult r : truth.compare(watcher.incidents(), transitions)) {
        boolean ok = r.allFound() && (!r.benign() || r.alertsFired().isEmpty());
        List<String> found = new ArrayList<>();
        r.injectedByKind()
            .forEach(
                (kind, n) ->
                    found.add(r.foundByKind().getOrDefault(kind, 0) + " of " + n + " " + kind));
        b.append("  ")
            .append(ok ? console.green("✓") : console.yellow("!"))
            .append(' ')
            .append(String.format(Locale.ROOT, "%-20s", r.scenario()))
            .append(String.join(", ", found))
            .append(" found");
        if (r.benign()) {
          b.append(
              r.alertsFired().isEmpty()
                  ? "; benign, no alert (right)"
                  : "; benign, yet " + dedupe(r.alertsFired()).size() + " false alarms");
        }
        b.append('\n');
        for (Alert a : dedupe(r.alertsFired())) {
          b.append("        ")
              .append(alertName(a))
              .append(": fired ")
              .append(CLOCK.format(a.getFiredTime()))
              .append(
                  r.resolvedFingerprints().contains(a.getFingerprint())
                      ? ", resolved"
                      : r.lastsToTheEnd()
                          ? ", still firing (right: the incident lasts to the end of the span)"
                          : console.yellow(", still firing"))
              .append('\n');
        }
        if (!r.benign() && r.alertsFired().isEmpty()) {
          b.append(console.dim("        no alert: the default rules do not page on this"))
              .append('\n');
        }
      }
      List<Alert> other = dedupe(truth.unexplained(transitions));
      if (!other.isEmpty()) {
        b.append("  Alerts on subjects the simulator did not script:\n");
        other.forEach(a -> b.append("        ").append(alertName(a)).append('\n'));
      }
    }
    if (failure != null) {
      b.append('\n').append(console.red("demo: " + failure)).append('\n');
    }
    return b.toString();
  }

  private static List<Alert> dedupe(List<Alert> alerts) {
    Map<String, Alert> byFingerprint = new LinkedHashMap<>();
    alerts.stream()
        .sorted(Comparator.comparing(Alert::getFiredTime))
        .forEach(a -> byFingerprint.putIfAbsent(a.getFingerprint(), a));
    return List.copyOf(byFingerprint.values());
  }

  private static String alertName(Alert a) {
    StringBuilder s = new StringBuilder(AlertLabels.severityName(a.getSeverity()));
    s.append(' ').append(a.getRuleName());
    if (!a.getDimensions().isEmpty()) {
      List<String> dims = new ArrayList<>();
      new java.util.TreeMap<>(a.getDimensions()).forEach((k, v) -> dims.add(k + "=" + v));
      s.append(" {").append(String.join(", ", dims)).append('}');
    }
    return s.toString();
  }

  // ------------------------------------------------------------------ Kafka helpers

  /** Sets a consumer group's offsets to the current end of the topics, before it ever runs. */
  private static void startAtTheEnd(Admin admin, String group, List<String> topicNames)
      throws Exception {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    endOffsets(admin, topicNames).forEach((tp, end) -> offsets.put(tp, new OffsetAndMetadata(end)));
    admin.alterConsumerGroupOffsets(group, offsets).all().get(60, TimeUnit.SECONDS);
  }

  private static Map<TopicPartition, Long> endOffsets(Admin admin, List<String> topicNames)
      throws Exception {
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    admin
        .describeTopics(topicNames)
        .allTopicNames()
        .get(60, TimeUnit.SECONDS)
        .forEach(
            (name, d) ->
                d.partitions()
                    .forEach(
                        p ->
                            request.put(
                                new TopicPartition(name, p.partition()), OffsetSpec.latest())));
    Map<TopicPartition, Long> ends = new HashMap<>();
    admin
        .listOffsets(request)
        .all()
        .get(60, TimeUnit.SECONDS)
        .forEach((tp, info) -> ends.put(tp, info.offset()));
    return ends;
  }

  /** Records of the input topics the streams role has not consumed yet, or -1 if unknown. */
  /**
   * Records the streams role has still to read: on the event topics, and on its own repartition
   * topics (the window engine and the hub-wide detector read those; on a loaded machine they fall
   * behind while the event topics are caught up, and the alerts then came minutes of wall clock
   * after their events, or after the summary). A repartition topic is written in transactions: its
   * last offset of a partition may be a commit marker, never read as a record, so one per partition
   * is not counted there.
   */
  private static long lag(Admin admin, String group, List<String> inputs) {
    try {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin
              .listConsumerGroupOffsets(group)
              .partitionsToOffsetAndMetadata()
              .get(10, TimeUnit.SECONDS);
      List<String> topics = new ArrayList<>(inputs);
      committed.keySet().stream()
          .map(TopicPartition::topic)
          .filter(t -> t.startsWith(group + "-") && t.endsWith("-repartition"))
          .distinct()
          .forEach(topics::add);
      long lag = 0;
      for (Map.Entry<TopicPartition, Long> e : endOffsets(admin, topics).entrySet()) {
        OffsetAndMetadata c = committed.get(e.getKey());
        long behind = Math.max(0, e.getValue() - (c == null ? 0 : c.offset()));
        boolean internal = !inputs.contains(e.getKey().topic());
        lag += internal ? Math.max(0, behind - 1) : behind;
      }
      return lag;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    } catch (Exception e) {
      return -1;
    }
  }

  private void awaitRunning(StreamsRunner streams) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (streams.streams().state() != KafkaStreams.State.RUNNING) {
      KafkaStreams.State s = streams.streams().state();
      if (s == KafkaStreams.State.ERROR || s == KafkaStreams.State.NOT_RUNNING) {
        throw new IllegalStateException(
            "the streams role did not start (" + s + "); rerun with --verbose for its logs");
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "the streams role was not RUNNING after 120 s (state " + s + ")");
      }
      Thread.sleep(100);
    }
  }

  /**
   * Deletes the internal topics and the local state of earlier runs: a new generation starts from
   * the end of the topics and does not need them.
   */
  private static void forgetEarlierRuns(Admin admin, Path dir, String appId) throws Exception {
    Set<String> names = admin.listTopics().names().get(60, TimeUnit.SECONDS);
    List<String> stale =
        names.stream().filter(n -> n.startsWith(RUN_PREFIX) && !n.startsWith(appId + "-")).toList();
    if (!stale.isEmpty()) {
      admin.deleteTopics(stale).all().get(60, TimeUnit.SECONDS);
    }
    Path state = dir.resolve("streams");
    if (Files.isDirectory(state)) {
      try (Stream<Path> apps = Files.list(state)) {
        for (Path p : apps.toList()) {
          if (p.getFileName().toString().startsWith(RUN_PREFIX)
              && !p.getFileName().toString().equals(appId)) {
            deleteTree(p);
          }
        }
      }
    }
  }

  // ------------------------------------------------------------------ small things

  /**
   * Applies the {@code --set} settings a role accepts (a streams key to streams, a dashboard key to
   * the sink), over the demo's own; a key no role accepts was refused before the start.
   */
  private Map<String, String> overrides(Role role, Map<String, String> settings) {
    o.overrides.forEach(
        (k, v) -> {
          if (role.knownKeys().accepts(k)) {
            settings.put(k, v);
          }
        });
    return settings;
  }

  private void close() {
    for (AutoCloseable c : open) {
      try {
        c.close();
      } catch (Exception e) {
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
        LoggerFactory.getLogger(DemoRun.class).debug("while closing", e);
      }
    }
    open.clear();
  }

  private static int nextRun(Path dir) throws IOException {
    int max = 0;
    try (Stream<Path> list = Files.list(dir)) {
      for (Path p : list.toList()) {
        String n = p.getFileName().toString();
        if (n.matches("run-\\d+")) {
          max = Math.max(max, Integer.parseInt(n.substring(4)));
        }
      }
    }
    return max + 1;
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static String relative(Path p) {
    Path cwd = Path.of("").toAbsolutePath();
    Path abs = p.toAbsolutePath().normalize();
    return abs.startsWith(cwd) ? cwd.relativize(abs).toString() : abs.toString();
  }

  static String human(Duration d) {
    long s = Math.max(0, d.toSeconds());
    if (s < 90) {
      return s + " s";
    }
    if (s < 3600) {
      return (s / 60) + " min" + (s % 60 == 0 ? "" : " " + (s % 60) + " s");
    }
    long h = s / 3600;
    long m = (s % 3600) / 60;
    return h + " h" + (m == 0 ? "" : " " + m + " min");
  }

  private static String message(Throwable e) {
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
  }

  private static String plain(String text) {
    return text.replaceAll("\u001b\\[[0-9;]*m", "");
  }

  /**
   * The demo prints its own progress: the roles' INFO logs would drown it (unless --verbose), and
   * Micrometer's notes about Kafka Streams meters it cannot register say nothing to a newcomer.
   */
  private static void quietLogs() {
    if (LoggerFactory.getLogger("io.linkwatch") instanceof ch.qos.logback.classic.Logger l
        && (l.getLevel() == null || l.getLevel().isGreaterOrEqual(Level.INFO))) {
      l.setLevel(Level.WARN);
      // the embedded broker and the clients log what they recover from (a fenced producer, a
      // retried append) at ERROR; the demo reports a role that really stops in one line itself
      for (String name :
          List.of("io.micrometer", "kafka", "state.change.logger", "org.apache.kafka")) {
        if (LoggerFactory.getLogger(name) instanceof ch.qos.logback.classic.Logger m) {
          m.setLevel(Level.OFF);
        }
      }
    }
  }

  /** The progress line. */
  private final class Progress {
    private final SimOptions sim;
    private final boolean simulated;
    private final Feed feed;
    private final RunWatcher watcher;

    Progress(SimOptions sim, boolean simulated, Feed feed, RunWatcher watcher) {
      this.sim = sim;
      this.simulated = simulated;
      this.feed = feed;
      this.watcher = watcher;
    }

    String line(String phase, DemoConsole c) {
      StringBuilder s = new StringBuilder("  ");
      long time = feed.eventTime();
      if (simulated && sim != null && time != Long.MIN_VALUE) {
        double done =
            Math.min(
                1.0,
                Math.max(
                    0, (double) (time - sim.start().toEpochMilli()) / sim.duration().toMillis()));
        int width = 16;
        int full = (int) Math.round(done * width);
        s.append(c.bold(CLOCK.format(Instant.ofEpochMilli(time))))
            .append(" UTC ")
            .append('[')
            .append("#".repeat(full))
            .append(".".repeat(width - full))
            .append("] ")
            .append(String.format(Locale.ROOT, "%3d%%  ", Math.round(done * 100)));
      } else if (simulated && time != Long.MIN_VALUE) {
        s.append(c.bold(CLOCK.format(Instant.ofEpochMilli(time)))).append(" UTC  ");
      }
      s.append(String.format(Locale.ROOT, "events %,d", feed.eventsOut()));
      long dead = watcher.ingestDeadLetters() + watcher.pipelineDeadLetters();
      if (dead > 0) {
        s.append(String.format(Locale.ROOT, " (%,d dead letters)", dead));
      }
      s.append(String.format(Locale.ROOT, " | incidents %,d", watcher.incidentCount()));
      s.append(
          String.format(
              Locale.ROOT,
              " | alerts %d firing, %d fired, %d resolved",
              watcher.firing(),
              watcher.fired(),
              watcher.resolved()));
      if (phase != null) {
        s.append(" | ").append(c.dim(phase));
      }
      return s.toString();
    }
  }
}
