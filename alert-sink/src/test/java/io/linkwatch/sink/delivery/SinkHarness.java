package io.linkwatch.sink.delivery;

import io.linkwatch.schemas.topic.Topics;
import io.linkwatch.sink.alert.Links;
import io.linkwatch.sink.dashboard.Board;
import io.linkwatch.sink.dashboard.BoardFeed;
import io.linkwatch.sink.notify.Notifier;
import io.linkwatch.sink.notify.Notifiers;
import io.linkwatch.sink.routing.RoutingPlan;
import io.linkwatch.testkit.KafkaTestCluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Starts the delivery of a routing plan against a test cluster, with fast retries. */
public final class SinkHarness {

  private SinkHarness() {}

  public static PipelineSettings fastRetries(int maxAttempts) {
    return new PipelineSettings(
        maxAttempts,
        new Backoff(Duration.ofMillis(100), Duration.ofMillis(800)),
        1000,
        64,
        Duration.ofMillis(200),
        PipelineSettings.StartPosition.earliest());
  }

  /** Starts feeding a board from the alerts and aggregates topics, on its own thread. */
  public static Feed feed(KafkaTestCluster kafka, Topics topics, Board board) {
    Map<String, Object> props = Map.of("bootstrap.servers", kafka.bootstrapServers());
    BoardFeed feed =
        new BoardFeed(
            board,
            new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer()),
            topics.alerts().name(),
            topics.alerts().valueSerde().deserializer(),
            topics.aggregates().name(),
            topics.aggregates().valueSerde().deserializer(),
            Duration.ofDays(7),
            Duration.ofHours(6),
            Clock.systemUTC());
    Thread thread = new Thread(feed, "board-feed");
    thread.start();
    return new Feed(feed, thread);
  }

  /** A running board feed; closing it stops its thread. */
  public record Feed(BoardFeed feed, Thread thread) implements AutoCloseable {
    @Override
    public void close() throws InterruptedException {
      feed.close();
      thread.join(10_000);
    }
  }

  public static Delivery start(
      KafkaTestCluster kafka,
      Topics topics,
      RoutingPlan plan,
      String groupId,
      PipelineSettings settings,
      Path stateDir,
      SimpleMeterRegistry registry,
      DeliveryObserver observer,
      FiringSource firing,
      PrintStream console) {
    Links links = new Links("http://localhost:48080");
    Clock clock = Clock.systemUTC();
    List<Notifier> notifiers =
        plan.receivers().values().stream()
            .map(r -> Notifiers.create(r, links, clock, console, false))
            .toList();
    Map<String, Object> props = new HashMap<>();
    props.put("bootstrap.servers", kafka.bootstrapServers());
    return Delivery.start(
        plan,
        props,
        topics.alerts(),
        topics.sinkDeadLetter(),
        groupId,
        notifiers,
        settings,
        stateDir,
        new SinkMetrics(registry),
        observer,
        firing,
        clock);
  }
}
