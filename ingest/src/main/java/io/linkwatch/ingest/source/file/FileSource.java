package io.linkwatch.ingest.source.file;

import io.linkwatch.avro.DeadLetterReason;
import io.linkwatch.avro.SourceKind;
import io.linkwatch.ingest.IngestException;
import io.linkwatch.ingest.parse.AgentLogParser;
import io.linkwatch.ingest.parse.AzureLogParser;
import io.linkwatch.ingest.parse.DeadLetters;
import io.linkwatch.ingest.parse.JsonUnits;
import io.linkwatch.ingest.parse.Origin;
import io.linkwatch.ingest.sink.KafkaEventSink;
import io.linkwatch.ingest.source.LocalHost;
import io.linkwatch.ingest.source.Progress;
import io.linkwatch.ingest.source.Summary;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads files of Azure logs and puts their records on the event topics: a file, a folder, or the
 * Storage export layout ({@code
 * insights-logs-<category>/resourceId=/.../y=/m=/d=/h=/m=00/PT1H.json}), walked in path order
 * (which is time order in that layout). JSON files may hold PT1H lines, NDJSON, envelopes,
 * concatenated objects or a Log Analytics array; files whose name ends in {@code .log} are Arc
 * agent logs ({@code azcmagent.log}), their machine named by the option or by the folder they are
 * in.
 *
 * <p>Each file's position (byte offset and line after the last record the broker acknowledged) is
 * saved in a {@link Checkpoint} every flush interval and at the end, so a restart, even after a
 * crash, continues without loss (at worst the records of the last interval are sent again: they
 * keep their event ids). Without {@code follow} the source returns when every file is read; with
 * it, it keeps reading appended data and new files until stopped.
 */
public final class FileSource {

  private static final Logger LOG = LoggerFactory.getLogger(FileSource.class);
  private static final int READ_CHUNK = 256 * 1024;

  /**
   * @param inputs files and folders
   * @param follow keep reading appended data and new files
   * @param pollMs how often to look again when following
   * @param flushIntervalMs how often to wait for acknowledgements and save the checkpoint
   * @param maxRecordBytes largest unit read as one
   * @param exclude file name globs a folder scan skips
   * @param machine machine of agent logs, or {@code null} for the folder name
   * @param parseThreads threads that parse and encode JSON (records are sent in file order)
   */
  public record Options(
      List<Path> inputs,
      boolean follow,
      long pollMs,
      long flushIntervalMs,
      int maxRecordBytes,
      List<String> exclude,
      String machine,
      int parseThreads) {

    /** Options with as many parse threads as processors (at most 4). */
    public Options(
        List<Path> inputs,
        boolean follow,
        long pollMs,
        long flushIntervalMs,
        int maxRecordBytes,
        List<String> exclude,
        String machine) {
      this(
          inputs,
          follow,
          pollMs,
          flushIntervalMs,
          maxRecordBytes,
          exclude,
          machine,
          Math.min(4, Runtime.getRuntime().availableProcessors()));
    }
  }

  private final Options options;
  private final AzureLogParser azure;
  private final AgentLogParser agent;
  private final KafkaEventSink sink;
  private final Checkpoint checkpoint;
  private final Progress progress;
  private final DeadLetters tooLarge;
  private final List<PathMatcher> excluded = new ArrayList<>();
  private final JsonUnits units = new JsonUnits();
  // where reading has got to, per file (what was handed to the parse threads or the producer)
  private final Map<Path, Checkpoint.Position> readAt = new LinkedHashMap<>();
  // positions whose records the broker has acknowledged, not saved yet
  private final Map<Path, Checkpoint.Position> unsaved = new LinkedHashMap<>();
  // chunks sent, in order, with the acknowledgements of their records
  private final java.util.ArrayDeque<InFlight> inFlight = new java.util.ArrayDeque<>();
  // records were sent outside a batch (agent logs, an oversized unit): the checkpoint then waits
  // for every acknowledgement
  private boolean directSends;

  private record InFlight(Path file, Checkpoint.Position after, KafkaEventSink.Batch acks) {}

  private byte[] buf;
  private long bytesRead;
  private long totalBytes;
  private long lastFlush;
  private int filesRead;
  private BooleanSupplier stop = () -> false;
  private ParallelParser parallel;

  public FileSource(
      Options options,
      AzureLogParser azure,
      AgentLogParser agent,
      KafkaEventSink sink,
      Checkpoint checkpoint,
      Progress progress,
      int maxDeadLetterRawBytes) {
    this.options = options;
    this.azure = azure;
    this.agent = agent;
    this.sink = sink;
    this.checkpoint = checkpoint;
    this.progress = progress;
    this.tooLarge = new DeadLetters(maxDeadLetterRawBytes);
    for (String glob : options.exclude()) {
      excluded.add(FileSystems.getDefault().getPathMatcher("glob:" + glob.strip()));
    }
    this.buf = new byte[Math.max(READ_CHUNK * 2, Math.min(options.maxRecordBytes() * 2, 8 << 20))];
  }

