package io.linkwatch.streams.correlate;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which Azure IoT SDK a user agent names, and whether its version predates native DPS
 * reprovisioning support (seed 003, "API versions prior to native reprovisioning support"): REST
 * API 2018-04-01 and earlier, C SDK 1.2.8, Python 1.4.2, Node 1.7.3, Java 1.13.0, .NET 1.1.0 and
 * earlier. Such devices keep the legacy behaviour: re-provisioning always assigns them to the same
 * hub, unless their enrollment has a reprovisioning policy.
 */
final class SdkVersions {

  private static final Pattern VERSION = Pattern.compile("(\\d+(?:\\.\\d+)*)");

  private SdkVersions() {}

  /** dotnet, java, node, python, c, or other; {@code unknown} when there is no user agent. */
  static String family(String userAgent) {
    if (userAgent == null || userAgent.isBlank()) {
      return "unknown";
    }
    String ua = userAgent.toLowerCase(java.util.Locale.ROOT);
    if (ua.startsWith(".net") || ua.contains("microsoft.azure.devices")) {
      return "dotnet";
    }
    if (ua.contains("com.microsoft.azure.sdk.iot") || ua.startsWith("java")) {
      return "java";
    }
    if (ua.contains("-py") || ua.startsWith("python")) {
      return "python";
    }
    if (ua.startsWith("azure-iot-device")
        || ua.startsWith("azure-iot-provisioning-device")
        || ua.startsWith("node")) {
      return "node";
    }
    if (ua.startsWith("iothubclient")
        || ua.startsWith("c/")
        || ua.startsWith("prov_device_client")
        || ua.startsWith("c ")) {
      return "c";
    }
    return "other";
  }

  /** The first dotted version number of the user agent, or null. */
  static String version(String userAgent) {
    if (userAgent == null) {
      return null;
    }
    int slash = userAgent.indexOf('/');
    Matcher m = VERSION.matcher(slash >= 0 ? userAgent.substring(slash + 1) : userAgent);
    return m.find() ? m.group(1) : null;
  }

  /** True when the SDK or REST API version predates native reprovisioning (seed 003 table). */
  static boolean legacy(String userAgent, String apiVersion) {
    if (apiVersion != null && !apiVersion.isBlank()) {
      String api = apiVersion.strip();
      if (api.length() >= 10
          && api.substring(0, 10).compareTo("2018-04-01") <= 0
          && Character.isDigit(api.charAt(0))) {
        return true;
      }
    }
    String version = version(userAgent);
    if (version == null) {
      return false;
    }
    String last =
        switch (family(userAgent)) {
          case "c" -> "1.2.8";
          case "python" -> "1.4.2";
          case "node" -> "1.7.3";
          case "java" -> "1.13.0";
          case "dotnet" -> "1.1.0";
          default -> null;
        };
    return last != null && compare(version, last) <= 0;
  }

  static int compare(String a, String b) {
    String[] x = a.split("\\.");
    String[] y = b.split("\\.");
    for (int i = 0; i < Math.max(x.length, y.length); i++) {
      long p = i < x.length ? parse(x[i]) : 0;
      long q = i < y.length ? parse(y[i]) : 0;
      if (p != q) {
        return Long.compare(p, q);
      }
    }
    return 0;
  }

  private static long parse(String s) {
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
