package io.linkwatch.streams.replay;

import io.linkwatch.schemas.cli.KafkaUnreachableException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the records of some topics whose timestamps fall in a time range, from every partition, and
 * hands them over one at a time in one global event-time order.
 *
 * <p>Per partition the range is {@code [offsetsForTimes(start), offsetsForTimes(end))}: from the
 * first record stamped at or after {@code start} to the first stamped at or after {@code end}, in
 * log order, so an out-of-order record between the two is included, as the live run processed it.
 * The partitions are merged by (timestamp, topic order, partition, offset), the order in which
 * Kafka Streams would pick records if all partitions were one task: ties and repeats are resolved
 * the same way on every run. The consumer has no group ({@code assign}), commits nothing and reads
 * {@code read_committed}; a partition far ahead of the others is paused so memory stays bounded.
 */
final class RangeReader implements AutoCloseable {

  /** One record of the range, with its coordinates in the live topic. */
  record Source(
      int input,
      String topic,
      int partition,
      long offset,
      long timestamp,
      byte[] key,
      byte[] value) {}

  /** Where one partition's range starts and ends (exclusive). */
  record Span(TopicPartition partition, long start, long end) {
    long size() {
      return Math.max(0, end - start);
    }
  }

  private static final int MAX_BUFFERED = 5_000;

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final List<String> topics;
  private final Duration timeout;
  private final Map<TopicPartition, Span> spans = new LinkedHashMap<>();

