package io.linkwatch.streams.rules.cli;

import io.linkwatch.avro.AlertRule;
import io.linkwatch.schemas.cli.ClientOptions;
import io.linkwatch.streams.rules.Durations;
import io.linkwatch.streams.rules.RuleTopic;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code linkwatch rules list}: what the rules topic holds, with versions. */
@Command(
    name = "list",
    mixinStandardHelpOptions = true,
    description = "List the rules the rules topic holds, with their versions.")
final class ListCommand implements Callable<Integer> {

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      defaultValue = "30",
      description = "How long to wait for the cluster (default: ${DEFAULT-VALUE}).")
  private int timeoutSeconds;

  @Mixin private ClientOptions client;

  @Spec private CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Map<String, String> settings = client.settings(RulesCommand.knownKeys());
    try {
      Map<String, AlertRule> rules =
          new RuleTopic(
                  settings, ApplyCommand.rulesTopic(settings), Duration.ofSeconds(timeoutSeconds))
              .readAll();
      out.printf(
          "%-36s %-4s %-8s %-5s %-28s %-13s %s%n",
          "ID", "VER", "ENABLED", "SEV", "SIGNAL", "WINDOW/EVERY", "NAME");
      for (AlertRule r : rules.values()) {
        out.printf(
            "%-36s %-4s %-8s %-5s %-28s %-13s %s%n",
            r.getId(),
            r.getVersion(),
            r.getEnabled() ? "yes" : "no",
            "Sev" + r.getSeverity().name().substring(3),
            r.getSignal(),
            Durations.format(Duration.ofMillis(r.getWindowSizeMs()))
                + "/"
                + Durations.format(Duration.ofMillis(r.getEvaluationFrequencyMs())),
            r.getName());
      }
      out.printf("%d rules%n", rules.size());
      return 0;
    } catch (RuleTopic.RuleTopicException e) {
      spec.commandLine().getErr().println("rules list: " + e.getMessage());
      return 1;
    }
  }
}
