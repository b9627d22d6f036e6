package io.linkwatch.deploy.broker;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.AppInfoParser;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Apache Kafka cluster in this process: one KRaft node that is both broker and
 * controller (combined mode), as {@code kafka-server-start.sh} runs it with {@code
 * process.roles=broker,controller}. Its data lives in a directory of the caller's choice and
 * survives restarts: the storage is formatted only when the directory holds none yet.
 *
 * <p>Used by {@code linkwatch broker}, {@code linkwatch demo} and the benchmarks. Settings suit one
 * node (internal topics with replication factor 1, no rebalance delay, topics created explicitly by
 * {@code linkwatch topics apply} rather than on first use); {@link Builder#property} overrides any
 * of them.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
  private static final int NODE_ID = 1;
  private static final String META_PROPERTIES = "meta.properties";

  private final String host;
  private final int port;
  private final int controllerPort;
  private final Path dataDir;
  private final String clusterId;
  private final boolean formatted;
  private final KafkaRaftServer server;
  private boolean closed;

  private EmbeddedKafkaBroker(
      String host,
      int port,
      int controllerPort,
      Path dataDir,
      String clusterId,
      boolean formatted,
      KafkaRaftServer server) {
    this.host = host;
    this.port = port;
    this.controllerPort = controllerPort;
    this.dataDir = dataDir;
    this.clusterId = clusterId;
    this.formatted = formatted;
    this.server = server;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** {@code host:port} for clients. */
  public String bootstrapServers() {
    return host + ":" + port;
  }

  public int port() {
    return port;
  }

  public int controllerPort() {
    return controllerPort;
  }

  public Path dataDir() {
    return dataDir;
  }

  public String clusterId() {
    return clusterId;
  }

  /** Whether this start formatted new storage (a new, empty cluster) rather than reusing data. */
  public boolean formattedNewStorage() {
    return formatted;
  }

  /** Stops the broker and waits until it has; idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    LOG.info("stopping the Kafka broker at {}", bootstrapServers());
    server.shutdown();
    server.awaitShutdown();
  }

  /** Configures and starts a broker. */
  public static final class Builder {
    private String host = "127.0.0.1";
    private int port = 9092;
    private int controllerPort = -1;
    private Path dataDir = Path.of("data", "broker");
    private final Map<String, String> overrides = new LinkedHashMap<>();

    private Builder() {}

    /** Address to listen on and advertise (default 127.0.0.1). */
    public Builder host(String host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    /** Client port (default 9092; 0 picks a free one). */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** Controller (KRaft quorum) port; default: the client port + 1, or a free one when 0. */
    public Builder controllerPort(int controllerPort) {
      this.controllerPort = controllerPort;
      return this;
    }

    /** Where the broker keeps its data (default {@code ./data/broker}). */
    public Builder dataDir(Path dataDir) {
      this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
      return this;
    }

    /** Any broker setting, over the defaults. */
    public Builder property(String key, String value) {
      overrides.put(key, value);
      return this;
    }

    public Builder properties(Map<String, String> properties) {
      overrides.putAll(properties);
      return this;
    }

    /**
     * Formats the storage if the data directory holds none, starts the broker and waits until it
     * serves clients.
     *
     * @throws IllegalStateException naming the port when it is taken, or the directory when it
     *     cannot be used
     */
    public EmbeddedKafkaBroker start() {
      int clientPort = port == 0 ? freePort(host) : port;
      int quorumPort =
          controllerPort > 0
              ? controllerPort
              : controllerPort == 0 || port == 0 ? freePort(host) : port + 1;
      Path dir = dataDir.toAbsolutePath().normalize();
      Path logs = dir.resolve("logs");
      try {
        Files.createDirectories(logs);
      } catch (IOException e) {
        throw new IllegalStateException("cannot create the data directory " + dir + ": " + e, e);
      }
      // the data first: a second start on the same data is the likelier mistake, and its ports
      // (the default controller port is port + 1) may well be taken by the first broker too
      requireUnlocked(logs);
      requireFree(host, clientPort, "--port");
      requireFree(host, quorumPort, "--controller-port");

      Properties props = new Properties();
      props.put("process.roles", "broker,controller");
      props.put("node.id", Integer.toString(NODE_ID));
      props.put(
          "listeners",
          "PLAINTEXT://" + host + ":" + clientPort + ",CONTROLLER://" + host + ":" + quorumPort);
      props.put("advertised.listeners", "PLAINTEXT://" + host + ":" + clientPort);
      props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
      props.put("controller.listener.names", "CONTROLLER");
      props.put("inter.broker.listener.name", "PLAINTEXT");
      props.put("controller.quorum.voters", NODE_ID + "@" + host + ":" + quorumPort);
      props.put("log.dirs", logs.toString());
      props.put("num.partitions", "1");
      props.put("default.replication.factor", "1");
      props.put("min.insync.replicas", "1");
      props.put("offsets.topic.replication.factor", "1");
      props.put("offsets.topic.num.partitions", "10");
      props.put("transaction.state.log.replication.factor", "1");
      props.put("transaction.state.log.min.isr", "1");
      props.put("transaction.state.log.num.partitions", "10");
      props.put("share.coordinator.state.topic.replication.factor", "1");
      props.put("share.coordinator.state.topic.min.isr", "1");
      props.put("group.initial.rebalance.delay.ms", "0");
      props.put("auto.create.topics.enable", "false");
      props.putAll(overrides);
      KafkaConfig config = KafkaConfig.fromProps(props, false);

      boolean fresh = !Files.exists(logs.resolve(META_PROPERTIES));
      String clusterId;
      if (fresh) {
        clusterId = Uuid.randomUuid().toString();
        format(config, clusterId);
      } else {
        clusterId = readClusterId(logs.resolve(META_PROPERTIES));
      }

      KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
      try {
        server.startup();
      } catch (RuntimeException e) {
        try {
          server.shutdown();
          server.awaitShutdown();
        } catch (RuntimeException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw new IllegalStateException(
            "the Kafka broker did not start (data in " + dir + "): " + e.getMessage(), e);
      }
      EmbeddedKafkaBroker broker =
          new EmbeddedKafkaBroker(host, clientPort, quorumPort, dir, clusterId, fresh, server);
      LOG.debug(
          "Kafka {} broker (KRaft, single node) at {}, cluster {}, data in {}",
          AppInfoParser.getVersion(),
          broker.bootstrapServers(),
          clusterId,
          dir);
      return broker;
    }

    private static void format(KafkaConfig config, String clusterId) {
      Formatter formatter =
          new Formatter()
              .setPrintStream(
                  new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8))
              .setNodeId(config.nodeId())
              .setClusterId(clusterId)
              .setControllerListenerName(config.controllerListenerNames().get(0))
              .setMetadataLogDirectory(config.metadataLogDir())
              .setIgnoreFormatted(true);
      config.logDirs().forEach(formatter::addDirectory);
      try {
        formatter.run();
      } catch (Exception e) {
        throw new IllegalStateException(
            "cannot format the broker storage in " + config.logDirs() + ": " + e.getMessage(), e);
      }
    }

    private static String readClusterId(Path metaProperties) {
      Properties meta = new Properties();
      try (var reader = Files.newBufferedReader(metaProperties, StandardCharsets.UTF_8)) {
        meta.load(reader);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + metaProperties, e);
      }
      return meta.getProperty("cluster.id", "?");
    }

    /**
     * Kafka locks each log directory with a {@code .lock} file; check it first, so that a second
     * broker on the same data gets one clear line instead of a fatal startup error.
     */
    private static void requireUnlocked(Path logs) {
      Path lockFile = logs.resolve(".lock");
      try (FileChannel channel =
              FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock lock = channel.tryLock()) {
        if (lock == null) {
          throw new IllegalStateException(lockedMessage(logs));
        }
      } catch (OverlappingFileLockException e) {
        throw new IllegalStateException(lockedMessage(logs), e);
      } catch (IOException e) {
        throw new IllegalStateException("cannot use the data directory " + logs + ": " + e, e);
      }
    }

    private static String lockedMessage(Path logs) {
      return "another Kafka broker is using the data in "
          + logs.getParent()
          + "; stop it, or choose another directory with --data-dir";
    }

    private static int freePort(String host) {
      try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(host))) {
        return socket.getLocalPort();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot find a free port on " + host, e);
      }
    }

    private static void requireFree(String host, int port, String option) {
      try (ServerSocket socket = new ServerSocket()) {
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getByName(host), port));
      } catch (IOException e) {
        throw new IllegalStateException(
            "port "
                + port
                + " on "
                + host
                + " is in use (another broker?); choose another with "
                + option);
      }
    }
  }
}
