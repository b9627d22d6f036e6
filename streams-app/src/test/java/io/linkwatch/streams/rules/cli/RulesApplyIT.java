package io.linkwatch.streams.rules.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.linkwatch.avro.AlertRule;
import io.linkwatch.schemas.topic.Topics;
import io.linkwatch.testkit.KafkaCluster;
import io.linkwatch.testkit.KafkaTestCluster;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

@KafkaCluster
class RulesApplyIT {

  static Topics topics;

  @BeforeAll
  static void topics(KafkaTestCluster kafka) {
    topics = kafka.createLinkwatchTopics();
  }

  private String out;
  private String err;

  private int run(KafkaTestCluster kafka, String... args) {
    StringWriter o = new StringWriter();
    StringWriter e = new StringWriter();
    CommandLine cmd = new CommandLine(new RulesCommand());
    cmd.setOut(new PrintWriter(o, true));
    cmd.setErr(new PrintWriter(e, true));
    String[] all = new String[args.length + 2];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "-b";
    all[args.length + 1] = kafka.bootstrapServers();
    int code = cmd.execute(all);
    out = o.toString();
    err = e.toString();
    return code;
  }

  private static String rule(String id, double threshold) {
    return "  - {id: "
        + id
        + ", signal: iothub.auth_failures, operator: '>', threshold: "
        + threshold
        + "}\n";
  }

  @Test
  void shouldCreateUpdateKeepAndPruneRulesWithVersions(KafkaTestCluster kafka, @TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("rules.yaml");
    Files.writeString(file, "rules:\n" + rule("a", 1) + rule("b", 1) + rule("c", 1));

    assertThat(run(kafka, "apply", file.toString())).as(err).isZero();
    assertThat(out).contains("3 rules: 3 created, 0 updated, 0 unchanged\n");

    Files.writeString(file, "rules:\n" + rule("a", 1) + rule("b", 5));
    assertThat(run(kafka, "apply", file.toString(), "--dry-run")).isZero();
    assertThat(out)
        .contains("would update")
        .contains("dry run: nothing published")
        .contains("1 only in the topic, kept (--prune deletes them)");

    assertThat(run(kafka, "apply", file.toString())).isZero();
    assertThat(out).containsPattern("unchanged\\s+a\\s+v1");
    assertThat(out).containsPattern("updated\\s+b\\s+v2 \\(was v1\\)");
    assertThat(out).containsPattern("not in files\\s+c\\s+\\(was v1\\)");

    assertThat(run(kafka, "apply", file.toString(), "--prune")).isZero();
    assertThat(out).containsPattern("deleted\\s+c\\s+\\(was v1\\)");
    assertThat(out).contains("2 rules: 0 created, 0 updated, 2 unchanged; 1 deleted");

    assertThat(run(kafka, "list")).isZero();
    assertThat(out).containsPattern("a\\s+1\\s+yes").containsPattern("b\\s+2\\s+yes");
    assertThat(out).doesNotContain("\nc ").contains("2 rules");

    List<ConsumerRecord<String, AlertRule>> records = kafka.readAll(topics.alertRules());
    assertThat(records)
        .extracting(
            r -> r.key() + "=" + (r.value() == null ? "tombstone" : "v" + r.value().getVersion()))
        .containsExactlyInAnyOrder("a=v1", "b=v1", "c=v1", "b=v2", "c=tombstone");
  }
}
