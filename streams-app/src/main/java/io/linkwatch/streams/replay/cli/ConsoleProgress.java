package io.linkwatch.streams.replay.cli;

import io.linkwatch.streams.replay.Replay;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/**
 * A progress bar on stderr: records done of planned, event time reached, rate and time left. On a
 * terminal it redraws one line; otherwise (a pipe, a CI log) it prints a line every ten seconds.
 */
final class ConsoleProgress implements Replay.Listener {

  private static final int WIDTH = 30;

  private final PrintWriter err;
  private final boolean terminal;
  private final boolean quiet;
  private long planned = -1;
  private long startedNanos = System.nanoTime();
  private long lastDrawNanos;

  ConsoleProgress(PrintWriter err, boolean terminal, boolean quiet) {
    this.err = err;
    this.terminal = terminal;
    this.quiet = quiet;
  }

  @Override
  public void waiting(String what) {
    if (!quiet) {
      err.println(what);
    }
  }

  @Override
  public void planned(long records, Instant start, Duration warmup) {
    planned = records;
    startedNanos = System.nanoTime();
    if (!quiet) {
      err.printf(
          Locale.ROOT,
          "reading %,d records from %s (warm-up %s)%n",
          records,
          start.truncatedTo(ChronoUnit.SECONDS),
          human(warmup));
    }
  }

  @Override
  public void advanced(long records, Instant eventTime) {
    if (quiet) {
      return;
    }
    long now = System.nanoTime();
    long every = terminal ? 200_000_000L : 10_000_000_000L;
    boolean last = planned >= 0 && records >= planned;
    if (!last && now - lastDrawNanos < every) {
      return;
    }
    lastDrawNanos = now;
    double seconds = Math.max(1e-9, (now - startedNanos) / 1e9);
    double rate = records / seconds;
    StringBuilder line = new StringBuilder();
    if (planned > 0) {
      double done = Math.min(1.0, records / (double) planned);
      int filled = (int) Math.round(done * WIDTH);
      line.append('[')
          .append("#".repeat(filled))
          .append(".".repeat(WIDTH - filled))
          .append(String.format(Locale.ROOT, "] %3d%% ", Math.round(done * 100)));
    }
    line.append(String.format(Locale.ROOT, "%,d", records));
    if (planned > 0) {
      line.append(String.format(Locale.ROOT, "/%,d", planned));
    }
    line.append(String.format(Locale.ROOT, " records, %,.0f/s", rate));
    if (eventTime != null && eventTime.toEpochMilli() > 0) {
      line.append(", event time ").append(eventTime.truncatedTo(ChronoUnit.SECONDS));
    }
    if (planned > 0 && rate > 0 && records < planned) {
      line.append(", ").append(human(Duration.ofSeconds((long) ((planned - records) / rate))));
      line.append(" left");
    }
    if (terminal) {
      err.print("\r" + line + "   ");
      if (last) {
        err.println();
      }
    } else {
      err.println(line);
    }
    err.flush();
  }

  static String human(Duration d) {
    long s = d.toSeconds();
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return (s / 60) + "m" + (s % 60 == 0 ? "" : (s % 60) + "s");
    }
    long h = s / 3600;
    long m = (s % 3600) / 60;
    return h + "h" + (m == 0 ? "" : m + "m");
  }
}