  /**
   * Reads until every file is read (or, following, until {@code stopRequested} says so), then waits
   * for the broker's acknowledgements and saves the checkpoint.
   *
   * @throws IngestException when an input cannot be read or the broker refused records
   */
  public Summary run(BooleanSupplier stopRequested) {
    this.stop = stopRequested;
    long started = System.nanoTime();
    lastFlush = started;
    List<Path> files = discover();
    if (files.isEmpty() && !options.follow()) {
      throw new IngestException(
          "no input files in " + options.inputs() + " (after excluding " + options.exclude() + ")");
    }
    totalBytes = remaining(files);
    LOG.info(
        "reading {} file(s), {} MB to go{}",
        files.size(),
        totalBytes >> 20,
        options.follow() ? ", then following" : "");
    parallel =
        new ParallelParser(
            Math.max(1, options.parseThreads()), () -> azure.copy(), sink, this::sentChunk);
    try {
      while (!stop.getAsBoolean()) {
        boolean progressed = false;
        for (Path f : files) {
          if (stop.getAsBoolean()) {
            break;
          }
          progressed |= readFile(f);
        }
        if (!options.follow()) {
          break;
        }
        if (!progressed) {
          parallel.drain();
          checkpoint(true);
          report();
          Progress.pause(options.pollMs(), stop);
          List<Path> now = discover();
          totalBytes += newFilesBytes(files, now);
          files = now;
        }
      }
      parallel.drain();
    } finally {
      parallel.close();
      checkpoint(true);
      report();
    }
    return Summary.of(
        filesRead, bytesRead, sink.metrics(), Duration.ofNanos(System.nanoTime() - started));
  }

