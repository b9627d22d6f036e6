package io.linkwatch.deploy.log;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;

/**
 * Keeps one known-benign broker error off the console of a command that hosts the embedded broker
 * (the demo, {@code linkwatch broker}).
 *
 * <p>With transactions v2 (KIP-890) a broker that has no state yet for a producer rejects a first
 * batch whose sequence is not 0 with a <em>retriable</em> {@code OutOfOrderSequenceException}
 * (KAFKA-18202); the producer retries and nothing is lost or duplicated, but the broker's {@code
 * ReplicaManager} logs each rejection at ERROR with a stack trace. At the start of an exactly-once
 * streams application that is dozens of alarming lines an operator can do nothing about. Only
 * exactly that rejection is dropped; every other append error still shows.
 */
public final class RetriedBrokerRejections extends Filter<ILoggingEvent> {

  static final String LOGGER = "kafka.server.ReplicaManager";
  static final String EXCEPTION = "org.apache.kafka.common.errors.OutOfOrderSequenceException";
  static final String MESSAGE = "idempotent producer with no existing state";

  @Override
  public FilterReply decide(ILoggingEvent event) {
    IThrowableProxy thrown = event.getThrowableProxy();
    if (thrown != null
        && LOGGER.equals(event.getLoggerName())
        && EXCEPTION.equals(thrown.getClassName())
        && thrown.getMessage() != null
        && thrown.getMessage().contains(MESSAGE)) {
      return FilterReply.DENY;
    }
    return FilterReply.NEUTRAL;
  }
}
