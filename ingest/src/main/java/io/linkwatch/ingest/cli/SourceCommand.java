package io.linkwatch.ingest.cli;

import io.linkwatch.ingest.IngestException;
import io.linkwatch.ingest.config.IngestConfig;
import io.linkwatch.schemas.cli.ClientOptions;
import io.linkwatch.schemas.cli.KafkaUnreachableException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The frame of every ingest command: settings, a stop flag that Ctrl-C and SIGTERM raise (the
 * source then flushes and saves its checkpoint before the process ends), and errors reported as one
 * line, not a stack trace: exit 1 for a failure at run time, 2 for a bad setting.
 */
abstract class SourceCommand implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(SourceCommand.class);

  static final int EXIT_FAILURE = 1;
  static final int EXIT_USAGE = 2;
  static final int EXIT_UNREACHABLE = 3;

  @Mixin ClientOptions client = new ClientOptions();

  @Spec CommandSpec spec;

  private final AtomicBoolean stop = new AtomicBoolean();
  private MeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private volatile boolean failed;

  /** Lets an embedding process (the {@code linkwatch} command, a test) stop the source. */
  void requestStop() {
    stop.set(true);
  }

  boolean stopRequested() {
    return stop.get();
  }

  /** Lets an embedding process pass its own registry (e.g. Prometheus). */
  void meterRegistry(MeterRegistry registry) {
    this.registry = registry;
  }

  /** The settings this command's options stand for. */
  abstract Map<String, String> commandSettings();

  /** Runs the source; returns the exit code. */
  abstract int run(IngestRuntime runtime) throws Exception;

  @Override
  public Integer call() {
    CountDownLatch finished = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              stop.set(true);
              try {
                finished.await(30, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "linkwatch-ingest-shutdown");
    boolean hooked = false;
    try {
      Runtime.getRuntime().addShutdownHook(hook);
      hooked = true;
    } catch (IllegalStateException e) {
      // already shutting down
    }
    HealthServer health = null;
    try (IngestRuntime runtime = IngestRuntime.create(client, commandSettings(), registry)) {
      int port = runtime.config.getInt(IngestConfig.HEALTH_PORT);
      if (port > 0 && registry instanceof PrometheusMeterRegistry prometheus) {
        health =
            HealthServer.start(
                runtime.config.getString(IngestConfig.HEALTH_HOST),
                port,
                () -> !failed,
                runtime::ready,
                prometheus);
      }
      return run(runtime);
    } catch (Exception e) {
      failed = true;
      return report(spec, e);
    } finally {
      if (health != null) {
        health.close();
      }
      finished.countDown();
      if (hooked) {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
          // shutting down: the hook is running
        }
      }
    }
  }

  /** One line on stderr naming the command and what went wrong; returns the exit code. */
  static int report(CommandSpec spec, Exception e) {
    PrintWriter err = spec.commandLine().getErr();
    String name = spec.qualifiedName();
    int code;
    if (e instanceof ConfigException
        || e instanceof IllegalArgumentException
        || e instanceof picocli.CommandLine.TypeConversionException) {
      err.println(name + ": invalid configuration: " + e.getMessage());
      code = EXIT_USAGE;
    } else if (e instanceof KafkaUnreachableException) {
      err.println(name + ": " + e.getMessage());
      code = EXIT_UNREACHABLE;
    } else if (e instanceof InterruptedException) {
      Thread.currentThread().interrupt();
      err.println(name + ": interrupted");
      code = EXIT_FAILURE;
    } else if (e instanceof IngestException) {
      err.println(name + ": " + e.getMessage());
      code = EXIT_FAILURE;
    } else {
      err.println(name + ": " + e);
      LOG.debug("failure", e);
      code = EXIT_FAILURE;
    }
    err.flush();
    return code;
  }
}
