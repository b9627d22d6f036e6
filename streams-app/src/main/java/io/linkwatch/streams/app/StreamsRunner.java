package io.linkwatch.streams.app;

import io.linkwatch.schemas.config.CommonConfig;
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
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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
  private final Topology topology;
  private final AvroSerdes serdes;
  private final KafkaStreams streams;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private QueryServer server;
  private KafkaStreamsMetrics streamsMetrics;

  public StreamsRunner(Map<String, String> settings) {
    this.config = new StreamsAppConfig(settings);
    StreamsSettings s = StreamsSettings.from(config);
    this.properties = properties(settings, config);
    this.serdes = CommonConfig.serdes(config);
    Topics topics = CommonConfig.topics(config, serdes);
    this.topology = LinkwatchTopology.build(s, topics, new PipelineMetrics(registry));
    this.streams = new KafkaStreams(topology, properties);
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

  public Topology topology() {
    return topology;
  }

  public KafkaStreams streams() {
    return streams;
  }

  /** Starts processing and the HTTP server; returns at once. */
  public void start() {
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
    return streams.state() == KafkaStreams.State.ERROR;
  }

  @Override
  public void close() {
    if (server != null) {
      server.close();
    }
    streams.close(Duration.ofSeconds(30));
    if (streamsMetrics != null) {
      streamsMetrics.close();
    }
    stopped.countDown();
  }
}