  /** Reads what is new in one file; true when anything was read. */
  private boolean readFile(Path file) {
    Checkpoint.Position pos = readAt.getOrDefault(file, checkpoint.get(file));
    long size;
    try {
      size = Files.size(file);
    } catch (NoSuchFileException e) {
      return false; // rotated or deleted meanwhile: a new discovery will tell
    } catch (IOException e) {
      throw new IngestException("cannot read " + file + ": " + e.getMessage(), e);
    }
    if (size < pos.offset()) {
      LOG.warn(
          "{} is now {} bytes, shorter than the {} already read: it was replaced or truncated,"
              + " reading it again from the start",
          file,
          size,
          pos.offset());
      pos = Checkpoint.Position.START;
    }
    if (size == pos.offset()) {
      return false;
    }
    if (pos.offset() == 0) {
      filesRead++;
    }
    String source = file.toAbsolutePath().normalize().toString();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ch.position(pos.offset());
      if (isAgentLog(file)) {
        readAgentLog(ch, file, source, pos);
      } else {
        readJson(ch, file, source, pos);
      }
    } catch (IOException e) {
      throw new IngestException("cannot read " + file + ": " + e.getMessage(), e);
    }
    return true;
  }

  private void readJson(FileChannel ch, Path file, String source, Checkpoint.Position from)
      throws IOException {
    long base = from.offset(); // file offset of buf[0]
    int start = 0;
    int filled = 0;
    units.restart(from.line());
    boolean eof = false;
    while (!eof && !stop.getAsBoolean()) {
      if (filled == buf.length) {
        if (start > 0) {
          System.arraycopy(buf, start, buf, 0, filled - start);
          base += start;
          filled -= start;
          start = 0;
        } else {
          buf = java.util.Arrays.copyOf(buf, buf.length * 2);
        }
      }
      int n = ch.read(ByteBuffer.wrap(buf, filled, buf.length - filled));
      if (n < 0) {
        eof = true;
      } else {
        filled += n;
        bytesRead += n;
      }
      units.reset(buf, start, filled, eof && !options.follow());
      while (true) {
        JsonUnits.Result r = units.next();
        if (r == JsonUnits.Result.UNIT) {
          parallel.add(units.unitStart(), units.unitEnd(), units.unitLine());
          start = units.position();
          if (parallel.full()) {
            handOver(buf, source, file, position(base + start, units.line(), ch));
          }
        } else if (r == JsonUnits.Result.END) {
          start = units.position();
          handOver(buf, source, file, position(base + start, units.line(), ch));
          break;
        } else {
          start = units.unitStart();
          units.rewind();
          // the buffer is about to move: hand over what is complete
          handOver(buf, source, file, position(base + start, units.unitLine(), ch));
          if (filled - start > options.maxRecordBytes()) {
            long skippedTo = skipOversized(ch, file, source, base + start, start, filled - start);
            if (skippedTo < 0) {
              return; // following and the oversized unit has not ended yet
            }
            base = skippedTo;
            start = 0;
            filled = 0;
          }
          break;
        }
      }
    }
  }

  /**
   * A unit grew past the limit: dead-letter its beginning, then skip to the end of its line.
   * Returns the file offset after that line, or -1 when the line has not ended yet.
   *
   * @param offset file offset of the unit
   * @param at index of the unit in the buffer
   * @param have bytes of the unit in the buffer
   */
  private long skipOversized(
      FileChannel ch, Path file, String source, long offset, int at, int have) throws IOException {
    long line = units.unitLine();
    parallel.drain(); // the dead letter goes after the records before it
    ByteBuffer probe = ByteBuffer.allocate(64 * 1024);
    long p = offset + have;
    long end = -1;
    while (end < 0) {
      probe.clear();
      int n = ch.read(probe, p);
      if (n < 0) {
        if (options.follow()) {
          return -1;
        }
        end = p;
        break;
      }
      for (int i = 0; i < n; i++) {
        if (probe.get(i) == '\n') {
          end = p + i + 1;
          break;
        }
      }
      p += n;
    }
    Origin origin = Origin.line(SourceKind.FILE, source, line);
    sink.deadLetter(
        source,
        tooLarge.create(
            DeadLetterReason.TOO_LARGE,
            "a record of "
                + (end - offset)
                + " bytes or more is larger than ingest.max.record.bytes ("
                + options.maxRecordBytes()
                + "); skipped to the end of its line ["
                + origin.describe()
                + "]",
            null,
            buf,
            at,
            have,
            DeadLetters.CONTENT_JSON,
            origin.toProvenance(System.currentTimeMillis()),
            System.currentTimeMillis()));
    long lines = 1;
    for (int i = at; i < at + have; i++) {
      if (buf[i] == '\n') {
        lines++;
      }
    }
    bytesRead += end - (offset + have);
    ch.position(end);
    units.restart(line + lines);
    advanced(file, end, line + lines, ch.size());
    return end;
  }

  private void readAgentLog(FileChannel ch, Path file, String source, Checkpoint.Position from)
      throws IOException {
    String machine = machineOf(file);
    String logName = logName(file);
    long base = from.offset();
    long line = from.line();
    int start = 0;
    int filled = 0;
    boolean eof = false;
    while (!eof && !stop.getAsBoolean()) {
      if (filled == buf.length) {
        if (start > 0) {
          System.arraycopy(buf, start, buf, 0, filled - start);
          base += start;
          filled -= start;
          start = 0;
        } else {
          // a line longer than the buffer: dead-letter its beginning, skip the rest of it
          agent.parseLine(
              buf, 0, filled, machine, logName, Origin.line(SourceKind.FILE, source, line), sink);
          base += filled;
          filled = 0;
          skipToNewline(ch);
          base = ch.position();
          line++;
          advanced(file, base, line, ch.size());
          continue;
        }
      }
      int n = ch.read(ByteBuffer.wrap(buf, filled, buf.length - filled));
      if (n < 0) {
        eof = true;
      } else {
        filled += n;
        bytesRead += n;
      }
      int nl;
      while ((nl = indexOf(buf, (byte) '\n', start, filled)) >= 0) {
        long t0 = System.nanoTime();
        agent.parseLine(
            buf,
            start,
            nl - start,
            machine,
            logName,
            Origin.line(SourceKind.FILE, source, line),
            sink);
        sink.metrics().recordParse(System.nanoTime() - t0);
        start = nl + 1;
        line++;
        advanced(file, base + start, line, ch.size());
      }
      if (eof && !options.follow() && start < filled) {
        agent.parseLine(
            buf,
            start,
            filled - start,
            machine,
            logName,
            Origin.line(SourceKind.FILE, source, line),
            sink);
        start = filled;
        line++;
        advanced(file, base + start, line, ch.size());
      }
    }
  }

  private static void skipToNewline(FileChannel ch) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(64 * 1024);
    while (true) {
      b.clear();
      int n = ch.read(b);
      if (n < 0) {
        return;
      }
      for (int i = 0; i < n; i++) {
        if (b.get(i) == '\n') {
          ch.position(ch.position() - n + i + 1);
          return;
        }
      }
    }
  }

  private static int indexOf(byte[] b, byte value, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] == value) {
        return i;
      }
    }
    return -1;
  }

  private static Checkpoint.Position position(long offset, long line, FileChannel ch)
      throws IOException {
    return new Checkpoint.Position(offset, line, ch.size());
  }

  private void handOver(byte[] buf, String source, Path file, Checkpoint.Position after) {
    readAt.put(file, after);
    parallel.submit(buf, source, file, after);
  }

  /** A chunk's records were handed to the producer: its position counts once they are acked. */
  private void sentChunk(Path file, Checkpoint.Position after, KafkaEventSink.Batch acks) {
    inFlight.add(new InFlight(file, after, acks));
    promote();
    maybeCheckpoint();
  }

  /** Records sent directly (agent logs, an oversized unit), up to this position. */
  private void advanced(Path file, long offset, long line, long size) {
    Checkpoint.Position p = new Checkpoint.Position(offset, line, size);
    readAt.put(file, p);
    unsaved.put(file, p);
    directSends = true;
    maybeCheckpoint();
  }

  /** Moves the positions of the chunks the broker has acknowledged, in order, to be saved. */
  private void promote() {
    while (!inFlight.isEmpty()
        && (inFlight.peek().acks() == null || inFlight.peek().acks().isDone())) {
      InFlight f = inFlight.poll();
      if (f.acks() != null && f.acks().error() != null) {
        throw new IngestException(
            "the broker did not accept every record ("
                + f.acks().error()
                + "); nothing after the last checkpoint is assumed stored",
            f.acks().error());
      }
      unsaved.put(f.file(), f.after());
    }
  }

  private void maybeCheckpoint() {
    if (System.nanoTime() - lastFlush >= options.flushIntervalMs() * 1_000_000L) {
      checkpoint(false);
      report();
    }
  }

  /**
   * Saves the positions the broker has acknowledged. Without waiting, unless records were sent
   * outside a batch or {@code everything} is asked (the end of the run).
   */
  private void checkpoint(boolean everything) {
    lastFlush = System.nanoTime();
    if (everything || directSends) {
      sink.flush();
      directSends = false;
    } else if (sink.failure() != null) {
      sink.flush(); // throws, naming the failure
    }
    promote();
    if (!unsaved.isEmpty()) {
      unsaved.forEach(checkpoint::put);
      unsaved.clear();
      checkpoint.save();
    }
  }

  private void report() {
    progress.update(
        bytesRead, options.follow() ? -1 : totalBytes, Progress.status("", -1, sink.metrics()));
  }

  /** The input files, in path order, excluded names left out. */
  List<Path> discover() {
    List<Path> files = new ArrayList<>();
    for (Path input : options.inputs()) {
      if (Files.isDirectory(input)) {
        try (Stream<Path> walk = Files.walk(input)) {
          walk.filter(Files::isRegularFile)
              .filter(p -> !isExcluded(input, p))
              .sorted()
              .forEach(files::add);
        } catch (IOException e) {
          throw new IngestException("cannot list " + input + ": " + e.getMessage(), e);
        }
      } else if (Files.isRegularFile(input)) {
        files.add(input);
      } else if (!options.follow()) {
        throw new IngestException("no such file or folder: " + input);
      }
    }
    return files;
  }

  private boolean isExcluded(Path root, Path file) {
    Path name = file.getFileName();
    for (PathMatcher m : excluded) {
      if (m.matches(name)) {
        return true;
      }
    }
    // hidden folders between the root and the file (e.g. a checkpoint folder)
    Path rel = root.relativize(file);
    for (int i = 0; i < rel.getNameCount() - 1; i++) {
      if (rel.getName(i).toString().startsWith(".")) {
        return true;
      }
    }
    return false;
  }

  private long remaining(List<Path> files) {
    long n = 0;
    for (Path f : files) {
      try {
        n += Math.max(0, Files.size(f) - checkpoint.get(f).offset());
      } catch (IOException e) {
        // gone meanwhile
      }
    }
    return n;
  }

  private long newFilesBytes(List<Path> before, List<Path> now) {
    List<Path> added = new ArrayList<>(now);
    added.removeAll(before);
    return remaining(added);
  }

  static boolean isAgentLog(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    return name.endsWith(".log") || name.matches(".*\\.log\\.\\d+");
  }

  private String machineOf(Path file) {
    if (options.machine() != null && !options.machine().isBlank()) {
      return options.machine();
    }
    Path parent = file.toAbsolutePath().getParent();
    String dir =
        parent == null || parent.getFileName() == null ? "" : parent.getFileName().toString();
    if (dir.isEmpty() || dir.equalsIgnoreCase("log") || dir.equalsIgnoreCase("logs")) {
      return LocalHost.name();
    }
    return dir;
  }

  private static String logName(Path file) {
    String name = file.getFileName().toString();
    int rotated = name.toLowerCase(Locale.ROOT).indexOf(".log");
    return rotated > 0 ? name.substring(0, rotated + 4) : name;
  }
}
