package io.linkwatch.ingest.source;

import io.linkwatch.ingest.sink.IngestMetrics;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Progress of a long run: a bar on a terminal, a log line every few seconds otherwise (so that an
 * operator tailing the log of a service sees it move), or nothing.
 */
public abstract class Progress implements AutoCloseable {

  /** Called with the work done so far; {@code total} is -1 when unknown (following). */
  public abstract void update(long done, long total, String status);

  /** "12,345 lines, 12,300 events, 45 dead letters" (the first part left out when units < 0). */
  public static String status(String unit, long units, IngestMetrics metrics) {
    return String.format(
        Locale.ROOT,
        units < 0
            ? "%2$,d events, %3$,d dead letters"
            : "%4$,d %1$s, %2$,d events, %3$,d dead letters",
        unit,
        metrics.eventsOut(),
        metrics.deadLettered(),
        units);
  }

  /** Waits up to {@code ms}, returning early when {@code stop} says so (polling sources). */
  public static void pause(long ms, BooleanSupplier stop) {
    long until = System.nanoTime() + ms * 1_000_000L;
    while (!stop.getAsBoolean() && System.nanoTime() < until) {
      try {
        Thread.sleep(Math.min(ms, 50));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  @Override
  public void close() {}

  /** A bar on the terminal when there is one, log lines otherwise. */
  public static Progress auto(String task, PrintStream terminal) {
    return System.console() != null ? bar(task, terminal) : log(task, Duration.ofSeconds(10));
  }

  public static Progress none() {
    return new Progress() {
      @Override
      public void update(long done, long total, String status) {}
    };
  }

  public static Progress bar(String task, PrintStream terminal) {
    return new Bar(task, terminal);
  }

  public static Progress log(String task, Duration every) {
    return new Log(task, every);
  }

  private static final class Bar extends Progress {
    private final String task;
    private final PrintStream terminal;
    private ProgressBar bar;

    Bar(String task, PrintStream terminal) {
      this.task = task;
      this.terminal = terminal;
    }

    @Override
    public void update(long done, long total, String status) {
      if (bar == null) {
        bar =
            new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII)
                .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(terminal))
                .setUnit(" MB", 1 << 20)
                .showSpeed()
                .build();
      }
      if (total >= 0 && bar.getMax() != total) {
        bar.maxHint(total);
      }
      bar.stepTo(done);
      bar.setExtraMessage(status);
    }

    @Override
    public void close() {
      if (bar != null) {
        bar.close();
      }
    }
  }

  private static final class Log extends Progress {
    private static final Logger LOG = LoggerFactory.getLogger(Progress.class);
    private final String task;
    private final long everyNanos;
    private long last = System.nanoTime();

    Log(String task, Duration every) {
      this.task = task;
      this.everyNanos = every.toNanos();
    }

    @Override
    public void update(long done, long total, String status) {
      long now = System.nanoTime();
      if (now - last < everyNanos) {
        return;
      }
      last = now;
      if (total > 0) {
        LOG.info(
            "{}: {}% ({} of {} MB), {}", task, done * 100 / total, done >> 20, total >> 20, status);
      } else {
        LOG.info("{}: {} MB, {}", task, done >> 20, status);
      }
    }
  }
}
