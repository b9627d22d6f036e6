package io.linkwatch.sink.delivery;

import io.linkwatch.avro.Alert;
import org.apache.kafka.common.TopicPartition;

/**
 * One alert transition read from the topic, kept until its outcome is decided: the decoded alert,
 * where it came from (to commit and to cite in a dead letter) and its raw bytes (a dead letter
 * carries them unchanged, so it can be re-driven).
 */
record Item(Alert alert, TopicPartition partition, long offset, long timestamp, byte[] raw) {}
