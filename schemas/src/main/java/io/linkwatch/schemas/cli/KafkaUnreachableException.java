package io.linkwatch.schemas.cli;

import org.apache.kafka.common.KafkaException;

/**
 * No broker of the cluster answered in time. The {@code linkwatch} command prints the message on
 * one line and exits with code 3.
 */
public class KafkaUnreachableException extends KafkaException {

  private static final long serialVersionUID = 1L;

  public KafkaUnreachableException(String message, Throwable cause) {
    super(message, cause);
  }
}
