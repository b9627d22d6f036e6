package io.linkwatch.ingest.sink;

import io.linkwatch.ingest.IngestException;
import io.linkwatch.schemas.cli.ClusterCheck;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
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
   * @return the shortest {@code retention.ms} of the topics (-1: unlimited or unknown), so that a
   *     source can warn about event times the broker would delete at once
   * @throws io.linkwatch.schemas.cli.KafkaUnreachableException when no broker answered in time
   * @throws IngestException naming the missing topics
   */
  public static long await(
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
      return shortestRetention(admin, topics);
    }
  }

  private static long shortestRetention(Admin admin, Collection<String> topics) {
    if (topics.isEmpty()) {
      return -1;
    }
    List<ConfigResource> resources = new ArrayList<>();
    for (String t : topics) {
      resources.add(new ConfigResource(ConfigResource.Type.TOPIC, t));
    }
    long shortest = -1;
    try {
      for (Config c : admin.describeConfigs(resources).all().get(30, TimeUnit.SECONDS).values()) {
        ConfigEntry e = c.get("retention.ms");
        if (e != null && e.value() != null) {
          long ms = Long.parseLong(e.value());
          if (ms > 0 && (shortest < 0 || ms < shortest)) {
            shortest = ms;
          }
        }
      }
    } catch (ExecutionException | TimeoutException | NumberFormatException e) {
      LOG.debug("cannot read the retention of {}: {}", topics, describe(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return shortest;
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
