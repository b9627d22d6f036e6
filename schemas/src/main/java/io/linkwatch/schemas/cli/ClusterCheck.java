package io.linkwatch.schemas.cli;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;

/**
 * Waits for a cluster to answer before a command starts its work, so that an unreachable broker is
 * reported once, in one line that names it, instead of as a client timeout deep in the work.
 */
public final class ClusterCheck {

  private static final Duration ATTEMPT = Duration.ofSeconds(3);

  private ClusterCheck() {}

  /**
   * Asks the cluster for its brokers until it answers or the time is up.
   *
   * @param adminSettings settings of an admin client (bootstrap servers, security)
   * @param timeout how long to keep trying
   * @param progress told once, after the first failed attempt, that we are waiting
   * @return the number of brokers
   * @throws KafkaUnreachableException when no broker answered within {@code timeout}
   * @throws AuthenticationException when the cluster answered but refused our credentials
   */
  public static int awaitReachable(
      Map<String, Object> adminSettings, Duration timeout, Consumer<String> progress) {
    Map<String, Object> settings = new HashMap<>(adminSettings);
    settings.putIfAbsent(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, (int) ATTEMPT.toMillis());
    settings.putIfAbsent(
        CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ATTEMPT.toMillis());
    settings.putIfAbsent(AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, 200L);
    Object bootstrap = settings.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
    long deadline = System.nanoTime() + timeout.toNanos();
    boolean told = false;
    Exception last = null;
    try (Admin admin = Admin.create(settings)) {
      while (true) {
        try {
          return admin
              .describeCluster()
              .nodes()
              .get(ATTEMPT.toMillis(), TimeUnit.MILLISECONDS)
              .size();
        } catch (ExecutionException e) {
          if (e.getCause() instanceof AuthenticationException
              || e.getCause() instanceof AuthorizationException) {
            throw (RuntimeException) e.getCause();
          }
          last = e;
        } catch (TimeoutException e) {
          last = e;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new KafkaUnreachableException("interrupted while waiting for Kafka", e);
        }
        if (System.nanoTime() >= deadline) {
          throw new KafkaUnreachableException(
              "cannot reach Kafka at "
                  + bootstrap
                  + " after "
                  + timeout.toSeconds()
                  + " s (is the broker running? './linkwatch broker' starts one)",
              last);
        }
        if (!told) {
          progress.accept("waiting for Kafka at " + bootstrap + " ...");
          told = true;
        }
      }
    }
  }
}
