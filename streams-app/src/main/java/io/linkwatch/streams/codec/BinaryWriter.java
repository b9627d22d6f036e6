package io.linkwatch.streams.codec;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A small growable buffer for the compact binary state of the topology's stores and internal
 * topics. Internal records are not Avro on purpose: they are never read outside the topology, they
 * change with it (a version byte leads every value), and a hand-written layout costs a fraction of
 * a generic encoder on the hot path. Variable-length integers keep small counters small.
 */
public final class BinaryWriter {

  private byte[] buf;
  private int pos;

  public BinaryWriter() {
    this(64);
  }

  public BinaryWriter(int initialCapacity) {
    buf = new byte[Math.max(16, initialCapacity)];
  }

  private void ensure(int extra) {
    if (pos + extra > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + extra));
    }
  }

  public BinaryWriter writeByte(int b) {
    ensure(1);
    buf[pos++] = (byte) b;
    return this;
  }

  public BinaryWriter writeBoolean(boolean b) {
    return writeByte(b ? 1 : 0);
  }

  /** Unsigned LEB128 of a zig-zag encoded long. */
  public BinaryWriter writeVarLong(long v) {
    long z = (v << 1) ^ (v >> 63);
    ensure(10);
    while ((z & ~0x7FL) != 0) {
      buf[pos++] = (byte) ((z & 0x7F) | 0x80);
      z >>>= 7;
    }
    buf[pos++] = (byte) z;
    return this;
  }

  public BinaryWriter writeVarInt(int v) {
    return writeVarLong(v);
  }

  public BinaryWriter writeLong(long v) {
    ensure(8);
    for (int i = 7; i >= 0; i--) {
      buf[pos++] = (byte) (v >>> (i * 8));
    }
    return this;
  }

  public BinaryWriter writeDouble(double d) {
    return writeLong(Double.doubleToRawLongBits(d));
  }

  public BinaryWriter writeString(String s) {
    if (s == null) {
      return writeVarInt(-1);
    }
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    writeVarInt(b.length);
    ensure(b.length);
    System.arraycopy(b, 0, buf, pos, b.length);
    pos += b.length;
    return this;
  }

  public BinaryWriter writeBytes(byte[] b) {
    if (b == null) {
      return writeVarInt(-1);
    }
    writeVarInt(b.length);
    ensure(b.length);
    System.arraycopy(b, 0, buf, pos, b.length);
    pos += b.length;
    return this;
  }

  public int size() {
    return pos;
  }

  public byte[] toByteArray() {
    return Arrays.copyOf(buf, pos);
  }
}
