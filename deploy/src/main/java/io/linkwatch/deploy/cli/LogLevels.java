package io.linkwatch.deploy.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/** Raises log levels for {@code --verbose}: linkwatch to DEBUG, Kafka to INFO. */
final class LogLevels {

  private LogLevels() {}

  static void verbose() {
    set("io.linkwatch", Level.DEBUG);
    set("org.apache.kafka", Level.INFO);
    set("kafka", Level.INFO);
  }

  private static void set(String name, Level level) {
    if (LoggerFactory.getLogger(name) instanceof Logger logger) {
      logger.setLevel(level);
    }
  }
}
