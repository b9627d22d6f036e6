package io.linkwatch.ingest.parse;

import java.util.Locale;

/**
 * The provider type and name of an Azure resource id: {@code
 * /SUBSCRIPTIONS/<sub>/RESOURCEGROUPS/<rg>/PROVIDERS/MICROSOFT.DEVICES/IOTHUBS/<name>[/...]} gives
 * type {@code MICROSOFT.DEVICES/IOTHUBS} and name {@code <name>} (lower case, as the event keys use
 * it).
 */
record ResourceRef(String type, String name) {

  static final String IOT_HUBS = "MICROSOFT.DEVICES/IOTHUBS";
  static final String DPS = "MICROSOFT.DEVICES/PROVISIONINGSERVICES";

  private static final String PROVIDERS = "/providers/";

  boolean isIotHub() {
    return IOT_HUBS.equals(type);
  }

  boolean isDps() {
    return DPS.equals(type);
  }

  /** The reference, or {@code null} when the text is not a resource id with a provider. */
  static ResourceRef parse(String resourceId) {
    if (resourceId == null) {
      return null;
    }
    int at = indexOfIgnoreCase(resourceId, PROVIDERS);
    if (at < 0) {
      return null;
    }
    int nsStart = at + PROVIDERS.length();
    int nsEnd = resourceId.indexOf('/', nsStart);
    if (nsEnd <= nsStart) {
      return null;
    }
    int typeEnd = resourceId.indexOf('/', nsEnd + 1);
    if (typeEnd <= nsEnd + 1) {
      return null;
    }
    int nameEnd = resourceId.indexOf('/', typeEnd + 1);
    if (nameEnd < 0) {
      nameEnd = resourceId.length();
    }
    String name = resourceId.substring(typeEnd + 1, nameEnd).strip();
    if (name.isEmpty()) {
      return null;
    }
    String type = resourceId.substring(nsStart, typeEnd).toUpperCase(Locale.ROOT);
    return new ResourceRef(type, name.toLowerCase(Locale.ROOT));
  }

  /** From the Log Analytics columns ResourceProvider, ResourceType and Resource. */
  static ResourceRef fromColumns(String provider, String type, String name) {
    if (provider == null || type == null || name == null || name.isBlank()) {
      return null;
    }
    return new ResourceRef(
        (provider.strip() + "/" + type.strip()).toUpperCase(Locale.ROOT),
        name.strip().toLowerCase(Locale.ROOT));
  }

  private static int indexOfIgnoreCase(String s, String needle) {
    int max = s.length() - needle.length();
    for (int i = 0; i <= max; i++) {
      if (s.regionMatches(true, i, needle, 0, needle.length())) {
        return i;
      }
    }
    return -1;
  }
}