  /**
   * @param consumerSettings Kafka consumer settings (bootstrap, security); group and commit
   *     settings are overridden
   * @param topics the topics to read, in tie-break order
   * @param timeout how long to wait for the cluster or for a partition that should have records
   */
  RangeReader(Map<String, Object> consumerSettings, List<String> topics, Duration timeout) {
    Map<String, Object> config = new HashMap<>(consumerSettings);
    config.remove(ConsumerConfig.GROUP_ID_CONFIG);
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
    config.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2_000);
    config.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "linkwatch-replay-reader");
    this.consumer =
        new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.topics = List.copyOf(topics);
    this.timeout = timeout;
  }

  /**
   * Finds each partition's offsets for the range.
   *
   * @return one span per partition, in topic then partition order
   * @throws KafkaUnreachableException when the cluster does not answer
   * @throws IllegalArgumentException naming a topic that does not exist
   */
  List<Span> plan(Instant start, Instant end) {
    spans.clear();
    try {
      List<TopicPartition> all = new ArrayList<>();
      for (String topic : topics) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
        if (infos == null || infos.isEmpty()) {
          throw new IllegalArgumentException(
              "topic " + topic + " does not exist (see 'linkwatch topics list')");
        }
        infos.stream()
            .map(p -> new TopicPartition(topic, p.partition()))
            .sorted(Comparator.comparingInt(TopicPartition::partition))
            .forEach(all::add);
      }
      // assigned from the start (and kept), so the offset lookups concern assigned partitions
      consumer.assign(all);
      consumer.pause(all);
      Map<TopicPartition, Long> beginning = consumer.beginningOffsets(all, timeout);
      Map<TopicPartition, Long> endOffsets = consumer.endOffsets(all, timeout);
      Map<TopicPartition, OffsetAndTimestamp> from =
          consumer.offsetsForTimes(times(all, start.toEpochMilli()), timeout);
      Map<TopicPartition, OffsetAndTimestamp> to =
          consumer.offsetsForTimes(times(all, end.toEpochMilli()), timeout);
      for (TopicPartition tp : all) {
        long last = endOffsets.get(tp);
        long first = from.get(tp) == null ? last : from.get(tp).offset();
        first = Math.max(first, beginning.get(tp));
        long stop = to.get(tp) == null ? last : to.get(tp).offset();
        spans.put(tp, new Span(tp, first, Math.max(first, stop)));
      }
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      throw new KafkaUnreachableException(
          "the cluster did not answer within " + timeout.toSeconds() + "s while planning the range",
          e);
    }
    return List.copyOf(spans.values());
  }

  private static Map<TopicPartition, Long> times(List<TopicPartition> partitions, long time) {
    Map<TopicPartition, Long> out = new HashMap<>();
    partitions.forEach(tp -> out.put(tp, time));
    return out;
  }

  /**
   * Reads every planned span and hands the records to {@code sink} in event-time order.
   *
   * @return the number of records handed over
   */
  long read(Consumer<Source> sink) {
    Map<TopicPartition, Queue> queues = new LinkedHashMap<>();
    for (Span s : spans.values()) {
      if (s.size() > 0) {
        queues.put(s.partition(), new Queue(s, topics.indexOf(s.partition().topic())));
      }
    }
    if (queues.isEmpty()) {
      return 0;
    }
    // every planned partition stays assigned; those without records in the range stay paused
    consumer.assign(spans.keySet());
    consumer.pause(spans.keySet());
    spans.values().forEach(s -> consumer.seek(s.partition(), s.start()));

    PriorityQueue<Queue> heads =
        new PriorityQueue<>(
            Comparator.<Queue>comparingLong(q -> q.head().timestamp())
                .thenComparingInt(q -> q.input)
                .thenComparingInt(q -> q.span.partition().partition())
                .thenComparingLong(q -> q.head().offset()));
    List<Queue> waiting = new ArrayList<>(queues.values());
    long handed = 0;
    long lastProgress = System.nanoTime();
    while (!waiting.isEmpty() || !heads.isEmpty()) {
      if (!waiting.isEmpty()) {
        // a partition with no buffered record may hold the next smallest timestamp: fetch first
        fetch(queues, waiting);
        boolean progressed = false;
        for (var it = waiting.iterator(); it.hasNext(); ) {
          Queue q = it.next();
          if (!q.records.isEmpty()) {
            heads.add(q);
            it.remove();
            progressed = true;
          } else if (q.done) {
            it.remove();
            progressed = true;
          }
        }
        if (progressed) {
          lastProgress = System.nanoTime();
        } else if (System.nanoTime() - lastProgress > timeout.toNanos()) {
          throw new KafkaUnreachableException(
              "no record arrived within "
                  + timeout.toSeconds()
                  + "s from "
                  + waiting.stream().map(q -> q.span.partition().toString()).toList()
                  + " although the range has more",
              null);
        }
        continue;
      }
      Queue q = heads.poll();
      ConsumerRecord<byte[], byte[]> r = q.records.poll();
      sink.accept(
          new Source(
              q.input, r.topic(), r.partition(), r.offset(), r.timestamp(), r.key(), r.value()));
      handed++;
      if (!q.records.isEmpty()) {
        heads.add(q);
      } else if (!q.done) {
        waiting.add(q);
      }
    }
    return handed;
  }

  /** Polls once, for the partitions that need records and are not far ahead. */
  private void fetch(Map<TopicPartition, Queue> queues, List<Queue> waiting) {
    List<TopicPartition> pause = new ArrayList<>();
    List<TopicPartition> resume = new ArrayList<>();
    for (TopicPartition tp : spans.keySet()) {
      if (!queues.containsKey(tp)) {
        pause.add(tp);
      }
    }
    for (Queue q : queues.values()) {
      if (q.done || q.records.size() >= MAX_BUFFERED) {
        pause.add(q.span.partition());
      } else {
        resume.add(q.span.partition());
      }
    }
    consumer.pause(pause);
    consumer.resume(resume);
    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
      Queue q = queues.get(new TopicPartition(r.topic(), r.partition()));
      if (q != null && r.offset() < q.span.end() && !q.done) {
        q.records.add(r);
      }
    }
    for (Queue q : waiting) {
      if (!q.done && consumer.position(q.span.partition()) >= q.span.end()) {
        q.done = true;
      }
    }
    for (Queue q : queues.values()) {
      if (!q.done && consumer.position(q.span.partition()) >= q.span.end()) {
        q.done = true;
      }
    }
  }

  /** The buffered records of one partition. */
  private static final class Queue {
    final Span span;
    final int input;
    final ArrayDeque<ConsumerRecord<byte[], byte[]>> records = new ArrayDeque<>();
    boolean done;

    Queue(Span span, int input) {
      this.span = span;
      this.input = input;
    }

    ConsumerRecord<byte[], byte[]> head() {
      return records.peek();
    }
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(5));
  }
}
