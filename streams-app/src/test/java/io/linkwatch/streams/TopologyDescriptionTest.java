package io.linkwatch.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.linkwatch.schemas.serde.AvroSerdes;
import io.linkwatch.schemas.topic.Topics;
import io.linkwatch.streams.config.StreamsSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyConfig;
import org.junit.jupiter.api.Test;

/**
 * Keeps the topology description in docs/streams.md current: fails when the topology changed and
 * the docs did not. Regenerate with {@code -Dlinkwatch.docs.update=true}.
 */
class TopologyDescriptionTest {

  private static final String BEGIN = "<!-- topology:begin -->";
  private static final String END = "<!-- topology:end -->";

  static String description() {
    return LinkwatchTopology.build(
            StreamsSettings.defaults(), Topics.withDefaultNames(AvroSerdes.singleObject()))
        .describe()
        .toString()
        .strip();
  }

  @Test
  void shouldNameEveryStoreAndRepartitionTopic() {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "linkwatch-streams");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:1");
    p.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
    new TopologyConfig(new StreamsConfig(p)); // the naming rule is enforced when a driver starts
    String d = description();
    assertThat(d).doesNotContain("KSTREAM-").doesNotContain("KTABLE-");
    assertThat(d)
        .contains("linkwatch-window-observations-repartition")
        .contains("linkwatch-scope-signals-repartition")
        .contains("linkwatch-alert-rules");
  }

  @Test
  void shouldBeDescribedInTheDocs() throws Exception {
    Path docs = Path.of("..", "docs", "streams.md");
    String text = Files.readString(docs, StandardCharsets.UTF_8);
    String block = BEGIN + "\n```\n" + description() + "\n```\n" + END;
    if (Boolean.getBoolean("linkwatch.docs.update")) {
      int b = text.indexOf(BEGIN);
      int e = text.indexOf(END) + END.length();
      text = text.substring(0, b) + block + text.substring(e);
      Files.writeString(docs, text, StandardCharsets.UTF_8);
    }
    assertThat(text)
        .as(
            "docs/streams.md describes an older topology: run the test with -Dlinkwatch.docs.update=true")
        .contains(block);
  }
}
