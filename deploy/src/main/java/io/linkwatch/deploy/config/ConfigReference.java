package io.linkwatch.deploy.config;

import io.linkwatch.schemas.config.CommonConfig;
import io.linkwatch.schemas.config.ConfigSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.ConfigKey;
import org.apache.kafka.common.config.types.Password;

/**
 * Writes {@code docs/configuration.md} from the {@link ConfigDef} declarations of every role: the
 * reference is generated, never hand-written, and {@code ConfigReferenceTest} fails when the
 * committed file is stale. Regenerate with {@code ./linkwatch config reference --output
 * docs/configuration.md}.
 */
public final class ConfigReference {

  /** Where the reference lives in the repository. */
  public static final String PATH = "docs/configuration.md";

  private static final String TMP = System.getProperty("java.io.tmpdir");

  private ConfigReference() {}

  /** The whole reference, as Markdown. */
  public static String markdown() {
    StringBuilder md = new StringBuilder();
    md.append("# Configuration reference\n\n");
    md.append(
        "<!-- Generated from the ConfigDef declarations of every role by `./linkwatch config"
            + " reference --output "
            + PATH
            + "`; do not edit by hand (a test fails when this file is stale). -->\n\n");
    md.append(
        """
        Every role reads its settings the same way, in increasing precedence:

        1. a properties file, `--config FILE`;
        2. environment variables `LINKWATCH_<KEY>`: the key upper-cased, `.` and `-` as `_`
           (`streams.grace.ms` is `LINKWATCH_STREAMS_GRACE_MS`);
        3. `--set KEY=VALUE` and the command's own flags (`--bootstrap-servers`).

        A key the role does not know — in the file, a `LINKWATCH_*` variable or `--set` — stops it
        at start with a message that names the key and the closest known one. Every Kafka client
        setting passes through unchanged (`security.protocol`, `sasl.*`, `ssl.*`, ...); prefix it
        with `producer.`, `consumer.` or `admin.` to reach one client only. The streams role also
        accepts every Kafka Streams setting (`num.standby.replicas`, `state.dir`,
        `num.stream.threads`, `processing.guarantee`, ...).

        One file can serve every role when it holds only the common keys below and Kafka client
        keys; give role-specific keys to their role as environment variables or `--set` (this is
        how `deploy/compose` and `deploy/k8s` do it). `./linkwatch config check --config FILE
        [--role ROLE]` validates a file and reaches the cluster it names.

        """);
    md.append("| role | command | own keys |\n|---|---|---|\n");
    md.append("| every role | `linkwatch topics\\|rules\\|tail\\|config` too | ")
        .append("[common](#common-every-role) |\n");
    for (Role role : Role.values()) {
      md.append("| ")
          .append(role.id())
          .append(" | `")
          .append(role.command())
          .append("` | [")
          .append(role.ownKeys().size())
          .append(" keys](#")
          .append(role.id())
          .append(") |\n");
    }
    md.append('\n');

    ConfigDef common = CommonConfig.define(new ConfigDef());
    md.append("## Common (every role)\n\n");
    md.append(
        "Where the cluster is, the schema registry, the topic names and the topic plan that"
            + " `linkwatch topics apply` creates.\n\n");
    section(md, common, new ArrayList<>(common.names()));

    for (Role role : Role.values()) {
      md.append("## ").append(role.id()).append("\n\n");
      md.append('`').append(role.command()).append("`: ").append(role.description());
      md.append("\n\n");
      section(md, role.definition(), role.ownKeys());
    }
    return md.toString();
  }

  private static void section(StringBuilder md, ConfigDef def, List<String> keys) {
    Map<String, List<ConfigKey>> groups = new LinkedHashMap<>();
    for (ConfigKey k : def.configKeys().values()) {
      if (keys.contains(k.name)) {
        groups.computeIfAbsent(k.group == null ? "" : k.group, g -> new ArrayList<>()).add(k);
      }
    }
    for (Map.Entry<String, List<ConfigKey>> g : groups.entrySet()) {
      if (groups.size() > 1 && !g.getKey().isEmpty()) {
        md.append("### ").append(g.getKey()).append("\n\n");
      }
      md.append("| key | type | default | valid values | description |\n");
      md.append("|---|---|---|---|---|\n");
      List<ConfigKey> ordered =
          g.getValue().stream()
              .sorted((a, b) -> Integer.compare(a.orderInGroup, b.orderInGroup))
              .collect(Collectors.toList());
      for (ConfigKey k : ordered) {
        md.append("| `")
            .append(k.name)
            .append("`<br>`")
            .append(ConfigSource.envName(k.name))
            .append("` | ")
            .append(k.type.name().toLowerCase(java.util.Locale.ROOT))
            .append(" | ")
            .append(defaultValue(k))
            .append(" | ")
            .append(validValues(k))
            .append(" | ")
            .append(cell(k.documentation))
            .append(" |\n");
      }
      md.append('\n');
    }
  }

  private static String defaultValue(ConfigKey k) {
    if (!k.hasDefault()) {
      return "required";
    }
    Object v = k.defaultValue;
    if (v == null) {
      return "(none)";
    }
    if (v instanceof Password) {
      return "(hidden)";
    }
    String s =
        v instanceof List<?> list
            ? list.stream().map(String::valueOf).collect(Collectors.joining(","))
            : String.valueOf(v);
    if (s.isEmpty()) {
      return "(empty)";
    }
    // a default under the temporary directory depends on the machine: show where it comes from
    if (!TMP.isEmpty() && s.startsWith(TMP)) {
      s =
          "${java.io.tmpdir}"
              + Path.of(TMP)
                  .relativize(Path.of(s))
                  .toString()
                  .transform(r -> r.isEmpty() ? "" : "/" + r);
    }
    return "`" + s + "`";
  }

  private static String validValues(ConfigKey k) {
    if (k.validator == null) {
      return "";
    }
    String s = k.validator.toString();
    // a validator written as a lambda has no description of its own
    if (s.contains("$$Lambda") || s.contains("$Lambda")) {
      return "";
    }
    return cell(s);
  }

  private static String cell(String text) {
    if (text == null) {
      return "";
    }
    return text.replace("|", "\\|")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\n", " ")
        .strip();
  }
}
