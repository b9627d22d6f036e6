package io.linkwatch.sink.delivery;

import io.linkwatch.schemas.topic.Topics;
import io.linkwatch.sink.alert.Links;
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
