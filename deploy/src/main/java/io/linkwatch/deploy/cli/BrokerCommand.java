package io.linkwatch.deploy.cli;

import io.linkwatch.deploy.broker.EmbeddedKafkaBroker;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.utils.AppInfoParser;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code linkwatch broker}: a real single-node Kafka broker (KRaft) in this process. */
@Command(
    name = "broker",
    description = {
      "Run a real single-node Apache Kafka broker (KRaft, broker and controller in one) in this"
          + " process, until Ctrl-C. Its data stays in --data-dir across restarts.",
      ""
    },
    footer = ExitCode.HELP)
final class BrokerCommand implements Callable<Integer> {

  @Spec private CommandSpec spec;

  @Option(
      names = "--host",
      defaultValue = "127.0.0.1",
      description = "Address to listen on and advertise to clients (default: ${DEFAULT-VALUE}).")
  private String host;

  @Option(
      names = {"-p", "--port"},
      defaultValue = "9092",
      description = "Port for clients (default: ${DEFAULT-VALUE}).")
  private int port;

  @Option(
      names = "--controller-port",
      description = "Port of the KRaft controller (default: --port + 1).")
  private Integer controllerPort;

  @Option(
      names = {"-d", "--data-dir"},
      defaultValue = "data/broker",
      description = "Where the broker keeps its data (default: ./${DEFAULT-VALUE}).")
  private Path dataDir;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description = "A broker setting (server.properties key), repeatable.")
  private Map<String, String> properties = new LinkedHashMap<>();

  @Override
  public Integer call() throws InterruptedException {
    EmbeddedKafkaBroker.Builder builder =
        EmbeddedKafkaBroker.builder().host(host).port(port).dataDir(dataDir).properties(properties);
    if (controllerPort != null) {
      builder.controllerPort(controllerPort);
    }
    EmbeddedKafkaBroker broker = builder.start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  broker.close();
                  spec.commandLine().getErr().println("broker stopped");
                  stopped.countDown();
                },
                "linkwatch-broker-shutdown"));
    spec.commandLine()
        .getOut()
        .printf(
            "Kafka %s broker listening on %s (%s %s, cluster %s). Ctrl-C to stop.%n",
            AppInfoParser.getVersion(),
            broker.bootstrapServers(),
            broker.formattedNewStorage() ? "new data in" : "data in",
            broker.dataDir(),
            broker.clusterId());
    spec.commandLine().getOut().flush();
    stopped.await();
    return ExitCode.OK;
  }
}
