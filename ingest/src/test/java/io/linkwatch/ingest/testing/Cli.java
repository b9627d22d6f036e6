package io.linkwatch.ingest.testing;

import io.linkwatch.ingest.cli.IngestMain;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/** Runs ingest commands in the test JVM, or in a JVM of their own that a test can kill. */
public final class Cli {

  /** What a command printed and returned. */
  public record Run(int exit, String out, String err) {}

  private Cli() {}

  public static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(IngestMain.command());
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int exit = cli.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  /** Starts the command in its own JVM (same classpath), output to {@code log}. */
  public static Process fork(List<String> args, Path log) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx256m");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(IngestMain.class.getName());
    cmd.addAll(args);
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  /** The settings that point every ingest topic at the given names. */
  public static List<String> topics(io.linkwatch.schemas.topic.Topics t) {
    return List.of(
        "--set", "topics.connections=" + t.connections().name(),
        "--set", "topics.provisioning=" + t.provisioning().name(),
        "--set", "topics.agent=" + t.agent().name(),
        "--set", "topics.ingest-deadletter=" + t.ingestDeadLetter().name());
  }
}
