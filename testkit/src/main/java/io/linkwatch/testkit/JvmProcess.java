package io.linkwatch.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A Java program run as a separate operating-system process on the test's own classpath (for
 * example {@code linkwatch streams} through its {@code main}), so that a test can kill it with
 * SIGKILL mid-work — something a component inside the test JVM cannot undergo. Its standard output
 * and error go to a log file, which failures quote.
 *
 * <pre>{@code
 * try (JvmProcess streams =
 *     JvmProcess.builder("streams-a", "io.linkwatch.deploy.cli.Main")
 *         .args("streams", "--config", config.toString())
 *         .heap("384m")
 *         .logDirectory(dir)
 *         .start()) {
 *   streams.awaitLog("-> RUNNING", Duration.ofSeconds(120));
 *   streams.kill();   // SIGKILL
 * }
 * }</pre>
 */
public final class JvmProcess implements AutoCloseable {

  private static final int TAIL_LINES = 40;

  private final String name;
  private final Process process;
  private final Path log;

  private JvmProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /** A process that runs {@code mainClass} of the test classpath. */
  public static Builder builder(String name, String mainClass) {
    return new Builder(name, mainClass);
  }

  /** How to start a {@link JvmProcess}. */
  public static final class Builder {
    private final String name;
    private final String mainClass;
    private final List<String> args = new ArrayList<>();
    private final List<String> jvmOptions = new ArrayList<>();
    private final Map<String, String> environment = new LinkedHashMap<>();
    private Path logDirectory;
    private String heap = "512m";

    private Builder(String name, String mainClass) {
      this.name = name;
      this.mainClass = mainClass;
    }

    /** Program arguments. */
    public Builder args(String... values) {
      args.addAll(List.of(values));
      return this;
    }

    /** JVM options, e.g. {@code -Dkey=value}. */
    public Builder jvmOptions(String... values) {
      jvmOptions.addAll(List.of(values));
      return this;
    }

    /** An environment variable of the process (it inherits the test's environment otherwise). */
    public Builder env(String key, String value) {
      environment.put(key, value);
      return this;
    }

    /** Maximum heap, e.g. {@code 384m} (default 512m). */
    public Builder heap(String size) {
      this.heap = size;
      return this;
    }

    /** Where the log file {@code <name>.log} goes (default: a temporary directory). */
    public Builder logDirectory(Path dir) {
      this.logDirectory = dir;
      return this;
    }

    /** Starts the process and returns at once. */
    public JvmProcess start() {
      try {
        Path dir =
            logDirectory != null ? logDirectory : Files.createTempDirectory("linkwatch-process-");
        Files.createDirectories(dir);
        Path log = dir.resolve(name + ".log");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx" + heap);
        command.add("-XX:+UseSerialGC");
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(testClasspath());
        command.add(mainClass);
        command.addAll(args);
        ProcessBuilder pb =
            new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(environment);
        return new JvmProcess(name, pb.start(), log);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start process " + name + " (" + mainClass + ")", e);
      }
    }
  }

  /**
   * The classpath of the running tests. Surefire and Failsafe start the test JVM through a small
   * manifest-only jar and publish the real classpath in {@code surefire.test.class.path}.
   */
  static String testClasspath() {
    String surefire = System.getProperty("surefire.test.class.path");
    return surefire != null && !surefire.isBlank()
        ? surefire
        : System.getProperty("java.class.path");
  }

  public String name() {
    return name;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public Path log() {
    return log;
  }

  /**
   * Kills the process with SIGKILL — no shutdown hook, no flush, no goodbye to the cluster — and
   * waits until it is gone. Returns its exit code (137 on Linux).
   */
  public int kill() {
    process.destroyForcibly();
    return awaitExit(Duration.ofSeconds(30), "to die after SIGKILL");
  }

  /**
   * Asks the process to stop with SIGTERM (its shutdown hooks run) and waits for it; returns the
   * exit code. Fails, after killing it, when it did not stop in time.
   */
  public int stop(Duration timeout) {
    process.destroy();
    return awaitExit(timeout, "to stop after SIGTERM");
  }

  private int awaitExit(Duration timeout, String what) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
        throw new AssertionError(
            "awaited process " + name + " " + what + " for " + timeout.toSeconds() + " s" + tail());
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      throw new IllegalStateException("interrupted while waiting for process " + name, e);
    }
  }

  /** Whether the log holds the text. */
  public boolean logContains(String text) {
    return logText().contains(text);
  }

  /**
   * Waits until the log holds the text; fails with the log's tail, or at once if the process dies.
   */
  public void awaitLog(String text, Duration timeout) {
    await("'" + text + "' in the log of " + name, timeout, () -> logContains(text));
  }

  /**
   * Waits for a condition while this process runs: fails with the log's tail when the time runs out
   * or when the process exits first.
   */
  public void await(String description, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (!process.isAlive()) {
        throw new AssertionError(
            "process "
                + name
                + " exited with "
                + process.exitValue()
                + " while awaiting "
                + description
                + tail());
      }
      if (System.nanoTime() >= deadline) {
        throw new AssertionError(
            "awaited " + description + " for " + timeout.toSeconds() + " s" + tail());
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while awaiting " + description, e);
      }
    }
  }

  /** The last lines of the log, for failure messages. */
  public String tail() {
    List<String> lines = logText().lines().toList();
    return "\n--- last lines of "
        + log
        + " ---\n"
        + String.join("\n", lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size()));
  }

  private String logText() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  /** Kills the process if it still runs. */
  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public String toString() {
    return name + " (pid " + process.pid() + (process.isAlive() ? ")" : ", exited)");
  }
}
