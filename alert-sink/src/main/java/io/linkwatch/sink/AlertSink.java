package io.linkwatch.sink;

import io.linkwatch.avro.Alert;
import io.linkwatch.avro.WindowedAggregate;
import io.linkwatch.schemas.config.CommonConfig;
import io.linkwatch.schemas.serde.AvroSerdes;
import io.linkwatch.schemas.topic.Topics;
import io.linkwatch.sink.alert.Links;
import io.linkwatch.sink.config.SinkConfig;
import io.linkwatch.sink.dashboard.Board;
import io.linkwatch.sink.dashboard.BoardFeed;
import io.linkwatch.sink.dashboard.DashboardServer;
import io.linkwatch.sink.delivery.Delivery;
import io.linkwatch.sink.delivery.SinkMetrics;
import io.linkwatch.sink.notify.Notifier;
import io.linkwatch.sink.notify.Notifiers;
import io.linkwatch.sink.routing.ReceiverSpec;
import io.linkwatch.sink.routing.RoutingPlan;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.PrintStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The sink role, started in one call: the delivery loops (one per receiver), the board fed from the
 * alerts and aggregates topics, and the dashboard server. {@code linkwatch sink} runs it until
 * stopped; {@code linkwatch demo} can embed it next to the other roles.
 *
 * <p>Reads the alerts and aggregates topics; writes the sink dead-letter topic.
 */
public final class AlertSink implements AutoCloseable {

  private final AvroSerdes serdes;
  private final BoardFeed feed;
  private final Thread feedThread;
  private final Delivery delivery;
  private final DashboardServer server;
  private final Board board;

  private AlertSink(
      AvroSerdes serdes,
      BoardFeed feed,
      Thread feedThread,
      Delivery delivery,
      DashboardServer server,
      Board board) {
    this.serdes = serdes;
    this.feed = feed;
    this.feedThread = feedThread;
    this.delivery = delivery;
    this.server = server;
    this.board = board;
  }

  /**
   * Starts the sink.
   *
   * @param config the role's settings (Kafka client keys pass through to the clients)
   * @param plan receivers, routes and silences
   * @param registry where the sink's meters go
   * @param scrape the Prometheus text for {@code /metrics}, or {@code null} for none
   * @param console where console receivers print
   * @param colour whether console receivers use ANSI colours
   */
  public static AlertSink start(
      SinkConfig config,
      RoutingPlan plan,
      MeterRegistry registry,
      Supplier<String> scrape,
      PrintStream console,
      boolean colour) {
    Clock clock = Clock.systemUTC();
    AvroSerdes serdes = CommonConfig.serdes(config);
    Topics topics = CommonConfig.topics(config, serdes);
    int port = config.getInt(SinkConfig.DASHBOARD_PORT);
    boolean dashboardOn = config.getBoolean(SinkConfig.DASHBOARD_ENABLED);
    String external = config.getString(SinkConfig.DASHBOARD_EXTERNAL_URL);
    // with port 0 the real port is known only once the server runs, so links use what is configured
    Links links =
        new Links(
            !external.isBlank()
                ? external
                : dashboardOn && port > 0 ? "http://localhost:" + port : "");
    Board board = new Board(plan, links, clock);
    List<Notifier> notifiers = new ArrayList<>();
    for (ReceiverSpec r : plan.receivers().values()) {
      notifiers.add(Notifiers.create(r, links, clock, console, colour));
    }

    Map<String, Object> feedProps = new HashMap<>();
    config
        .originals()
        .forEach(
            (k, v) -> {
              if (ConsumerConfig.configNames().contains(k)) {
                feedProps.put(k, v);
              }
            });
    feedProps.remove(ConsumerConfig.GROUP_ID_CONFIG);
    feedProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    // only committed alerts: not those of a transaction a crashed streams instance left open
    feedProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    feedProps.put(
        ConsumerConfig.CLIENT_ID_CONFIG, config.getString(SinkConfig.GROUP_ID) + ".dashboard");
    BoardFeed feed =
        new BoardFeed(
            board,
            new KafkaConsumer<>(
                feedProps, new ByteArrayDeserializer(), new ByteArrayDeserializer()),
            topics.alerts().name(),
            serdes.valueSerde(Alert.class).deserializer(),
            topics.aggregates().name(),
            serdes.valueSerde(WindowedAggregate.class).deserializer(),
            config.duration(SinkConfig.DASHBOARD_HISTORY),
            config.duration(SinkConfig.DASHBOARD_CHART_HISTORY),
            clock);
    Thread feedThread = new Thread(feed, "linkwatch-sink-board");
    feedThread.start();

    Delivery delivery =
        Delivery.start(
            plan,
            new HashMap<>(config.originals()),
            topics.alerts(),
            topics.sinkDeadLetter(),
            config.getString(SinkConfig.GROUP_ID),
            notifiers,
            config.pipelineSettings(),
            config.stateDir(),
            new SinkMetrics(registry),
            board,
            board,
            clock);
    DashboardServer server = null;
    if (dashboardOn) {
      server =
          DashboardServer.start(
              board,
              config.getString(SinkConfig.DASHBOARD_HOST),
              port,
              scrape,
              delivery::healthy,
              clock);
    }
    return new AlertSink(serdes, feed, feedThread, delivery, server, board);
  }

  /** The dashboard's port, or -1 when it is disabled. */
  public int dashboardPort() {
    return server == null ? -1 : server.port();
  }

  /** Whether every delivery loop runs. */
  public boolean healthy() {
    return delivery.healthy();
  }

  /** The error that stopped a delivery loop, if one did. */
  public Optional<Throwable> failure() {
    return delivery.failure();
  }

  /** Whether the board has read the alerts topic up to where it ended at start. */
  public boolean caughtUp() {
    return board.caughtUp();
  }

  /** Stops: commits what was delivered, closes the clients and the server. */
  @Override
  public void close() throws InterruptedException {
    if (server != null) {
      server.close();
    }
    delivery.close();
    feed.close();
    feedThread.join(10_000);
    serdes.close();
  }
}
