package io.linkwatch.deploy.cli;

import io.linkwatch.schemas.cli.ClientOptions;
import io.linkwatch.schemas.config.CommonConfig;
import io.linkwatch.schemas.topic.TopicPlan;
import io.linkwatch.schemas.topic.TopicPlan.TopicSpec;
import io.linkwatch.schemas.topic.TopicPlanApplier;
import io.linkwatch.schemas.topic.TopicPlanApplier.Change;
import io.linkwatch.schemas.topic.TopicPlanApplier.Outcome;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code linkwatch topics}: the topic plan of DESIGN.md on a cluster. */
@Command(
    name = "topics",
    description = "Create, update and list the linkwatch topics.",
    subcommands = {TopicsCommand.Apply.class, TopicsCommand.ListTopics.class})
final class TopicsCommand implements Runnable {

  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(60);

  @Spec private CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "a subcommand is missing: apply or list");
  }

  /** {@code linkwatch topics apply}. */
  @Command(
      name = "apply",
      description = {
        "Create the linkwatch topics, or bring them in line with the plan: partitions,"
            + " replication, retention, compaction (topics.* settings). Idempotent; reports each"
            + " topic as created, updated (with what changed), unchanged, or refused (what Kafka"
            + " cannot change in place: fewer partitions, another replication factor).",
        ""
      },
      footer = ExitCode.HELP)
  static final class Apply implements Callable<Integer> {

    @Spec private CommandSpec spec;
    @Mixin private ClientOptions client;

    @Option(names = "--dry-run", description = "Show what would change, change nothing.")
    private boolean dryRun;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      CommonSettings settings = CommonSettings.load(client);
      TopicPlan plan = CommonConfig.topicPlan(settings.config());
      settings.awaitCluster(err);
      List<Change> changes;
      try (Admin admin = Admin.create(settings.admin())) {
        TopicPlanApplier applier = new TopicPlanApplier(admin, ADMIN_TIMEOUT);
        changes = dryRun ? applier.dryRun(plan) : applier.apply(plan);
      }
      int width = changes.stream().mapToInt(c -> c.topic().length()).max().orElse(10);
      for (Change c : changes) {
        String outcome = c.outcome().name().toLowerCase(Locale.ROOT);
        String details = String.join("; ", c.details());
        out.println(
            String.format("%-9s  %-" + width + "s  %s", outcome, c.topic(), details)
                .stripTrailing());
        out.flush();
      }
      Map<Outcome, Long> counts =
          changes.stream()
              .collect(
                  Collectors.groupingBy(
                      Change::outcome, () -> new EnumMap<>(Outcome.class), Collectors.counting()));
      String summary =
          counts.entrySet().stream()
              .map(e -> e.getValue() + " " + e.getKey().name().toLowerCase(Locale.ROOT))
              .collect(Collectors.joining(", "));
      out.printf(
          "%s%d topics on %s: %s%n",
          dryRun ? "dry run, nothing changed: " : "",
          changes.size(),
          settings.bootstrapServers(),
          summary);
      if (counts.getOrDefault(Outcome.REFUSED, 0L) > 0) {
        err.println(
            "topics apply: some topics differ from the plan in ways Kafka cannot change in place"
                + " (see 'refused' above)");
        return ExitCode.FAILED;
      }
      return ExitCode.OK;
    }
  }

  /** {@code linkwatch topics list}. */
  @Command(
      name = "list",
      description = {
        "List the linkwatch topics: name, partitions, replication factor, cleanup policy,"
            + " retention, and whether each one matches the plan.",
        ""
      },
      footer = ExitCode.HELP)
  static final class ListTopics implements Callable<Integer> {

    @Spec private CommandSpec spec;
    @Mixin private ClientOptions client;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      CommonSettings settings = CommonSettings.load(client);
      TopicPlan plan = CommonConfig.topicPlan(settings.config());
      settings.awaitCluster(spec.commandLine().getErr());
      try (Admin admin = Admin.create(settings.admin())) {
        List<Change> status = new TopicPlanApplier(admin, ADMIN_TIMEOUT).dryRun(plan);
        List<String> existing =
            status.stream().filter(c -> c.outcome() != Outcome.CREATED).map(Change::topic).toList();
        Map<String, TopicDescription> descriptions =
            existing.isEmpty()
                ? Map.of()
                : admin
                    .describeTopics(existing)
                    .allTopicNames()
                    .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        int width = plan.topics().stream().mapToInt(t -> t.name().length()).max().orElse(10);
        out.printf(
            "%-18s  %-" + width + "s  %10s  %2s  %-7s  %9s  %s%n",
            "ROLE",
            "TOPIC",
            "PARTITIONS",
            "RF",
            "CLEANUP",
            "RETENTION",
            "STATUS");
        for (int i = 0; i < status.size(); i++) {
          Change c = status.get(i);
          TopicSpec planned =
              plan.topics().stream()
                  .filter(t -> t.name().equals(c.topic()))
                  .findFirst()
                  .orElseThrow();
          TopicDescription d = descriptions.get(c.topic());
          String partitions = d == null ? "-" : Integer.toString(d.partitions().size());
          String rf = d == null ? "-" : Integer.toString(d.partitions().get(0).replicas().size());
          out.printf(
              "%-18s  %-" + width + "s  %10s  %2s  %-7s  %9s  %s%n",
              planned.role().configKey().substring("topics.".length()),
              c.topic(),
              partitions,
              rf,
              planned.configs().get("cleanup.policy"),
              retention(planned.configs().get("retention.ms")),
              status(c));
        }
      }
      return ExitCode.OK;
    }

    private static String status(Change c) {
      return switch (c.outcome()) {
        case CREATED -> "missing (run 'linkwatch topics apply')";
        case UNCHANGED -> "ok";
        case UPDATED, REFUSED -> "differs: " + String.join("; ", c.details());
      };
    }

    private static String retention(String ms) {
      if (ms == null) {
        return "-";
      }
      long millis = Long.parseLong(ms);
      if (millis < 0) {
        return "forever";
      }
      Duration d = Duration.ofMillis(millis);
      return d.toHours() % 24 == 0 && d.toDays() > 0 ? d.toDays() + "d" : d.toHours() + "h";
    }
  }
}
