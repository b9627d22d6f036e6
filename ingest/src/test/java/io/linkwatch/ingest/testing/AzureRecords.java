package io.linkwatch.ingest.testing;

import java.time.Instant;

/** Builds Azure resource-log records as Azure exports them, for tests. */
public final class AzureRecords {

  public static final String SUBSCRIPTION = "/SUBSCRIPTIONS/91D2C1C5-0000-4E6F-9C0B-1B2C3D4E5F60";

  private AzureRecords() {}

  public static String hubId(String hub) {
    return SUBSCRIPTION
        + "/RESOURCEGROUPS/RG-TEST/PROVIDERS/MICROSOFT.DEVICES/IOTHUBS/"
        + hub.toUpperCase(java.util.Locale.ROOT);
  }

  /** A Connections record, one line, properties as a JSON-encoded string. */
  public static String connection(
      String hub, String device, Instant time, String operation, String resultType) {
    boolean error = resultType != null;
    return "{\"time\":\""
        + time
        + "\",\"resourceId\":\""
        + hubId(hub)
        + "\",\"operationName\":\""
        + operation
        + "\",\"category\":\"Connections\",\"level\":\""
        + (error ? "Error" : "Information")
        + "\""
        + (error ? ",\"resultType\":\"" + resultType + "\",\"resultDescription\":\"X\"" : "")
        + ",\"properties\":\"{\\\"deviceId\\\":\\\""
        + device
        + "\\\",\\\"protocol\\\":\\\"Mqtt\\\",\\\"authType\\\":\\\"{\\\\\\\"scope\\\\\\\":\\\\\\\"device\\\\\\\",\\\\\\\"type\\\\\\\":\\\\\\\"sas\\\\\\\",\\\\\\\"issuer\\\\\\\":\\\\\\\"iothub\\\\\\\",\\\\\\\"acceptingIpFilterRule\\\\\\\":null}\\\",\\\"maskedIpAddress\\\":\\\"10.0.0.XXX\\\",\\\"statusCode\\\":"
        + (error ? "\\\"" + resultType.substring(0, 3) + "\\\"" : "null")
        + "}\",\"location\":\"westeurope\"}";
  }
}
