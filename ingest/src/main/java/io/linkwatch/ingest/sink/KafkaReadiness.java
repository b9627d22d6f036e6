package io.linkwatch.ingest.sink;

import io.linkwatch.ingest.IngestException;
import io.linkwatch.schemas.cli.ClusterCheck;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks, before a source starts, that the brokers answer and the topics it writes exist: an
 * unreachable broker is retried and reported in a line an operator can act on, a missing topic is
 * named, instead of a producer that blocks and then fails with a stack trace.
 */
public final class KafkaReadiness {

  private static final Logger LOG = LoggerFactory.getLogger(KafkaReadiness.class);

  private KafkaReadiness() {}

  /**
   * Waits until the cluster answers (retrying up to {@code timeout}), then checks the topics.
   *
   * @throws io.linkwatch.schemas.cli.KafkaUnreachableException when no broker answered in time
   * @throws IngestException naming the missing topics
   */
  public static void await(
      Map<String, Object> adminProps, Collection<String> topics, Duration timeout) {
    Object servers = adminProps.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG);
    ClusterCheck.awaitReachable(adminProps, timeout, LOG::warn);
    try (Admin admin = Admin.create(withShortTimeouts(adminProps))) {
      Set<String> missing = new TreeSet<>();
      Map<String, ?> found;
      try {
        found =
            admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                .collect(java.util.stream.Collectors.toMap(t -> t, t -> Boolean.TRUE));
      } catch (ExecutionException | TimeoutException e) {
        throw new IngestException("cannot list the topics of " + servers + ": " + describe(e), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IngestException("interrupted while listing topics", e);
      }
      for (String t : topics) {
        if (!found.containsKey(t)) {
          missing.add(t);
        }
      }
      if (!missing.isEmpty()) {
        throw new IngestException(
            "topic(s) "
                + missing
                + " do not exist on "
                + servers
                + ": create them with 'linkwatch topics apply' (or name the existing ones with"
                + " topics.* settings)",
            new UnknownTopicOrPartitionException(missing.toString()));
      }
    }
  }

  private static Map<String, Object> withShortTimeouts(Map<String, Object> props) {
    Map<String, Object> p = new java.util.HashMap<>(props);
    p.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
    p.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000);
    p.putIfAbsent(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 2000);
    return p;
  }

  static String describe(Throwable t) {
    if (t == null) {
      return "unknown error";
    }
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String m = root.getMessage();
    return root.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }
}
