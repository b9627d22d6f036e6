package io.linkwatch.sink.notify;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;

/**
 * POSTs JSON and sorts the failures into retriable or not, the way every HTTP notifier needs it:
 * timeouts, refused connections, I/O errors, 408, 429 and 5xx may succeed later (429 and 503 with
 * the receiver's {@code Retry-After}); any other status will not.
 */
final class HttpPoster {

  private static final int BODY_IN_MESSAGE = 300;

  private final HttpClient client;
  private final Duration timeout;
  private final Map<String, String> headers;

  HttpPoster(Duration timeout, Map<String, String> headers) {
    this.timeout = timeout;
    this.headers = Map.copyOf(headers);
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(timeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  /** Sends the body; returns the response body on a 2xx. */
  String post(URI uri, byte[] body, Map<String, String> extraHeaders) throws DeliveryException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri)
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .header("User-Agent", "linkwatch-sink")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(request::header);
    extraHeaders.forEach(request::header);
    HttpResponse<String> response;
    try {
      response =
          client.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (HttpTimeoutException e) {
      throw new DeliveryException(
          "timeout", true, null, "no answer from " + uri + " within " + timeout, e);
    } catch (ConnectException e) {
      throw new DeliveryException(
          "connection_refused", true, null, "cannot connect to " + uri + ": " + messageOf(e), e);
    } catch (IOException e) {
      throw new DeliveryException(
          "io", true, null, "I/O error talking to " + uri + ": " + messageOf(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DeliveryException(
          "interrupted", true, null, "interrupted while sending to " + uri, e);
    }
    int status = response.statusCode();
    if (status >= 200 && status < 300) {
      return response.body();
    }
    String text = snippet(response.body());
    String message = uri + " answered HTTP " + status + (text.isEmpty() ? "" : ": " + text);
    Duration retryAfter = retryAfter(response.headers().firstValue("Retry-After").orElse(null));
    if (status == 429) {
      throw new DeliveryException("http_429", true, retryAfter, message);
    }
    if (status == 408) {
      throw new DeliveryException("http_408", true, retryAfter, message);
    }
    if (status >= 500) {
      throw new DeliveryException("http_5xx", true, retryAfter, message);
    }
    if (status >= 400) {
      throw new DeliveryException("http_4xx", false, null, message);
    }
    throw new DeliveryException("http_" + (status / 100) + "xx", false, null, message);
  }

  /** {@code Retry-After} as seconds or as an HTTP date; {@code null} when absent or unreadable. */
  static Duration retryAfter(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    String v = value.strip();
    try {
      long seconds = Long.parseLong(v);
      return seconds < 0 ? null : Duration.ofSeconds(seconds);
    } catch (NumberFormatException notSeconds) {
      try {
        ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
        Duration d = Duration.between(java.time.Instant.now(), at.toInstant());
        return d.isNegative() ? Duration.ZERO : d;
      } catch (DateTimeParseException notDate) {
        return null;
      }
    }
  }

  private static String snippet(String body) {
    if (body == null) {
      return "";
    }
    String s = body.strip().replaceAll("\\s+", " ");
    return s.length() > BODY_IN_MESSAGE ? s.substring(0, BODY_IN_MESSAGE) + "…" : s;
  }

  private static String messageOf(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getMessage() == null) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }
}
