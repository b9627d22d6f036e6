package io.linkwatch.deploy.cli;

import io.linkwatch.schemas.cli.KafkaUnreachableException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Entry point of {@code linkwatch}: parses the command line, runs the command and turns every
 * failure into one line on stderr and an {@link ExitCode}. The only place that exits the JVM.
 */
public final class Main {

  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) {
    System.exit(run(System.out, System.err, args));
  }

  /** Runs one command line; returns its exit code. */
  public static int run(PrintStream out, PrintStream err, String... args) {
    PrintWriter outWriter = new PrintWriter(out, true, StandardCharsets.UTF_8);
    PrintWriter errWriter = new PrintWriter(err, true, StandardCharsets.UTF_8);
    return commandLine(outWriter, errWriter).execute(args);
  }

  /** The command line with its error handling, for {@link #run} and for tests. */
  static CommandLine commandLine(PrintWriter out, PrintWriter err) {
    LinkwatchCommand root = new LinkwatchCommand();
    CommandLine cli = new CommandLine(root);
    cli.setOut(out);
    cli.setErr(err);
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    everyCommandHasHelpAndVersion(cli);
    cli.setParameterExceptionHandler(Main::usageError);
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> failure(e, commandLine, root.isVerbose()));
    return cli;
  }

  /**
   * Subcommands come from several modules: make sure each one answers {@code --help} and {@code
   * --version}, whatever its author declared.
   */
  private static void everyCommandHasHelpAndVersion(CommandLine cli) {
    for (CommandLine sub : cli.getSubcommands().values()) {
      CommandSpec spec = sub.getCommandSpec();
      if (!(sub.getCommand() instanceof CommandLine.HelpCommand)) {
        if (!spec.mixinStandardHelpOptions()) {
          spec.mixinStandardHelpOptions(true);
        }
        if (spec.versionProvider() == null) {
          spec.versionProvider(new VersionProvider());
        }
      }
      everyCommandHasHelpAndVersion(sub);
    }
  }

  private static int usageError(ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    String name = cmd.getCommandSpec().qualifiedName();
    StringBuilder line = new StringBuilder(name).append(": ").append(e.getMessage());
    if (e instanceof UnmatchedArgumentException unmatched
        && !unmatched.getSuggestions().isEmpty()) {
      line.append(" (did you mean ")
          .append(String.join(" or ", unmatched.getSuggestions()))
          .append("?)");
    }
    line.append("; see '").append(name).append(" --help'");
    cmd.getErr().println(line);
    return ExitCode.USAGE;
  }

  private static int failure(Exception e, CommandLine cmd, boolean verbose) {
    String name = cmd.getCommandSpec().qualifiedName();
    PrintWriter err = cmd.getErr();
    ConfigException config = find(e, ConfigException.class);
    if (config != null) {
      err.println(name + ": invalid configuration: " + config.getMessage());
      logStack(e, verbose);
      return ExitCode.USAGE;
    }
    KafkaUnreachableException unreachable = find(e, KafkaUnreachableException.class);
    if (unreachable != null) {
      err.println(name + ": " + unreachable.getMessage());
      logStack(e, verbose);
      return ExitCode.UNREACHABLE;
    }
    if (find(e, InterruptedException.class) != null) {
      err.println(name + ": interrupted");
      return ExitCode.INTERRUPTED;
    }
    err.println(
        name + ": " + messages(e) + (verbose ? "" : " (rerun with --verbose for the stack trace)"));
    logStack(e, verbose);
    return ExitCode.FAILED;
  }

  private static void logStack(Exception e, boolean verbose) {
    if (verbose) {
      LOG.error("stack trace", e);
    }
  }

  /** "what failed: why: root cause", without repeating a cause already in its wrapper's text. */
  static String messages(Throwable e) {
    List<String> parts = new ArrayList<>();
    for (Throwable t = e; t != null && parts.size() < 4; t = t.getCause()) {
      String message = t.getMessage();
      if (message == null || message.isBlank()) {
        message = t.getClass().getSimpleName();
      }
      String m = message;
      if (parts.stream().noneMatch(p -> p.contains(m))) {
        parts.add(m);
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return String.join(": ", parts);
  }

  private static <T extends Throwable> T find(Throwable e, Class<T> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }
}
