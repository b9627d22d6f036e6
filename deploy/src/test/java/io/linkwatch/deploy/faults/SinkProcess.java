package io.linkwatch.deploy.faults;

import io.linkwatch.schemas.topic.TopicRole;
import io.linkwatch.testkit.JvmProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code linkwatch sink --config <file>} in a JVM of its own (the real {@code main}), so that a
 * fault test can kill it with SIGKILL; started again with the same {@code run}, it finds its
 * consumer groups and its delivery ledgers where it left them.
 */
final class SinkProcess {

  private static final String MAIN = "io.linkwatch.deploy.cli.Main";
  private static final Duration START = Duration.ofSeconds(120);

  private SinkProcess() {}

  /**
   * Starts the sink and waits until it serves its dashboard (its delivery loops are running).
   *
   * @param run names the consumer groups ({@code faults-sink-<run>.<receiver>}), the state
   *     directory and the log file ({@code target/faults/sink-<run>-<n>.log}, n counting restarts)
   * @param topicNames the topics it reads and writes, by role
   * @param routingYaml the routing file's content
   * @param dir where its settings, routing file and state go
   * @param extra more settings (e.g. the retry backoff)
   */
  static JvmProcess start(
      String run,
      String bootstrapServers,
      Map<TopicRole, String> topicNames,
      String routingYaml,
      Path dir,
      Map<String, String> extra)
      throws IOException {
    Files.createDirectories(dir);
    Path routing = Files.writeString(dir.resolve("sink-" + run + ".yaml"), routingYaml);
    Map<String, String> s = new LinkedHashMap<>();
    s.put("bootstrap.servers", bootstrapServers);
    topicNames.forEach((role, name) -> s.put(role.configKey(), name));
    s.put("sink.routing.file", routing.toString());
    s.put("sink.group.id", groupPrefix(run));
    s.put("sink.state.dir", dir.resolve("sink-" + run + "-state").toString());
    s.put("sink.start", "earliest");
    s.put("dashboard.port", "0");
    s.put("dashboard.host", "127.0.0.1");
    s.putAll(extra);
    StringBuilder props = new StringBuilder();
    s.forEach((k, v) -> props.append(k).append('=').append(v.replace("\\", "\\\\")).append('\n'));
    Path config = Files.writeString(dir.resolve("sink-" + run + ".properties"), props.toString());
    int n = 1;
    while (Files.exists(Path.of("target", "faults", "sink-" + run + "-" + n + ".log"))) {
      n++;
    }
    JvmProcess p =
        JvmProcess.builder("sink-" + run + "-" + n, MAIN)
            .args("sink", "--config", config.toString())
            .heap("256m")
            .logDirectory(Path.of("target", "faults"))
            .start();
    p.awaitLog("dashboard: listening on", START);
    return p;
  }

  /** The consumer group of one receiver of the sink of {@code run}. */
  static String group(String run, String receiver) {
    return groupPrefix(run) + "." + receiver;
  }

  private static String groupPrefix(String run) {
    return "faults-sink-" + run;
  }
}
