package io.linkwatch.sink.delivery;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The idempotency keys one receiver has accepted lately, kept in a small append-only file, so that
 * a sink killed between a delivery and its offset commit does not send that transition again when
 * it restarts. Bounded: the newest {@code capacity} keys are kept, and the file is rewritten when
 * it holds twice as many lines.
 *
 * <p>A receiver's partitions that move to another sink instance are not covered (the ledger is
 * local): there, delivery is at-least-once and the receiver drops repeats by the {@code
 * Idempotency-Key} it is sent.
 */
final class DeliveryLedger implements AutoCloseable {

  private final Path file;
  private final int capacity;
  private final LinkedHashSet<String> keys = new LinkedHashSet<>();
  private FileChannel channel;
  private int lines;

  private DeliveryLedger(Path file, int capacity) {
    this.file = file;
    this.capacity = capacity;
  }

  /** A ledger that remembers nothing across restarts (no state directory). */
  static DeliveryLedger inMemory(int capacity) {
    return new DeliveryLedger(null, capacity);
  }

  /** Opens (or creates) the ledger file and loads its newest keys. */
  static DeliveryLedger open(Path file, int capacity) {
    DeliveryLedger ledger = new DeliveryLedger(file, capacity);
    try {
      Files.createDirectories(file.getParent());
      if (Files.exists(file)) {
        List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (String line : all) {
          if (!line.isBlank()) {
            ledger.remember(line.strip());
          }
        }
        ledger.lines = all.size();
      }
      ledger.channel =
          FileChannel.open(
              file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot open the delivery ledger " + file + ": " + e.getMessage(), e);
    }
    return ledger;
  }

  boolean contains(String key) {
    return keys.contains(key);
  }

  /** Records keys as delivered, durably (the file is forced to disk) before returning. */
  void record(Collection<String> delivered) {
    if (delivered.isEmpty()) {
      return;
    }
    delivered.forEach(this::remember);
    if (channel == null) {
      return;
    }
    StringBuilder b = new StringBuilder();
    delivered.forEach(k -> b.append(k).append('\n'));
    try {
      ByteBuffer buf = ByteBuffer.wrap(b.toString().getBytes(StandardCharsets.UTF_8));
      while (buf.hasRemaining()) {
        channel.write(buf);
      }
      channel.force(false);
      lines += delivered.size();
      if (lines > 2 * capacity) {
        compact();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot write the delivery ledger " + file + ": " + e.getMessage(), e);
    }
  }

  private void remember(String key) {
    keys.remove(key);
    keys.add(key);
    if (keys.size() > capacity) {
      Iterator<String> oldest = keys.iterator();
      oldest.next();
      oldest.remove();
    }
  }

  private void compact() throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.write(tmp, new ArrayList<>(keys), StandardCharsets.UTF_8);
    channel.close();
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    lines = keys.size();
  }

  int size() {
    return keys.size();
  }

  @Override
  public void close() {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        // nothing left to flush: every record() forced its bytes already
      }
    }
  }
}
