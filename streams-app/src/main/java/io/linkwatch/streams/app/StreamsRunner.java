package io.linkwatch.streams.app;

import io.linkwatch.schemas.config.CommonConfig;
import io.linkwatch.schemas.config.KafkaClientSettings;
import io.linkwatch.schemas.serde.AvroSerdes;
import io.linkwatch.schemas.topic.Topics;
import io.linkwatch.streams.LinkwatchTopology;
import io.linkwatch.streams.config.StreamsAppConfig;
import io.linkwatch.streams.config.StreamsSettings;
import io.linkwatch.streams.metrics.PipelineMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the topology: wires the configuration, the metrics, the error handlers, the HTTP server and
 * the shutdown, and nothing else (the topology itself is {@link LinkwatchTopology}'s).
 *
 * <p>Defaults it sets unless the configuration says otherwise: {@code application.id=}{@value
 * StreamsAppConfig#DEFAULT_APPLICATION_ID}, {@code processing.guarantee=exactly_once_v2}, {@code
 * ensure.explicit.internal.resource.naming=true}, {@code producer.transaction.timeout.ms=60000},
 * the dead-letter handlers, the bounded-memory RocksDB config setter and {@code application.server}
 * from the HTTP host and port. Every Kafka Streams key (e.g. {@code num.standby.replicas}, {@code
 * state.dir}, {@code num.stream.threads}) passes through. {@code KafkaStreams.cleanUp()} is never
 * called: local state is reused on restart.
 */
public final class StreamsRunner implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(StreamsRunner.class);

  private final StreamsAppConfig config;
  private final Properties properties;
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final AvroSerdes serdes;
  private final Topics topics;
  private final StreamsSettings streamsSettings;
  private Topology topology;
  private KafkaStreams streams;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private QueryServer server;
  private KafkaStreamsMetrics streamsMetrics;

  public StreamsRunner(Map<String, String> settings) {
    this.config = new StreamsAppConfig(settings);
    this.properties = properties(settings, config);
    this.serdes = CommonConfig.serdes(config);
    this.topics = CommonConfig.topics(config, serdes);
    this.streamsSettings = StreamsSettings.from(config);
  }

  /** The Kafka Streams properties: the settings plus the role's defaults. */
  public static Properties properties(Map<String, String> settings, StreamsAppConfig config) {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, StreamsAppConfig.DEFAULT_APPLICATION_ID);
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, "true");
    p.put(
        StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        DeadLetters.Deserialization.class.getName());
    p.put(
        StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
        DeadLetters.Processing.class.getName());
    p.put(
        StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG,
        DeadLetters.Production.class.getName());
    p.put(
        StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG,
        BoundedMemoryRocksDbConfig.class.getName());
    // Kafka Streams' 10 s transaction timeout fences a task whose transaction outlives it on a
    // loaded machine (a burst of window evaluations, a GC pause), and the task then starts over
    p.put(
        StreamsConfig.producerPrefix(
            org.apache.kafka.clients.producer.ProducerConfig.TRANSACTION_TIMEOUT_CONFIG),
        "60000");
    int port = config.getInt(StreamsAppConfig.HTTP_PORT);
    if (port > 0) {
      p.put(
          StreamsConfig.APPLICATION_SERVER_CONFIG,
          config.getString(StreamsAppConfig.HTTP_HOST) + ":" + port);
    }
    p.put(
        StreamsConfig.BOOTSTRAP_SERVERS_CONFIG,
        String.join(",", config.getList(CommonConfig.BOOTSTRAP_SERVERS)));
    p.putAll(settings);
    return p;
  }

  /**
   * The partitions of the event topics (the most of the three), that is the number of correlation
   * tasks the stages below a repartition wait for at start (see {@code EventClock}). Retried while
   * the cluster cannot be reached, for {@value #DESCRIBE_PATIENCE_S} s; then 0 (do not wait for
   * absent tasks), with a warning, and Kafka Streams goes on retrying the connection itself.
   */
  static int eventPartitions(Properties properties, Topics topics) {
    List<String> names =
        List.of(topics.connections().name(), topics.provisioning().name(), topics.agent().name());
    // the Admin keys of the configuration (bootstrap, security), and any admin.-prefixed override
    Map<String, String> flat = new HashMap<>();
    properties.stringPropertyNames().forEach(k -> flat.put(k, properties.getProperty(k)));
    Map<String, Object> admin = KafkaClientSettings.admin(flat);
    admin.put(AdminClientConfig.CLIENT_ID_CONFIG, "linkwatch-describe-event-topics");
    admin.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
    admin.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DESCRIBE_PATIENCE_S);
    String last = "";
    try (Admin client = Admin.create(admin)) {
      for (int attempt = 1; ; attempt++) {
        try {
          int most = 0;
          for (TopicDescription d :
              client.describeTopics(names).allTopicNames().get(15, TimeUnit.SECONDS).values()) {
            most = Math.max(most, d.partitions().size());
          }
          LOG.info("Event topics {}: {} partitions (correlation tasks)", names, most);
          return most;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return 0;
        } catch (ExecutionException | TimeoutException e) {
          Throwable cause =
              e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
          last = cause.getClass().getSimpleName() + ": " + cause.getMessage();
          if (cause instanceof UnknownTopicOrPartitionException || System.nanoTime() > deadline) {
            break;
          }
          LOG.warn(
              "Cannot describe the event topics {} yet (attempt {}, {}); retrying",
              names,
              attempt,
              last);
          try {
            Thread.sleep(2_000);
          } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            return 0;
          }
        }
      }
    }
    LOG.warn(
        "Could not describe the event topics {} ({}): the window engine and the hub-wide detector"
            + " will not wait at start for correlation tasks they have not heard from, so catching"
            + " up a backlog on several partitions may close some windows early",
        names,
        last);
    return 0;
  }

  private static final int DESCRIBE_PATIENCE_S = 120;

  /**
   * The topology: the running one once started, else one of the same shape built without asking the
   * cluster anything ({@code linkwatch streams --describe}).
   */
  public Topology topology() {
    if (topology == null) {
      topology = LinkwatchTopology.build(streamsSettings, topics, PipelineMetrics.detached());
    }
    return topology;
  }

  /** The Kafka Streams instance, once {@link #start()} was called. */
  public KafkaStreams streams() {
    return streams;
  }

  /**
   * Reads the event topics' partitions from the cluster, builds the topology, and starts processing
   * and the HTTP server; returns once Kafka Streams is started.
   */
  public void start() {
    StreamsSettings s = streamsSettings.withEventPartitions(eventPartitions(properties, topics));
    topology = LinkwatchTopology.build(s, topics, new PipelineMetrics(registry));
    streams = new KafkaStreams(topology, properties);
    streams.setUncaughtExceptionHandler(
        e -> {
          LOG.error(
              "A stream thread failed and is replaced (state is restored from its changelogs): {}",
              e.toString(),
              e);
          return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
    streams.setStateListener(
        (now, before) -> {
          LOG.info("Streams state {} -> {}", before, now);
          if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) {
            stopped.countDown();
          }
        });
    streamsMetrics = new KafkaStreamsMetrics(streams);
    streamsMetrics.bindTo(registry);
    int port = config.getInt(StreamsAppConfig.HTTP_PORT);
    if (port > 0) {
      String host = config.getString(StreamsAppConfig.HTTP_HOST);
      server = new QueryServer(streams, new HostInfo(host, port), registry, serdes);
      int bound = server.start(host, port);
      LOG.info(
          "HTTP on http://{}:{} (/health, /ready, /metrics, /api/aggregates, /api/incidents)",
          host,
          bound);
    }
    streams.start();
    LOG.info(
        "linkwatch streams started: application.id={}, processing.guarantee={}",
        properties.getProperty(StreamsConfig.APPLICATION_ID_CONFIG),
        properties.getProperty(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
  }

  /** Blocks until the instance stops (close, or a fatal error). */
  public void awaitStop() throws InterruptedException {
    stopped.await();
  }

  public boolean awaitStop(Duration timeout) throws InterruptedException {
    return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  public boolean failed() {
    return streams != null && streams.state() == KafkaStreams.State.ERROR;
  }

  @Override
  public void close() {
    if (server != null) {
      server.close();
    }
    if (streams != null) {
      streams.close(Duration.ofSeconds(30));
    }
    if (streamsMetrics != null) {
      streamsMetrics.close();
    }
    stopped.countDown();
  }
}
