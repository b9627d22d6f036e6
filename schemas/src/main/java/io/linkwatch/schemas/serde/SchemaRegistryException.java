package io.linkwatch.schemas.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * The schema registry refused a request, or could not be reached. The message names the registry,
 * the subject or id, and the registry's {@code error_code} and message; {@link #errorCode()} is
 * {@code -1} when no answer came.
 */
public class SchemaRegistryException extends SerializationException {

  private static final long serialVersionUID = 1L;

  private final int status;
  private final int errorCode;

  public SchemaRegistryException(String message, int status, int errorCode, Throwable cause) {
    super(message, cause);
    this.status = status;
    this.errorCode = errorCode;
  }

  SchemaRegistryException(String message) {
    this(message, -1, -1, null);
  }

  /** HTTP status of the answer, or -1. */
  public int status() {
    return status;
  }

  /**
   * The registry's error code (e.g. 40401 subject not found, 40403 schema not found, 409
   * incompatible, 42201 invalid schema), or the HTTP status when the body had none, or -1.
   */
  public int errorCode() {
    return errorCode;
  }
}
