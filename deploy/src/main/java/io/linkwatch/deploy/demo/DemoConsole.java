package io.linkwatch.deploy.demo;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/**
 * The demo's terminal: lines and alert blocks scroll, and one progress line stays at the bottom
 * (redrawn in place on a terminal; on a pipe or a log file, printed as a line now and then so that
 * the output stays readable). Everything that prints goes through here, so an alert never lands in
 * the middle of the progress line.
 */
final class DemoConsole {

  private static final String CLEAR_LINE = "\r\u001b[K";

  private final PrintWriter out;
  private final boolean terminal;
  private final boolean colour;
  private final long plainEveryNanos;
  private String progress = "";
  private long lastPlainProgress;

  DemoConsole(PrintWriter out, boolean terminal, boolean colour, long plainEveryMillis) {
    this.out = out;
    this.terminal = terminal;
    this.colour = colour;
    this.plainEveryNanos = plainEveryMillis * 1_000_000L;
  }

  boolean colour() {
    return colour;
  }

  /** Prints a line above the progress line. */
  synchronized void line(String text) {
    clearProgress();
    out.println(text);
    redrawProgress();
    out.flush();
  }

  /** Prints lines (an alert block) above the progress line. */
  synchronized void block(String text) {
    clearProgress();
    out.print(text.endsWith("\n") ? text : text + "\n");
    redrawProgress();
    out.flush();
  }

  /** Sets the progress line: redrawn at once on a terminal, printed now and then otherwise. */
  synchronized void progress(String text) {
    progress = text;
    if (terminal) {
      out.print(CLEAR_LINE + text);
      out.flush();
    } else if (System.nanoTime() - lastPlainProgress >= plainEveryNanos) {
      lastPlainProgress = System.nanoTime();
      out.println(text);
      out.flush();
    }
  }

  /** Removes the progress line for good (before the summary). */
  synchronized void endProgress() {
    clearProgress();
    progress = "";
    out.flush();
  }

  String bold(String s) {
    return colour ? "\u001b[1m" + s + "\u001b[0m" : s;
  }

  String dim(String s) {
    return colour ? "\u001b[2m" + s + "\u001b[0m" : s;
  }

  String green(String s) {
    return colour ? "\u001b[32m" + s + "\u001b[0m" : s;
  }

  String red(String s) {
    return colour ? "\u001b[31m" + s + "\u001b[0m" : s;
  }

  String yellow(String s) {
    return colour ? "\u001b[33m" + s + "\u001b[0m" : s;
  }

  /**
   * A stream for the console notifier: what it prints between two flushes is one block, shown above
   * the progress line.
   */
  PrintStream blockStream() {
    OutputStream sink =
        new OutputStream() {
          private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();

          @Override
          public synchronized void write(int b) {
            buffer.write(b);
          }

          @Override
          public synchronized void write(byte[] b, int off, int len) {
            buffer.write(b, off, len);
          }

          @Override
          public synchronized void flush() {
            if (buffer.size() > 0) {
              String shown = withoutRevisions(buffer.toString(StandardCharsets.UTF_8));
              buffer.reset();
              if (!shown.isBlank()) {
                block(shown);
              }
            }
          }
        };
    return new PrintStream(sink, false, StandardCharsets.UTF_8);
  }

  /**
   * Drops the REVISED blocks of the console notifier: a replay revises a firing alert's window many
   * times as late records arrive, and a newcomer needs the fired and resolved transitions, not
   * every revision of the value (the summary counts them; the dashboard shows the latest).
   */
  static String withoutRevisions(String text) {
    StringBuilder kept = new StringBuilder();
    boolean skipping = false;
    for (String line : text.split("(?<=\n)")) {
      String plain = line.replaceAll("\u001b\\[[0-9;]*m", "");
      if (!plain.isEmpty() && !Character.isWhitespace(plain.charAt(0))) {
        String[] words = plain.strip().split("\\s+");
        skipping = words.length > 1 && words[1].equals("REVISED");
      }
      if (!skipping) {
        kept.append(line);
      }
    }
    return kept.toString();
  }

  private void clearProgress() {
    if (terminal && !progress.isEmpty()) {
      out.print(CLEAR_LINE);
    }
  }

  private void redrawProgress() {
    if (terminal && !progress.isEmpty()) {
      out.print(progress);
    }
  }
}
