package io.linkwatch.sink.cli;

import io.linkwatch.schemas.cli.ClientOptions;
import io.linkwatch.schemas.config.KnownKeys;
import io.linkwatch.sink.AlertSink;
import io.linkwatch.sink.config.SinkConfig;
import io.linkwatch.sink.routing.RoutingPlan;
import io.linkwatch.sink.routing.RoutingPlanParser;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.config.ConfigException;
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
      "Settings (--config, LINKWATCH_* variables, --set): sink.* and dashboard.* keys,",
      "topics.*, bootstrap.servers and any Kafka client key.",
      "See docs/sink.md and docs/dashboard.md.",
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
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    String color = config.getString(SinkConfig.CONSOLE_COLOR);
    boolean colour =
        color.equals("always")
            || color.equals("auto")
                && System.console() != null
                && System.getenv("NO_COLOR") == null;
    AlertSink sink = AlertSink.start(config, plan, registry, registry::scrape, System.out, colour);
    Thread hook = new Thread(stop::countDown, "linkwatch-sink-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    int code = 0;
    try {
      while (!stop.await(1, TimeUnit.SECONDS)) {
        if (sink.failure().isPresent()) {
          spec.commandLine()
              .getErr()
              .println("linkwatch sink: a delivery loop stopped: " + sink.failure().get());
          spec.commandLine().getErr().flush();
          code = 1;
          break;
        }
      }
    } finally {
      sink.close();
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
