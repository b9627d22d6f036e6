package io.linkwatch.ingest.source.file;

import io.linkwatch.avro.SourceKind;
import io.linkwatch.ingest.IngestException;
import io.linkwatch.ingest.parse.AzureLogParser;
import io.linkwatch.ingest.parse.Origin;
import io.linkwatch.ingest.sink.KafkaEventSink;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * Parses and encodes chunks of JSON units on worker threads and sends their records in file order
 * from the thread that reads: parsing is the expensive part, and the order (per file, per key) is
 * what a reader of the topics expects. At most {@code 2 x workers} chunks are in flight, so memory
 * stays bounded whatever the file size. Each chunk carries the file position after its last unit;
 * {@link Listener#sent} is told once its records are handed to the producer, in order, so the
 * checkpoint never runs ahead of what was sent.
 */
final class ParallelParser implements AutoCloseable {

  /**
   * Told, in file order, when the records of a chunk have been handed to the producer; {@code acks}
   * completes when the broker has them all ({@code null}: nothing was sent).
   */
  interface Listener {
    void sent(Path file, Checkpoint.Position after, KafkaEventSink.Batch acks);
  }

  /** Units of one file, copied out of the read buffer. */
  private record Chunk(
      byte[] bytes,
      int[] starts,
      int[] ends,
      long[] lines,
      int count,
      String source,
      Path file,
      Checkpoint.Position after) {}

  private record Done(
      List<KafkaEventSink.Prepared> records, Path file, Checkpoint.Position after) {}

  private static final int MAX_UNITS = 4096;

  private final ExecutorService workers;
  private final ThreadLocal<AzureLogParser> parsers;
  private final KafkaEventSink sink;
  private final Listener listener;
  private final int maxInFlight;
  private final ArrayDeque<Future<Done>> inFlight = new ArrayDeque<>();

  // the chunk being gathered (offsets into the caller's buffer)
  private int[] starts = new int[256];
  private int[] ends = new int[256];
  private long[] lines = new long[256];
  private int count;

  ParallelParser(
      int threads, Supplier<AzureLogParser> parsers, KafkaEventSink sink, Listener listener) {
    this.workers =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, "linkwatch-ingest-parse");
              t.setDaemon(true);
              return t;
            });
    this.parsers = ThreadLocal.withInitial(parsers);
    this.sink = sink;
    this.listener = listener;
    this.maxInFlight = 2 * threads;
  }

  /** Adds a unit of {@code buf} to the chunk being gathered. */
  void add(int start, int end, long line) {
    if (count == starts.length) {
      starts = Arrays.copyOf(starts, count * 2);
      ends = Arrays.copyOf(ends, count * 2);
      lines = Arrays.copyOf(lines, count * 2);
    }
    starts[count] = start;
    ends[count] = end;
    lines[count] = line;
    count++;
  }

  boolean full() {
    return count >= MAX_UNITS;
  }

  /**
   * Hands the gathered units (which live in {@code buf}, which the caller will overwrite) to a
   * worker, then sends whatever chunks are done, in order.
   *
   * @param after the file position after the last unit
   */
  void submit(byte[] buf, String source, Path file, Checkpoint.Position after) {
    if (count == 0) {
      if (inFlight.isEmpty()) {
        listener.sent(file, after, null);
      } else {
        // nothing to parse, but the position comes after the chunks still in flight
        inFlight.add(CompletableFuture.completedFuture(new Done(List.of(), file, after)));
      }
      return;
    }
    int from = starts[0];
    int to = ends[count - 1];
    int[] s = new int[count];
    int[] e = new int[count];
    for (int i = 0; i < count; i++) {
      s[i] = starts[i] - from;
      e[i] = ends[i] - from;
    }
    Chunk chunk =
        new Chunk(
            Arrays.copyOfRange(buf, from, to),
            s,
            e,
            Arrays.copyOf(lines, count),
            count,
            source,
            file,
            after);
    count = 0;
    while (inFlight.size() >= maxInFlight) {
      sendHead();
    }
    inFlight.add(workers.submit(() -> parse(chunk)));
    while (!inFlight.isEmpty() && inFlight.peek().isDone()) {
      sendHead();
    }
  }

  /** Sends everything in flight, in order. */
  void drain() {
    while (!inFlight.isEmpty()) {
      sendHead();
    }
  }

  private Done parse(Chunk c) {
    AzureLogParser parser = parsers.get();
    List<KafkaEventSink.Prepared> records = new ArrayList<>(c.count() * 4);
    var out = sink.preparing(records);
    for (int i = 0; i < c.count(); i++) {
      long t0 = System.nanoTime();
      parser.parseUnit(
          c.bytes(),
          c.starts()[i],
          c.ends()[i] - c.starts()[i],
          Origin.line(SourceKind.FILE, c.source(), c.lines()[i]),
          out);
      sink.metrics().recordParse(System.nanoTime() - t0);
    }
    return new Done(records, c.file(), c.after());
  }

  private void sendHead() {
    Done done;
    try {
      done = inFlight.poll().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IngestException("interrupted while parsing", e);
    } catch (ExecutionException e) {
      throw new IngestException("a parsing thread failed: " + e.getCause(), e.getCause());
    }
    KafkaEventSink.Batch acks = sink.batch();
    for (KafkaEventSink.Prepared p : done.records()) {
      acks.send(p);
    }
    listener.sent(done.file(), done.after(), acks.seal());
  }

  @Override
  public void close() {
    workers.shutdownNow();
  }
}
