package io.linkwatch.deploy.log;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.spi.FilterReply;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.junit.jupiter.api.Test;

class RetriedBrokerRejectionsTest {

  private final LoggerContext context = new LoggerContext();
  private final RetriedBrokerRejections filter = new RetriedBrokerRejections();

  @Test
  void shouldDropTheRetriableTransactionsV2RejectionOfTheReplicaManager() {
    LoggingEvent event =
        event(
            "kafka.server.ReplicaManager",
            new OutOfOrderSequenceException(
                "Invalid sequence number for producer 1 at offset 0 in partition"
                    + " app-device-timers-changelog-2: 3 (incoming seq. number). Expected sequence"
                    + " 0 for transactions v2 idempotent producer with no existing state."));

    assertThat(filter.decide(event)).isEqualTo(FilterReply.DENY);
  }

  @Test
  void shouldKeepOtherOutOfOrderSequenceErrors() {
    LoggingEvent event =
        event(
            "kafka.server.ReplicaManager",
            new OutOfOrderSequenceException(
                "Out of order sequence number for producer 1658 at offset 548305 in partition"
                    + " warnings-topic-0: 51 (incoming seq. number), 49 (current end sequence"
                    + " number)"));

    assertThat(filter.decide(event)).isEqualTo(FilterReply.NEUTRAL);
  }

  @Test
  void shouldKeepTheSameExceptionFromAnotherLogger() {
    LoggingEvent event =
        event(
            "io.linkwatch.ingest.sink.KafkaEventSink",
            new OutOfOrderSequenceException("... idempotent producer with no existing state."));

    assertThat(filter.decide(event)).isEqualTo(FilterReply.NEUTRAL);
  }

  private LoggingEvent event(String loggerName, Throwable thrown) {
    Logger logger = context.getLogger(loggerName);
    return new LoggingEvent(
        Logger.class.getName(), logger, Level.ERROR, "Error processing append", thrown, null);
  }
}
