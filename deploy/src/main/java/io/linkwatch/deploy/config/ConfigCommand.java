package io.linkwatch.deploy.config;

import io.linkwatch.deploy.config.ConfigCheck.Item;
import io.linkwatch.deploy.config.ConfigCheck.Report;
import io.linkwatch.deploy.config.ConfigCheck.Status;
import io.linkwatch.schemas.cli.ClientOptions;
import io.linkwatch.schemas.cli.DurationConverter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code linkwatch config}: check a configuration, print the reference of every setting. */
@Command(
    name = "config",
    description = "Check a configuration against the roles and the cluster; print every setting.",
    subcommands = {ConfigCommand.Check.class, ConfigCommand.Reference.class})
public final class ConfigCommand implements Runnable {

  @Spec private CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "a subcommand is missing: check or reference");
  }

  /** {@code linkwatch config check}. */
  @Command(
      name = "check",
      sortOptions = false,
      description = {
        "Validate a configuration the way the roles will read it, then reach what it names:"
            + " every key known to the roles (--role, default all three), every value valid,"
            + " the brokers reachable with these credentials, the topics as the plan says, rules"
            + " in the rules topic, the schema registry (when set), the streams state directory,"
            + " the sink's routing file and receivers. Prints a checklist.",
        ""
      },
      footer = {
        "",
        "Examples:",
        "  linkwatch config check --config config/linkwatch.properties",
        "  LINKWATCH_SASL_JAAS_CONFIG=... linkwatch config check -c prod.properties --role streams",
        "  linkwatch config check -c app.properties --offline     # no network: keys and values",
        "",
        "Exit codes: 0 every check passed (warnings allowed), 1 a check failed, 2 a key or value"
            + " is wrong, 3 Kafka unreachable."
      })
  static final class Check implements Callable<Integer> {

    @Spec private CommandSpec spec;
    @Mixin private ClientOptions client;

    @Option(
        names = {"-r", "--role"},
        paramLabel = "ROLE",
        split = ",",
        description = "ingest, streams, sink (repeatable or comma-separated; default: every role).")
    private List<String> roles = new ArrayList<>();

    @Option(names = "--offline", description = "Check keys and values only; reach nothing.")
    private boolean offline;

    @Option(
        names = "--timeout",
        paramLabel = "DURATION",
        converter = DurationConverter.class,
        defaultValue = "15s",
        description = "How long to wait for each service (default: ${DEFAULT-VALUE}).")
    private Duration timeout;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      Set<Role> selected = EnumSet.noneOf(Role.class);
      try {
        roles.forEach(r -> selected.add(Role.of(r)));
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
      }
      Set<Role> checked = selected.isEmpty() ? EnumSet.allOf(Role.class) : selected;
      out.printf(
          "linkwatch config check: %s, for %s%n",
          client.configFile() == null ? "no file (environment and defaults)" : client.configFile(),
          String.join(", ", checked.stream().map(Role::id).toList()));
      out.flush();
      Map<String, String> settings;
      try {
        // keys any role knows; which role refuses which key is the first check's business
        settings = client.settings(Role.anyRole());
      } catch (ConfigException e) {
        print(out, new Item(Status.FAIL, "keys", e.getMessage()));
        out.println();
        out.println("The settings cannot be read: nothing else was checked.");
        return io.linkwatch.deploy.cli.ExitCode.USAGE;
      }
      Report report = new ConfigCheck(settings, checked, timeout, i -> print(out, i)).run(offline);
      long failed = report.count(Status.FAIL);
      long warned = report.count(Status.WARN);
      out.println();
      out.println(
          failed == 0
              ? "Configuration OK" + (warned > 0 ? " (" + plural(warned, "warning") + ")." : ".")
              : plural(failed, "problem")
                  + (warned > 0 ? ", " + plural(warned, "warning") : "")
                  + ".");
      out.flush();
      if (report.settingsInvalid()) {
        return io.linkwatch.deploy.cli.ExitCode.USAGE;
      }
      if (report.unreachable()) {
        return io.linkwatch.deploy.cli.ExitCode.UNREACHABLE;
      }
      return failed > 0
          ? io.linkwatch.deploy.cli.ExitCode.FAILED
          : io.linkwatch.deploy.cli.ExitCode.OK;
    }

    private static void print(PrintWriter out, Item item) {
      // FAIL shouts, so that it stands out of a long list of oks
      String status =
          item.status() == Status.FAIL ? "FAIL" : item.status().name().toLowerCase(Locale.ROOT);
      out.printf("  %-4s  %-8s  %s%n", status, item.what(), item.detail());
      out.flush();
    }

    private static String plural(long n, String noun) {
      return n + " " + noun + (n == 1 ? "" : "s");
    }
  }

  /** {@code linkwatch config reference}. */
  @Command(
      name = "reference",
      description = {
        "Print the reference of every setting of every role, as Markdown, generated from the"
            + " roles' declarations (this is docs/configuration.md).",
        ""
      })
  static final class Reference implements Callable<Integer> {

    @Spec private CommandSpec spec;

    @Option(
        names = {"-o", "--output"},
        paramLabel = "FILE",
        description = "Write to FILE instead of stdout.")
    private Path output;

    @Override
    public Integer call() throws IOException {
      String md = ConfigReference.markdown();
      if (output == null) {
        spec.commandLine().getOut().print(md);
        spec.commandLine().getOut().flush();
      } else {
        Files.writeString(output, md, StandardCharsets.UTF_8);
        spec.commandLine().getErr().println("wrote " + output);
      }
      return io.linkwatch.deploy.cli.ExitCode.OK;
    }
  }
}
