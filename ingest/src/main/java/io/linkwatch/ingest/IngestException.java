package io.linkwatch.ingest;

/**
 * A failure an operator can act on (a broker that cannot be reached, a topic that does not exist, a
 * file that cannot be read): the message says what and what to do, and the command prints it
 * without a stack trace.
 */
public final class IngestException extends RuntimeException {

  public IngestException(String message) {
    super(message);
  }

  public IngestException(String message, Throwable cause) {
    super(message, cause);
  }
}
