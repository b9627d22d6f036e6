package io.linkwatch.sink.cli;

import io.linkwatch.avro.Alert;
import io.linkwatch.avro.WindowedAggregate;
import io.linkwatch.schemas.cli.ClientOptions;
import io.linkwatch.schemas.config.CommonConfig;
import io.linkwatch.schemas.config.KnownKeys;
import io.linkwatch.schemas.serde.AvroSerdes;
import io.linkwatch.schemas.topic.Topics;
import io.linkwatch.sink.alert.Links;
import io.linkwatch.sink.config.SinkConfig;
import io.linkwatch.sink.dashboard.Board;
import io.linkwatch.sink.dashboard.BoardFeed;
import io.linkwatch.sink.dashboard.DashboardServer;
import io.linkwatch.sink.delivery.Delivery;
import io.linkwatch.sink.delivery.SinkMetrics;
import io.linkwatch.sink.notify.Notifier;
import io.linkwatch.sink.notify.Notifiers;
import io.linkwatch.sink.routing.ReceiverSpec;
import io.linkwatch.sink.routing.RoutingPlan;
import io.linkwatch.sink.routing.RoutingPlanParser;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code linkwatch sink}: reads the alerts topic, delivers every transition to the receivers its
 * routes name (Alertmanager, Azure Common Alert Schema webhook, signed JSON or Slack webhook,
 * console), and serves the live dashboard. Runs until stopped (SIGTERM / Ctrl-C), then commits what
 * was delivered and stops cleanly.
 */
@Command(
    name = "sink",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Deliver alerts to Alertmanager, webhooks and the console, and serve the live dashboard.",
      "",
      "Receivers, routes, grouping and silences are read from the YAML file named by"
          + " sink.routing.file (or --routing); without one, every alert is printed on the console.",
    },
    footer = {
      "",
      "Settings (--config, LINKWATCH_* variables, --set): sink.* and dashboard.* keys, topics.*,",
      "bootstrap.servers and any Kafka client key. See docs/sink.md and docs/dashboard.md.",
      "",
      "Examples:",
      "  linkwatch sink -b localhost:9092 --routing sink.yaml",
      "  linkwatch sink --config app.properties --set dashboard.port=8088",
      "  linkwatch sink --routing sink.yaml --check",
    })
public final class SinkCommand implements Callable<Integer> {

  @Mixin private ClientOptions client;

  @Option(
      names = {"-r", "--routing"},
      paramLabel = "FILE",
      description = "Routing file (overrides sink.routing.file).")
  private Path routing;

  @Option(
      names = "--check",
      description = "Validate the settings and the routing file, print the plan, and exit.")
  private boolean check;

  @Spec private CommandLine.Model.CommandSpec spec;

  private final CountDownLatch stop = new CountDownLatch(1);

