package io.linkwatch.streams.codec;

import java.nio.charset.StandardCharsets;

/** Reads what {@link BinaryWriter} wrote; a truncated value fails with a clear message. */
public final class BinaryReader {

  private final byte[] buf;
  private int pos;

  public BinaryReader(byte[] buf) {
    this.buf = buf;
  }

  private void need(int n) {
    if (pos + n > buf.length) {
      throw new IllegalStateException(
          "truncated state value: need " + n + " bytes at " + pos + " of " + buf.length);
    }
  }

  public int readByte() {
    need(1);
    return buf[pos++];
  }

  public boolean readBoolean() {
    return readByte() != 0;
  }

  public long readVarLong() {
    long z = 0;
    int shift = 0;
    while (true) {
      need(1);
      byte b = buf[pos++];
      z |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        break;
      }
      shift += 7;
      if (shift > 63) {
        throw new IllegalStateException("malformed varint in state value at " + pos);
      }
    }
    return (z >>> 1) ^ -(z & 1);
  }

  public int readVarInt() {
    return (int) readVarLong();
  }

  public long readLong() {
    need(8);
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (buf[pos++] & 0xFF);
    }
    return v;
  }

  public double readDouble() {
    return Double.longBitsToDouble(readLong());
  }

  public String readString() {
    int len = readVarInt();
    if (len < 0) {
      return null;
    }
    need(len);
    String s = new String(buf, pos, len, StandardCharsets.UTF_8);
    pos += len;
    return s;
  }

  public byte[] readBytes() {
    int len = readVarInt();
    if (len < 0) {
      return null;
    }
    need(len);
    byte[] b = new byte[len];
    System.arraycopy(buf, pos, b, 0, len);
    pos += len;
    return b;
  }

  public boolean hasMore() {
    return pos < buf.length;
  }
}
