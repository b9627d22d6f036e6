package io.linkwatch.ingest.parse;

import io.linkwatch.avro.AgentCause;
import io.linkwatch.avro.Level;
import java.util.List;
import java.util.Locale;

/**
 * The known connection errors of the Azure Arc Connected Machine agent, from the troubleshooting
 * page (seed {@code 004_*}, "Agent connection issues to service", and its 2025 revision with the
 * AZCM codes), each with its probable cause and solution, matched against the text of a log line.
 * The first match wins, so the more specific patterns come first (a 403 that names a missing role
 * is not a proxy).
 */
public final class ArcErrorCatalog {

  static final String REFERENCE =
      "https://learn.microsoft.com/azure/azure-arc/servers/troubleshoot-agent-onboard";

  /** What a line says about the agent's connection to Azure. */
  public record Classification(
      AgentCause cause, String description, String solution, String endpoint, String errorCode) {}

  private record Entry(AgentCause cause, List<String> anyOf, String description, String solution) {
    boolean matches(String lowerText) {
      for (String s : anyOf) {
        if (lowerText.contains(s)) {
          return true;
        }
      }
      return false;
    }
  }

  private static final String CHECK_PROXY =
      "Check that the endpoint is not blocked by a firewall or proxy server: allow the Azure Arc"
          + " endpoints, or set the agent's proxy (azcmagent config set proxy.url ...), then run"
          + " azcmagent check.";

  private static final List<Entry> ENTRIES =
      List.of(
          new Entry(
              AgentCause.RESOURCE_PROVIDER_NOT_REGISTERED,
              List.of("is not registered to use namespace"),
              "The Azure resource providers are not registered in the subscription.",
              "Register the resource providers (az provider register --namespace"
                  + " Microsoft.HybridCompute, and Microsoft.GuestConfiguration,"
                  + " Microsoft.HybridConnectivity), then connect again."),
          new Entry(
              AgentCause.MISSING_ROLE_ASSIGNMENT,
              List.of("does not have authorization to perform action"),
              "Wrong credentials or missing permissions: the user or service principal may not"
                  + " read or create the machine resource.",
              "Make the user or service principal a member of the Azure Connected Machine"
                  + " Onboarding role on the resource group (or subscription)."),
          new Entry(
              AgentCause.INVALID_CLIENT_SECRET,
              List.of("invalid client secret", "aadsts7000215"),
              "The service principal secret is wrong or no longer valid.",
              "Check the service principal secret (create a new one if it expired) and pass it"
                  + " with --service-principal-secret."),
          new Entry(
              AgentCause.APPLICATION_NOT_FOUND,
              List.of("was not found in the directory", "aadsts700016"),
              "Wrong service principal (application) id or tenant id.",
              "Check the service principal id and the tenant id given to azcmagent connect."),
          new Entry(
              AgentCause.DNS_RESOLUTION_FAILED,
              List.of("no such host", "dial tcp lookup"),
              "The endpoint's host name cannot be resolved from the machine (DNS, or a policy"
                  + " that deleted old user profiles removed the agent's profile and"
                  + " certificate).",
              "Check name resolution of the endpoint from the machine (nslookup) and the proxy"
                  + " settings; then run azcmagent check."),
          new Entry(
              AgentCause.PROXY_OR_FIREWALL_BLOCKED,
              List.of("forbidden", "proxyconnect"),
              "A proxy or firewall blocks access to the endpoint.",
              CHECK_PROXY),
          new Entry(
              AgentCause.ENDPOINT_UNREACHABLE,
              List.of(
                  "network is unreachable",
                  "i/o timeout",
                  "connection refused",
                  "no route to host",
                  "azcm0026"),
              "The endpoint cannot be reached from the machine (network error).",
              "Check connectivity to the endpoint (azcmagent check), the routes and firewall; with"
                  + " Private Link, connect with --private-link-scope."),
          new Entry(
              AgentCause.ACCESS_TOKEN_FAILURE,
              List.of(
                  "azcm0041",
                  "failed to get access token",
                  "failed to acquire authorization token",
                  "clientassertioncredential authentication failed"),
              "The agent could not get an access token (invalid credentials, an expired service"
                  + " principal secret or a wrong tenant).",
              "Check the credentials and the tenant id, then run azcmagent check."));

  private ArcErrorCatalog() {}

  /**
   * Classifies a line by its message and field values.
   *
   * @param text the message and the field values, as one string
   * @param level the line's level: errors that match nothing are {@link AgentCause#UNCLASSIFIED},
   *     other lines {@link AgentCause#NONE}
   */
  public static Classification classify(String text, Level level) {
    String lower = text.toLowerCase(Locale.ROOT);
    String errorCode = azcmCode(text);
    for (Entry e : ENTRIES) {
      if (e.matches(lower)) {
        return new Classification(
            e.cause(), e.description(), e.solution(), endpoint(text), errorCode);
      }
    }
    boolean error = level == Level.ERROR || level == Level.CRITICAL;
    return new Classification(
        error ? AgentCause.UNCLASSIFIED : AgentCause.NONE,
        null,
        null,
        error ? endpoint(text) : null,
        errorCode);
  }

  /** The AZCM error code the text carries ({@code AZCM0026}), or {@code null}. */
  static String azcmCode(String text) {
    int i = text.indexOf("AZCM");
    while (i >= 0) {
      if (i + 8 <= text.length()) {
        boolean digits = true;
        for (int k = i + 4; k < i + 8; k++) {
          digits &= Values.isDigit(text.charAt(k));
        }
        if (digits && (i + 8 == text.length() || !Values.isDigit(text.charAt(i + 8)))) {
          return text.substring(i, i + 8);
        }
      }
      i = text.indexOf("AZCM", i + 4);
    }
    return null;
  }

  /**
   * The host the text is about: the host of its first https/http URL (skipping the instance
   * metadata address), else the host after "dial tcp lookup".
   */
  static String endpoint(String text) {
    int from = 0;
    while (true) {
      int i = indexOfUrl(text, from);
      if (i < 0) {
        break;
      }
      int hostStart = text.indexOf("//", i) + 2;
      int hostEnd = hostStart;
      while (hostEnd < text.length() && isHostChar(text.charAt(hostEnd))) {
        hostEnd++;
      }
      String host = text.substring(hostStart, hostEnd).toLowerCase(Locale.ROOT);
      if (!host.isEmpty() && !host.startsWith("169.254.169.254") && !host.equals("localhost")) {
        return host;
      }
      from = hostEnd;
    }
    int lookup = text.indexOf("dial tcp lookup ");
    if (lookup >= 0) {
      int s = lookup + "dial tcp lookup ".length();
      int e = s;
      while (e < text.length() && isHostChar(text.charAt(e))) {
        e++;
      }
      if (e > s) {
        return text.substring(s, e).toLowerCase(Locale.ROOT);
      }
    }
    return null;
  }

  private static int indexOfUrl(String text, int from) {
    int https = text.indexOf("https://", from);
    int http = text.indexOf("http://", from);
    if (https < 0) {
      return http;
    }
    if (http < 0) {
      return https;
    }
    return Math.min(http, https);
  }

  private static boolean isHostChar(char c) {
    return Character.isLetterOrDigit(c) || c == '.' || c == '-';
  }
}
