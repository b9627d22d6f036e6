package io.linkwatch.streams.cli;

import io.linkwatch.schemas.cli.ClientOptions;
import io.linkwatch.streams.app.StreamsRunner;
import io.linkwatch.streams.config.StreamsAppConfig;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code linkwatch streams}: runs the streams role (dedup, correlation, windows, rule views and the
 * alert stage) until SIGTERM / Ctrl-C, then closes cleanly (commits, flushes state, leaves the
 * group).
 */
@Command(
    name = "streams",
    mixinStandardHelpOptions = true,
    description = {
      "Run the streams role: incidents, windowed aggregates and alerts from the event topics,"
          + " exactly once, in event time.",
      "Settings: streams.* keys (see --list-settings) and any Kafka Streams or client key, from"
          + " --config, LINKWATCH_* environment variables or --set.",
      "HTTP (streams.http.port, default 7070): /health, /ready, /metrics, /api/aggregates,"
          + " /api/incidents, /api/metadata."
    })
public final class StreamsCommand implements Callable<Integer> {

  @Mixin private ClientOptions client;

  @Spec private picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--describe",
      description = "Print the topology (Topology#describe) and exit without connecting.")
  private boolean describe;

  @Option(names = "--list-settings", description = "Print the streams.* settings and exit.")
  private boolean listSettings;

  @Override
  public Integer call() throws Exception {
    var out = spec.commandLine().getOut();
    if (listSettings) {
      out.println(StreamsAppConfig.configDef().toRst());
      return 0;
    }
    Map<String, String> settings = client.settings(StreamsAppConfig.knownKeys());
    try (StreamsRunner runner = new StreamsRunner(settings)) {
      if (describe) {
        out.println(runner.topology().describe());
        return 0;
      }
      Thread hook =
          new Thread(
              () -> {
                runner.close();
              },
              "linkwatch-streams-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      runner.start();
      runner.awaitStop();
      return runner.failed() ? 1 : 0;
    }
  }
}
