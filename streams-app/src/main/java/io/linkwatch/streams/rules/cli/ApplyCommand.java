package io.linkwatch.streams.rules.cli;

import io.linkwatch.avro.AlertRule;
import io.linkwatch.schemas.cli.ClientOptions;
import io.linkwatch.schemas.serde.AvroSerdes;
import io.linkwatch.schemas.topic.Topic;
import io.linkwatch.schemas.topic.TopicRole;
import io.linkwatch.schemas.topic.Topics;
import io.linkwatch.streams.rules.RulePlan;
import io.linkwatch.streams.rules.RuleSet;
import io.linkwatch.streams.rules.RuleTopic;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code linkwatch rules apply <file|dir>}: validates, compares with the rules topic and publishes
 * what changed (the running topology picks it up without a restart).
 */
@Command(
    name = "apply",
    mixinStandardHelpOptions = true,
    description = {
      "Validate rule files and publish them to the compacted rules topic. A rule's version is"
          + " bumped only when its content changed; rules the topic holds and the files do not are"
          + " deleted with --prune, otherwise listed. The running topology picks the change up"
          + " without a restart."
    })
final class ApplyCommand implements Callable<Integer> {

  @Mixin private RuleFiles files;

  @Option(names = "--prune", description = "Delete the rules the files no longer have.")
  private boolean prune;

  @Option(names = "--dry-run", description = "Say what would change and publish nothing.")
  private boolean dryRun;

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
    PrintWriter err = spec.commandLine().getErr();
    RuleSet set = files.load(err);
    if (set == null) {
      return 1;
    }
    Map<String, String> settings = client.settings(RulesCommand.knownKeys());
    RuleTopic topic =
        new RuleTopic(settings, rulesTopic(settings), Duration.ofSeconds(timeoutSeconds));
    try {
      RulePlan plan = RulePlan.of(set.alertRules(), topic.readAll(), prune);
      print(plan, out);
      if (dryRun) {
        out.println("dry run: nothing published");
      } else if (!plan.writes().isEmpty()) {
        topic.publish(plan);
      }
      return 0;
    } catch (RuleTopic.RuleTopicException e) {
      err.println("rules apply: " + e.getMessage());
      return 1;
    }
  }

  static Topic<String, AlertRule> rulesTopic(Map<String, String> settings) {
    Map<TopicRole, String> names = new EnumMap<>(TopicRole.class);
    String name = settings.get(TopicRole.ALERT_RULES.configKey());
    if (name != null) {
      names.put(TopicRole.ALERT_RULES, name);
    }
    return Topics.create(names, AvroSerdes.fromConfig(settings)).alertRules();
  }

  private void print(RulePlan plan, PrintWriter out) {
    for (RulePlan.Change c : plan.changes()) {
      String version =
          switch (c.action()) {
            case CREATE -> "v" + c.rule().getVersion();
            case UPDATE -> "v" + c.rule().getVersion() + " (was v" + c.previousVersion() + ")";
            case UNCHANGED -> "v" + c.previousVersion();
            case DELETE, KEEP -> "(was v" + c.previousVersion() + ")";
          };
      String action = verb(c.action(), dryRun);
      out.printf("%-14s %-40s %s%n", action, c.id(), version);
    }
    long kept = plan.count(RulePlan.Action.KEEP);
    long deleted = plan.count(RulePlan.Action.DELETE);
    out.printf(
        "%d rules: %d created, %d updated, %d unchanged%s%s%n",
        plan.changes().size() - kept - deleted,
        plan.count(RulePlan.Action.CREATE),
        plan.count(RulePlan.Action.UPDATE),
        plan.count(RulePlan.Action.UNCHANGED),
        deleted == 0 ? "" : "; " + deleted + (dryRun ? " to delete" : " deleted"),
        kept == 0 ? "" : "; " + kept + " only in the topic, kept (--prune deletes them)");
  }

  private static String verb(RulePlan.Action a, boolean dryRun) {
    return switch (a) {
      case CREATE -> dryRun ? "would create" : "created";
      case UPDATE -> dryRun ? "would update" : "updated";
      case DELETE -> dryRun ? "would delete" : "deleted";
      case UNCHANGED -> "unchanged";
      case KEEP -> "not in files";
    };
  }
}
