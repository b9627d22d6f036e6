package io.linkwatch.sink.alert;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Links into the live dashboard, as receivers see them ({@code generatorURL}, {@code evidence_url},
 * Common Alert Schema {@code investigationLink}).
 *
 * @param externalUrl the dashboard's URL as people reach it, without a trailing slash
 */
public record Links(String externalUrl) {

  public Links {
    externalUrl = externalUrl == null ? "" : externalUrl.replaceAll("/+$", "");
  }

  /** The page of one alert series. */
  public String alert(String fingerprint) {
    if (externalUrl.isEmpty()) {
      return "";
    }
    return externalUrl + "/?alert=" + URLEncoder.encode(fingerprint, StandardCharsets.UTF_8);
  }
}
