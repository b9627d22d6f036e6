package io.linkwatch.streams.window;

import com.dynatrace.hash4j.distinctcount.UltraLogLog;
import io.linkwatch.streams.codec.BinaryReader;
import io.linkwatch.streams.codec.BinaryWriter;
import java.util.Arrays;

/**
 * A mergeable count of distinct entities (devices, registrations, machines), given as 64-bit
 * hashes: exact (a sorted set of hashes) up to a bound, then an UltraLogLog sketch (hash4j) of
 * fixed size. Buckets of a window merge exactly while small and with the sketch's error (about
 * 0.8/sqrt(2^p)) beyond.
 */
public final class DistinctCounter {

  private long[] exact; // sorted, distinct; null once the sketch took over
  private int size;
  private UltraLogLog sketch;

  private DistinctCounter(long[] exact, int size, UltraLogLog sketch) {
    this.exact = exact;
    this.size = size;
    this.sketch = sketch;
  }

  public static DistinctCounter empty() {
    return new DistinctCounter(new long[0], 0, null);
  }

  public void add(long hash, int exactMax, int precision) {
    if (sketch != null) {
      sketch.add(hash);
      return;
    }
    int i = Arrays.binarySearch(exact, 0, size, hash);
    if (i >= 0) {
      return;
    }
    if (size >= exactMax) {
      toSketch(precision);
      sketch.add(hash);
      return;
    }
    int at = -i - 1;
    if (size == exact.length) {
      exact = Arrays.copyOf(exact, Math.max(4, size * 2));
    }
    System.arraycopy(exact, at, exact, at + 1, size - at);
    exact[at] = hash;
    size++;
  }

  public void merge(DistinctCounter other, int exactMax, int precision) {
    if (other.sketch != null) {
      if (sketch == null) {
        toSketch(other.sketch.getP());
      }
      if (sketch.getP() == other.sketch.getP()) {
        sketch.add(other.sketch);
      } else {
        int p = Math.min(sketch.getP(), other.sketch.getP());
        sketch = sketch.downsize(p).add(other.sketch.downsize(p));
      }
      return;
    }
    for (int i = 0; i < other.size; i++) {
      add(other.exact[i], exactMax, precision);
    }
  }

  private void toSketch(int precision) {
    sketch = UltraLogLog.create(precision);
    for (int i = 0; i < size; i++) {
      sketch.add(exact[i]);
    }
    exact = null;
    size = 0;
  }

  public long count() {
    return sketch == null ? size : Math.round(sketch.getDistinctCountEstimate());
  }

  public boolean exact() {
    return sketch == null;
  }

  public void write(BinaryWriter w) {
    if (sketch == null) {
      w.writeByte(0).writeVarInt(size);
      for (int i = 0; i < size; i++) {
        w.writeLong(exact[i]);
      }
    } else {
      w.writeByte(1).writeBytes(sketch.getState());
    }
  }

  public static DistinctCounter read(BinaryReader r) {
    int kind = r.readByte();
    if (kind == 0) {
      int n = r.readVarInt();
      long[] hashes = new long[Math.max(4, n)];
      for (int i = 0; i < n; i++) {
        hashes[i] = r.readLong();
      }
      return new DistinctCounter(hashes, n, null);
    }
    return new DistinctCounter(null, 0, UltraLogLog.wrap(r.readBytes()));
  }
}
