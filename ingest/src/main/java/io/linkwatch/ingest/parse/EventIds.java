package io.linkwatch.ingest.parse;

import com.dynatrace.hash4j.hashing.HashStream128;
import com.dynatrace.hash4j.hashing.HashValue128;
import com.dynatrace.hash4j.hashing.Hasher64;
import com.dynatrace.hash4j.hashing.Hashing;

/**
 * Stable ids of Azure records: a 128-bit XXH3 of the fields that identify a record, normalised so
 * that the same record has the same id whichever envelope carried it (an Event Hubs {@code
 * records[]} element, a PT1H line, a Log Analytics row) and however often it was delivered.
 *
 * <p>Normalised: the resource id and the correlation id ignore case (Log Analytics lower-cases
 * {@code _ResourceId}), the time is compared as an instant at full precision (7-digit fraction or
 * none), and properties are combined order-independently as key/value pairs (a JSON string or an
 * object give the same pairs). Not part of the id: envelope, position, level and duration, which
 * describe the delivery or repeat what the identifying fields say.
 *
 * <p>Not thread-safe: one per parser.
 */
final class EventIds {

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private final HashStream128 stream = Hashing.xxh3_128().hashStream();
  private final Hasher64 pairHasher = Hashing.xxh3_64();
  private final char[] hex = new char[32];

  /** Id of a resource-log record. */
  String ofRecord(
      char service,
      String resourceId,
      long timeNanos,
      String category,
      String operationName,
      String resultType,
      String resultSignature,
      String correlationId,
      PropertyBag properties,
      String undecodedProperties) {
    HashStream128 h = stream.reset();
    h.putChar(service);
    putLower(h, resourceId);
    h.putLong(timeNanos);
    putLower(h, category);
    putLower(h, operationName);
    putTrimmed(h, resultType);
    putTrimmed(h, resultSignature);
    putLower(h, correlationId);
    long sum = 0;
    long xor = 0;
    for (int i = 0; i < properties.size(); i++) {
      long pair = pairHash(properties.lowerKey(i), properties.value(i));
      sum += pair;
      xor ^= Long.rotateLeft(pair, 17);
    }
    h.putInt(properties.size()).putLong(sum).putLong(xor);
    if (undecodedProperties != null) {
      h.putString(undecodedProperties);
    }
    return hex(h.get());
  }

  /** Id of an agent log line: the machine, the file's logical name and the line itself. */
  String ofLine(String machine, String logName, byte[] line, int off, int len, int repeat) {
    HashStream128 h = stream.reset();
    h.putChar('A');
    h.putString(machine);
    h.putString(logName);
    h.putBytes(line, off, len);
    h.putInt(len);
    h.putInt(repeat);
    return hex(h.get());
  }

  private long pairHash(String lowerKey, String value) {
    // key case-insensitive (the bag gives it in lower case), value exact; null distinct from "null"
    long k = lowerKey.hashCode();
    long v = value == null ? 0x9E3779B97F4A7C15L : pairHasher.hashCharsToLong(value);
    return pairHasher.hashLongLongToLong(k, v);
  }

  private static void putLower(HashStream128 h, String s) {
    if (s == null) {
      h.putInt(-1);
      return;
    }
    int start = 0;
    int end = s.length();
    while (start < end && s.charAt(start) <= ' ') {
      start++;
    }
    while (end > start && s.charAt(end - 1) <= ' ') {
      end--;
    }
    boolean lower = true;
    for (int i = start; i < end; i++) {
      char c = s.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        lower = false;
        break;
      }
    }
    // one bulk call when there is nothing to fold (most values), else fold ASCII letters only
    if (lower) {
      h.putChars(start == 0 && end == s.length() ? s : s.subSequence(start, end));
    } else {
      char[] folded = new char[end - start];
      for (int i = start; i < end; i++) {
        char c = s.charAt(i);
        folded[i - start] = c >= 'A' && c <= 'Z' ? (char) (c + 32) : c;
      }
      h.putChars(folded);
    }
    h.putInt(end - start);
  }

  private static void putTrimmed(HashStream128 h, String s) {
    if (s == null) {
      h.putInt(-1);
      return;
    }
    String t = s.strip();
    h.putChars(t);
    h.putInt(t.length());
  }

  private String hex(HashValue128 v) {
    long hi = v.getMostSignificantBits();
    long lo = v.getLeastSignificantBits();
    for (int i = 0; i < 16; i++) {
      hex[i] = HEX[(int) (hi >>> (60 - 4 * i)) & 0xF];
      hex[16 + i] = HEX[(int) (lo >>> (60 - 4 * i)) & 0xF];
    }
    return new String(hex);
  }
}