  public static void main(String[] args) {
    System.exit(new CommandLine(new SinkCommand()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    java.io.PrintWriter err = spec.commandLine().getErr();
    SinkConfig config;
    RoutingPlan plan;
    try {
      Map<String, String> settings =
          new HashMap<>(client.settings(KnownKeys.of(List.of(SinkConfig.definition()), List.of())));
      if (routing != null) {
        settings.put(SinkConfig.ROUTING_FILE, routing.toString());
      }
      config = new SinkConfig(settings);
      config.pipelineSettings();
      String file = config.getString(SinkConfig.ROUTING_FILE);
      plan = file.isBlank() ? RoutingPlan.consoleOnly() : RoutingPlanParser.parse(Path.of(file));
    } catch (ConfigException e) {
      err.println("linkwatch sink: " + e.getMessage());
      err.flush();
      return 2;
    }
    if (check) {
      spec.commandLine().getOut().println(describe(plan));
      spec.commandLine().getOut().flush();
      return 0;
    }
    return run(config, plan);
  }

  private int run(SinkConfig config, RoutingPlan plan) throws InterruptedException {
    Clock clock = Clock.systemUTC();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    AvroSerdes serdes = CommonConfig.serdes(config);
    Topics topics = CommonConfig.topics(config, serdes);
    int port = config.getInt(SinkConfig.DASHBOARD_PORT);
    boolean dashboardOn = config.getBoolean(SinkConfig.DASHBOARD_ENABLED);
    String external = config.getString(SinkConfig.DASHBOARD_EXTERNAL_URL);
    // with port 0 the real port is known only once the server runs, so links use what is configured
    Links links =
        new Links(
            !external.isBlank()
                ? external
                : dashboardOn && port > 0 ? "http://localhost:" + port : "");
    Board board = new Board(plan, links, clock);

    Map<String, Object> kafka = new HashMap<>(config.originals());
    String color = config.getString(SinkConfig.CONSOLE_COLOR);
    boolean colour =
        color.equals("always")
            || color.equals("auto")
                && System.console() != null
                && System.getenv("NO_COLOR") == null;
    List<Notifier> notifiers = new ArrayList<>();
    for (ReceiverSpec r : plan.receivers().values()) {
      notifiers.add(Notifiers.create(r, links, clock, System.out, colour));
    }

    Map<String, Object> feedProps = new HashMap<>();
    config
        .originals()
        .forEach(
            (k, v) -> {
              if (ConsumerConfig.configNames().contains(k)) {
                feedProps.put(k, v);
              }
            });
    feedProps.remove(ConsumerConfig.GROUP_ID_CONFIG);
    feedProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    feedProps.put(
        ConsumerConfig.CLIENT_ID_CONFIG, config.getString(SinkConfig.GROUP_ID) + ".dashboard");
    BoardFeed feed =
        new BoardFeed(
            board,
            new KafkaConsumer<>(
                feedProps, new ByteArrayDeserializer(), new ByteArrayDeserializer()),
            topics.alerts().name(),
            serdes.valueSerde(Alert.class).deserializer(),
            topics.aggregates().name(),
            serdes.valueSerde(WindowedAggregate.class).deserializer(),
            config.duration(SinkConfig.DASHBOARD_HISTORY),
            config.duration(SinkConfig.DASHBOARD_CHART_HISTORY),
            clock);
    Thread feedThread = new Thread(feed, "linkwatch-sink-board");
    feedThread.start();

    Delivery delivery =
        Delivery.start(
            plan,
            kafka,
            topics.alerts(),
            topics.sinkDeadLetter(),
            config.getString(SinkConfig.GROUP_ID),
            notifiers,
            config.pipelineSettings(),
            config.stateDir(),
            new SinkMetrics(registry),
            board,
            board,
            clock);
    DashboardServer server = null;
    if (dashboardOn) {
      server =
          DashboardServer.start(
              board,
              config.getString(SinkConfig.DASHBOARD_HOST),
              port,
              registry::scrape,
              delivery::healthy,
              clock);
    }
    DashboardServer running = server;
    Thread hook = new Thread(stop::countDown, "linkwatch-sink-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    int code = 0;
    try {
      while (!stop.await(1, TimeUnit.SECONDS)) {
        if (delivery.failure().isPresent()) {
          System.err.println(
              "linkwatch sink: a delivery loop stopped: " + delivery.failure().get());
          code = 1;
          break;
        }
      }
    } finally {
      if (running != null) {
        running.close();
      }
      delivery.close();
      feed.close();
      feedThread.join(10_000);
      serdes.close();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the JVM is already exiting: nothing to remove
      }
    }
    return code;
  }

  static String describe(RoutingPlan plan) {
    StringBuilder b = new StringBuilder("Routing plan is valid.\n\nReceivers:\n");
    plan.receivers()
        .values()
        .forEach(
            r ->
                b.append("  ")
                    .append(r)
                    .append(r.sendResolved() ? "" : " (no resolutions)")
                    .append('\n'));
    b.append("\nRoutes (first match wins unless continue: true):\n");
    plan.routes()
        .forEach(
            r ->
                b.append("  ")
                    .append(r.name())
                    .append(": ")
                    .append(r.matchers().isEmpty() ? "(every alert)" : r.matchers().toString())
                    .append(" -> ")
                    .append(r.receivers())
                    .append(r.grouping().enabled() ? " grouped by " + r.grouping().groupBy() : "")
                    .append(r.continueMatching() ? " (continue)" : "")
                    .append('\n'));
    if (plan.defaultRoute() != null) {
      b.append("  default -> ").append(plan.defaultRoute().receivers()).append('\n');
    } else {
      b.append("  alerts no route matches are not delivered\n");
    }
    b.append("\nSilences: ").append(plan.silences().isEmpty() ? "none" : "").append('\n');
    plan.silences()
        .forEach(
            s -> b.append("  ").append(s.name()).append(": ").append(s.matchers()).append('\n'));
    return b.toString();
  }
}
