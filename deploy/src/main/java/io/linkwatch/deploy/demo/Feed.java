package io.linkwatch.deploy.demo;

import io.linkwatch.avro.AgentEvent;
import io.linkwatch.avro.ConnectionEvent;
import io.linkwatch.avro.DeadLetter;
import io.linkwatch.avro.ProvisioningEvent;
import io.linkwatch.ingest.config.IngestConfig;
import io.linkwatch.ingest.parse.AgentLogParser;
import io.linkwatch.ingest.parse.AzureLogParser;
import io.linkwatch.ingest.parse.ParseOutput;
import io.linkwatch.ingest.sim.SimOptions;
import io.linkwatch.ingest.sim.Simulation;
import io.linkwatch.ingest.sink.KafkaEventSink;
import io.linkwatch.ingest.source.Progress;
import io.linkwatch.ingest.source.file.Checkpoint;
import io.linkwatch.ingest.source.file.FileSource;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the demo puts on the event topics, in a thread of its own: the simulated fleet (through the
 * ingest parsers, exactly as the file and Kafka sources parse real exports) or the user's own
 * exports (the file source). Counts what it parsed and how far event time has come, for the
 * progress line.
 */
final class Feed implements AutoCloseable {

  private final Thread thread;
  private final KafkaEventSink sink;
  private final AtomicLong parsed = new AtomicLong();
  private final AtomicLong eventTime = new AtomicLong(Long.MIN_VALUE);
  private volatile boolean stop;
  private volatile boolean held;
  private volatile boolean done;
  private volatile Throwable failure;
  private volatile Simulation.Outcome outcome;

  private Feed(String name, KafkaEventSink sink, Body body) {
    this.sink = sink;
    this.thread =
        new Thread(
            () -> {
              try {
                body.run(this);
                sink.flush();
              } catch (Throwable e) {
                if (!stop) {
                  failure = e;
                }
              } finally {
                done = true;
              }
            },
            name);
    thread.setDaemon(true);
  }

  private interface Body {
    void run(Feed feed) throws Exception;
  }

  /**
   * One stretch of simulated time: the options, and where its ground truth and summary go (null for
   * none).
   */
  record Phase(SimOptions options, Path truth, Path summary) {}

  /**
   * The simulated fleet, paced at {@code speed} simulated seconds per second: the phases one after
   * the other, each through the ingest parsers (the outcome kept is the first phase's).
   */
  static Feed simulation(List<Phase> phases, double speed, KafkaEventSink sink) {
    return new Feed(
        "linkwatch-demo-simulator",
        sink,
        feed -> {
          for (Phase phase : phases) {
            if (feed.stop) {
              return;
            }
            Simulation.Outcome o =
                Simulation.toEvents(
                    phase.options(),
                    azureParser(),
                    agentParser(),
                    feed.counting(sink),
                    phase.truth(),
                    phase.summary(),
                    speed,
                    0);
            if (feed.outcome == null) {
              feed.outcome = o;
            }
          }
        });
  }

  /** Files or folders of exports, read once or followed. */
  static Feed files(List<Path> inputs, boolean follow, KafkaEventSink sink) {
    IngestConfig c = new IngestConfig(java.util.Map.of());
    FileSource.Options options =
        new FileSource.Options(
            inputs,
            follow,
            c.getLong(IngestConfig.FILE_POLL_MS),
            c.flushIntervalMs(),
            c.maxRecordBytes(),
            c.getList(IngestConfig.FILE_EXCLUDE),
            null);
    return new Feed(
        "linkwatch-demo-files",
        sink,
        feed ->
            new FileSource(
                    options,
                    azureParser(),
                    agentParser(),
                    sink,
                    Checkpoint.none(),
                    Progress.none(),
                    c.deadLetterMaxRawBytes())
                .run(() -> feed.stop));
  }

  /** The ingest parsers with the ingest role's default limits. */
  private static AzureLogParser azureParser() {
    IngestConfig d = new IngestConfig(java.util.Map.of());
    return new AzureLogParser(
        d.maxRecordBytes(), d.deadLetterMaxRawBytes(), System::currentTimeMillis);
  }

  private static AgentLogParser agentParser() {
    IngestConfig d = new IngestConfig(java.util.Map.of());
    return new AgentLogParser(
        d.maxRecordBytes(), d.deadLetterMaxRawBytes(), System::currentTimeMillis);
  }

  void start() {
    thread.start();
  }

  /**
   * Holds the simulator while the pipeline is far behind: on a loaded machine the streams role
   * would otherwise see its partitions starve in turn, and a task idle for long enough advances its
   * event time with the wall clock. A paced replay never gets that far ahead.
   */
  void hold(boolean hold) {
    this.held = hold;
  }

  boolean held() {
    return held;
  }

  /** Records parsed so far (events and dead letters), or acknowledged when reading files. */
  long parsed() {
    long p = parsed.get();
    return p > 0 ? p : sink.metrics().recordsIn();
  }

  /** Events the broker acknowledged. */
  long eventsOut() {
    return sink.metrics().eventsOut();
  }

  long deadLettered() {
    return sink.metrics().deadLettered();
  }

  /** The latest event time parsed (epoch ms), or {@code Long.MIN_VALUE} before the first. */
  long eventTime() {
    return eventTime.get();
  }

  boolean done() {
    return done;
  }

  Throwable failure() {
    return failure;
  }

  /** What the simulation wrote (ground truth file, summary), once done; null for files. */
  Simulation.Outcome outcome() {
    return outcome;
  }

  /** Stops reading (the simulator's pacing wait is interrupted) and waits for the thread. */
  @Override
  public void close() throws InterruptedException {
    stop = true;
    thread.interrupt();
    thread.join(30_000);
  }

  private ParseOutput counting(ParseOutput out) {
    return new ParseOutput() {
      @Override
      public void connection(String key, ConnectionEvent event) {
        seen(event.getTime().toEpochMilli());
        out.connection(key, event);
      }

      @Override
      public void provisioning(String key, ProvisioningEvent event) {
        seen(event.getTime().toEpochMilli());
        out.provisioning(key, event);
      }

      @Override
      public void agent(String key, AgentEvent event) {
        seen(event.getTime().toEpochMilli());
        out.agent(key, event);
      }

      @Override
      public void deadLetter(String key, DeadLetter deadLetter) {
        parsed.incrementAndGet();
        out.deadLetter(key, deadLetter);
      }

      private void seen(long time) {
        while (held && !stop) {
          java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L);
        }
        parsed.incrementAndGet();
        eventTime.accumulateAndGet(time, Math::max);
      }
    };
  }
}
