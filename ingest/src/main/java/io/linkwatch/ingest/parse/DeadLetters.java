package io.linkwatch.ingest.parse;

import io.linkwatch.avro.DeadLetter;
import io.linkwatch.avro.DeadLetterReason;
import io.linkwatch.avro.DeadLetterStage;
import io.linkwatch.avro.Provenance;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;

/**
 * Builds ingest dead letters: the raw input (cut to a bound so that the dead letter itself fits in
 * a Kafka message, the cut said in the reason), its provenance and a reason a person can act on.
 */
public final class DeadLetters {

  public static final String CONTENT_JSON = "application/json";
  public static final String CONTENT_TEXT = "text/plain";

  private final int maxRawBytes;

  /**
   * @param maxRawBytes how much of the raw input a dead letter keeps
   */
  public DeadLetters(int maxRawBytes) {
    if (maxRawBytes < 0) {
      throw new IllegalArgumentException("maxRawBytes must not be negative");
    }
    this.maxRawBytes = maxRawBytes;
  }

  public int maxRawBytes() {
    return maxRawBytes;
  }

  /** A dead letter of the given bytes. */
  public DeadLetter create(
      DeadLetterReason code,
      String reason,
      Throwable cause,
      byte[] raw,
      int off,
      int len,
      String contentType,
      Provenance provenance,
      long nowMillis) {
    int kept = Math.min(len, maxRawBytes);
    String why = reason;
    if (kept < len) {
      why = reason + " (raw input cut to the first " + kept + " of " + len + " bytes)";
    }
    DeadLetter dl = new DeadLetter();
    dl.setTime(Instant.ofEpochMilli(nowMillis));
    dl.setStage(DeadLetterStage.INGEST);
    dl.setReasonCode(code);
    dl.setReason(why);
    dl.setDetail(cause == null ? null : cause.getClass().getName() + ": " + cause.getMessage());
    dl.setRaw(ByteBuffer.wrap(Arrays.copyOfRange(raw, off, off + kept)));
    dl.setContentType(contentType);
    dl.setProvenance(provenance);
    return dl;
  }
}
