package io.linkwatch.deploy.cli;

/**
 * Exit codes of the {@code linkwatch} command (also listed in {@code linkwatch --help} and
 * docs/cli.md), so that scripts can tell a typo from an outage.
 */
public final class ExitCode {

  /** Done. */
  public static final int OK = 0;

  /** The command ran and failed, or could not do all it was asked (e.g. a refused topic change). */
  public static final int FAILED = 1;

  /** A wrong flag, argument, setting or config file: nothing was done. */
  public static final int USAGE = 2;

  /** Kafka (or another service the command needs) did not answer in time. */
  public static final int UNREACHABLE = 3;

  /** Stopped by Ctrl-C / SIGINT before the work was done. */
  public static final int INTERRUPTED = 130;

  private ExitCode() {}

  static final String HELP =
      "%nExit codes: 0 done, 1 failed, 2 bad flag/setting/config file, 3 Kafka unreachable,"
          + " 130 interrupted.";
}
