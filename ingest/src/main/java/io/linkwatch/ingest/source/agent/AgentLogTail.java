package io.linkwatch.ingest.source.agent;

import io.linkwatch.avro.SourceKind;
import io.linkwatch.ingest.IngestException;
import io.linkwatch.ingest.parse.AgentLogParser;
import io.linkwatch.ingest.parse.Origin;
import io.linkwatch.ingest.sink.KafkaEventSink;
import io.linkwatch.ingest.source.Progress;
import io.linkwatch.ingest.source.Summary;
import io.linkwatch.ingest.source.file.Checkpoint;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows an Arc agent log ({@code azcmagent.log}, {@code himds.log}) like {@code tail -F} and puts
 * each line on the agent topic, keyed by machine. Rotation-safe: when the file is renamed away
 * (logrotate's default) the rest of the old file is read before the new one; when it is truncated
 * in place ({@code copytruncate}) reading starts again at its beginning. A checkpoint (byte offset,
 * line and the file's identity) is saved after each acknowledged interval, so a restart continues
 * where it stopped, including in the old file when the log rotated while the tail was down.
 */
public final class AgentLogTail {

  private static final Logger LOG = LoggerFactory.getLogger(AgentLogTail.class);

  /**
   * @param file the log to follow
   * @param machine machine the lines belong to (the event key)
   * @param follow keep following; otherwise read to the end and return
   * @param fromEnd without a checkpoint, start at the end of the log
   * @param pollMs how often to look for new lines and rotation
   * @param flushIntervalMs how often to wait for acknowledgements and save the checkpoint
   * @param maxLineBytes longest line read as one
   */
  public record Options(
      Path file,
      String machine,
      boolean follow,
      boolean fromEnd,
      long pollMs,
      long flushIntervalMs,
      int maxLineBytes) {}

  private final Options options;
  private final AgentLogParser parser;
  private final KafkaEventSink sink;
  private final Checkpoint checkpoint;
  private final Progress progress;
  private final String source;
  private final String logName;
  private final byte[] buf;
  private long lines;
  private long bytes;
  private long lastFlush = System.nanoTime();
  private Checkpoint.Position unsaved;

  public AgentLogTail(
      Options options,
      AgentLogParser parser,
      KafkaEventSink sink,
      Checkpoint checkpoint,
      Progress progress) {
    this.options = options;
    this.parser = parser;
    this.sink = sink;
    this.checkpoint = checkpoint;
    this.progress = progress;
    this.source = options.file().toAbsolutePath().normalize().toString();
    String name = options.file().getFileName().toString();
    int dot = name.toLowerCase(Locale.ROOT).indexOf(".log");
    this.logName = dot > 0 ? name.substring(0, dot + 4) : name;
    this.buf = new byte[Math.max(64 * 1024, Math.min(options.maxLineBytes() + 1, 8 << 20))];
  }

  /** Tails until {@code stop} says so (or, not following, until the end of the log). */
  public Summary run(BooleanSupplier stop) {
    long started = System.nanoTime();
    Path file = options.file();
    try {
      Checkpoint.Position saved = checkpoint.get(file);
      String key = waitForFile(file, stop);
      if (key == null) {
        return summary(started);
      }
      Checkpoint.Position from = saved;
      if (saved.fileKey() != null && !saved.fileKey().equals(key)) {
        // rotated while we were not looking: finish the old file if it is still there
        Path old = findByKey(file, saved.fileKey());
        if (old != null) {
          LOG.info("{} rotated while stopped: reading the rest of {} first", file, old);
          follow(old, saved, false, stop, true);
        } else {
          LOG.warn(
              "{} rotated while stopped and the old file is gone: lines written to it after the"
                  + " checkpoint are lost; reading the new log from its start",
              file);
        }
        from = Checkpoint.Position.START;
      } else if (saved.offset() == 0 && options.fromEnd()) {
        long size = Files.size(file);
        from = new Checkpoint.Position(size, 1, size, key);
        LOG.info("starting at the end of {} ({} bytes)", file, size);
      }
      while (!stop.getAsBoolean()) {
        Checkpoint.Position end = follow(file, from, options.follow(), stop, false);
        if (end == null || !options.follow()) {
          break;
        }
        // the log rotated: the new file is read from its start
        from = Checkpoint.Position.START;
      }
    } catch (IOException e) {
      throw new IngestException("cannot read " + file + ": " + e.getMessage(), e);
    } finally {
      flushAndCheckpoint(file);
    }
    return summary(started);
  }

  /**
   * Reads one file from {@code from}. Following, it returns when the file was rotated away (a
   * position) or when stopped ({@code null}); not following, at its end.
   */
  private Checkpoint.Position follow(
      Path path, Checkpoint.Position from, boolean following, BooleanSupplier stop, boolean old)
      throws IOException {
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      String key = fileKey(path);
      long base = Math.min(from.offset(), ch.size());
      long line = from.offset() <= ch.size() ? from.line() : 1;
      ch.position(base);
      int filled = 0;
      while (true) {
        int n = ch.read(ByteBuffer.wrap(buf, filled, buf.length - filled));
        if (n > 0) {
          filled += n;
          bytes += n;
          int start = 0;
          int nl;
          while ((nl = indexOf(buf, start, filled)) >= 0) {
            parse(start, nl - start, line);
            start = nl + 1;
            line++;
          }
          if (start > 0) {
            System.arraycopy(buf, start, buf, 0, filled - start);
            base += start;
            filled -= start;
          } else if (filled == buf.length) {
            // a line longer than the buffer: dead-letter its beginning, skip the rest of it
            parse(0, filled, line);
            base += filled;
            filled = 0;
            base = skipLine(ch, base);
            line++;
          }
          position(old ? null : path, base, line, ch.size(), key);
          continue;
        }
        // at the end of what is there
        if (!following) {
          if (filled > 0) {
            parse(0, filled, line);
            base += filled;
            line++;
            filled = 0;
            position(old ? null : path, base, line, ch.size(), key);
          }
          return new Checkpoint.Position(base, line, ch.size(), key);
        }
        if (stop.getAsBoolean()) {
          return null;
        }
        String now = currentKey(path);
        if (now != null && !now.equals(key)) {
          // renamed away: what is left in the old file was read above; a last partial line too
          if (ch.size() > base + filled) {
            continue;
          }
          if (filled > 0) {
            parse(0, filled, line);
          }
          LOG.info("{} rotated: following the new file", path);
          flushAndCheckpoint(path);
          return new Checkpoint.Position(0, 1, 0, now);
        }
        if (now != null && Files.size(path) < base + filled) {
          LOG.warn(
              "{} was truncated in place (copytruncate): reading it again from its start", path);
          ch.position(0);
          base = 0;
          line = 1;
          filled = 0;
          continue;
        }
        maybeFlush(path);
        report();
        Progress.pause(options.pollMs(), stop);
      }
    }
  }

  private void parse(int off, int len, long line) {
    long t0 = System.nanoTime();
    parser.parseLine(
        buf,
        off,
        len,
        options.machine(),
        logName,
        Origin.line(SourceKind.AGENT_LOG, source, line),
        sink);
    sink.metrics().recordParse(System.nanoTime() - t0);
    lines++;
  }

  private void position(Path path, long offset, long line, long size, String key) {
    if (path != null) {
      unsaved = new Checkpoint.Position(offset, line, size, key);
    }
    maybeFlush(path == null ? options.file() : path);
  }

  private void maybeFlush(Path path) {
    if (System.nanoTime() - lastFlush >= options.flushIntervalMs() * 1_000_000L) {
      flushAndCheckpoint(path);
      report();
    }
  }

  private void flushAndCheckpoint(Path path) {
    lastFlush = System.nanoTime();
    sink.flush();
    if (unsaved != null) {
      checkpoint.put(options.file(), unsaved);
      checkpoint.save();
      unsaved = null;
    }
  }

  private String waitForFile(Path file, BooleanSupplier stop) throws IOException {
    boolean told = false;
    while (true) {
      String key = currentKey(file);
      if (key != null) {
        return key;
      }
      if (!options.follow()) {
        throw new IngestException("no such file: " + file);
      }
      if (!told) {
        LOG.info("waiting for {} to appear", file);
        told = true;
      }
      if (stop.getAsBoolean()) {
        return null;
      }
      Progress.pause(options.pollMs(), stop);
    }
  }

  /** The rotated sibling of the log ({@code azcmagent.log.1}, ...) that is the file {@code key}. */
  private static Path findByKey(Path file, String key) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    String base = file.getFileName().toString();
    try (DirectoryStream<Path> siblings = Files.newDirectoryStream(dir, base + "*")) {
      for (Path p : siblings) {
        if (key.equals(currentKey(p))) {
          return p;
        }
      }
    }
    return null;
  }

  /** The identity of the file at the path now (inode), or null when there is none. */
  private static String currentKey(Path path) throws IOException {
    try {
      return fileKey(path);
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  private static String fileKey(Path path) throws IOException {
    BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
    Object key = a.fileKey();
    // without inodes (some file systems), the creation time stands for the file
    return key != null ? key.toString().replace(',', ';') : "created=" + a.creationTime();
  }

  private static long skipLine(FileChannel ch, long from) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(64 * 1024);
    long p = from;
    while (true) {
      b.clear();
      int n = ch.read(b, p);
      if (n < 0) {
        ch.position(p);
        return p;
      }
      for (int i = 0; i < n; i++) {
        if (b.get(i) == '\n') {
          ch.position(p + i + 1);
          return p + i + 1;
        }
      }
      p += n;
    }
  }

  private static int indexOf(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] == '\n') {
        return i;
      }
    }
    return -1;
  }

  private void report() {
    progress.update(bytes, -1, Progress.status("lines", lines, sink.metrics()));
  }

  private Summary summary(long started) {
    return Summary.of(1, bytes, sink.metrics(), Duration.ofNanos(System.nanoTime() - started));
  }
}
