package io.linkwatch.sink.routing;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * One receiver as the routing file declares it.
 *
 * @param name unique name, used in routes, metrics ({@code receiver} tag) and dead letters
 * @param type the kind of receiver
 * @param url where to send (absent for the console)
 * @param timeout per-request timeout
 * @param headers extra HTTP headers (e.g. an API key)
 * @param secret HMAC-SHA256 key of the generic webhook's signature, or {@code null} for none
 * @param format {@code json} or {@code slack} for the generic webhook
 * @param sendResolved whether resolutions are delivered (as Alertmanager's {@code send_resolved})
 * @param resendInterval how often firing alerts are re-posted to an Alertmanager, which otherwise
 *     resolves them itself after its {@code resolve_timeout}
 */
public record ReceiverSpec(
    String name,
    ReceiverType type,
    URI url,
    Duration timeout,
    Map<String, String> headers,
    String secret,
    WebhookFormat format,
    boolean sendResolved,
    Duration resendInterval) {

  public ReceiverSpec {
    headers = Map.copyOf(headers);
  }

  /** The body format of a generic webhook. */
  public enum WebhookFormat {
    JSON,
    SLACK
  }

  /** A console receiver with default settings. */
  public static ReceiverSpec console(String name) {
    return new ReceiverSpec(
        name,
        ReceiverType.CONSOLE,
        null,
        Duration.ofSeconds(10),
        Map.of(),
        null,
        WebhookFormat.JSON,
        true,
        Duration.ofMinutes(1));
  }

  @Override
  public String toString() {
    // never print the secret or the header values (they are often credentials)
    return name + " (" + type.yamlName() + (url == null ? "" : " " + url) + ")";
  }
}
