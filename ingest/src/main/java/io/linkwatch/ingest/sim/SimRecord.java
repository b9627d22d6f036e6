package io.linkwatch.ingest.sim;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Locale;

/**
 * One simulated record: an Azure resource-log record (rendered in the chosen export shape at output
 * time) or an Arc agent log line, with its event time and the time it reaches the export (later,
 * and not in order: Azure logs are "not guaranteed to be reliable or ordered").
 */
final class SimRecord {

  /** How a record's time is written: Azure uses more than one shape. */
  enum Stamp {
    SEVEN_DIGITS,
    SECONDS,
    MILLIS
  }

  final long eventNanos;
  final long seq;

  /** The event time a parser reads back from the rendered record, in milliseconds. */
  long parsedMillis;

  long arrivalMillis;
  boolean repeat;

  // Azure record
  String time;
  String resourceId;
  String resourceType;
  String resourceName;
  String operationName;
  String category;
  String level;
  String resultType;
  String resultSignature;
  String resultDescription;
  String durationMs;
  String callerIp;
  String correlationId;
  String operationVersion;
  String properties;
  String location;

  // agent line
  String machine;
  String agentLine;

  private SimRecord(long eventNanos, long seq) {
    this.eventNanos = eventNanos;
    this.seq = seq;
  }

  static SimRecord azure(long eventNanos, long seq, Stamp stamp) {
    SimRecord r = new SimRecord(eventNanos, seq);
    r.time = format(eventNanos, stamp);
    r.parsedMillis = Math.floorDiv(truncated(eventNanos, stamp), 1_000_000L);
    return r;
  }

  static SimRecord agent(long eventNanos, long seq, String machine, String line) {
    SimRecord r = new SimRecord(eventNanos, seq);
    r.machine = machine;
    r.agentLine = line;
    r.parsedMillis = Math.floorDiv(truncated(eventNanos, Stamp.SECONDS), 1_000_000L);
    return r;
  }

  boolean isAgent() {
    return agentLine != null;
  }

  /** The copy Event Hubs delivers a second time: the same bytes, later. */
  SimRecord repeatAt(long arrival, long seq) {
    SimRecord r = new SimRecord(eventNanos, seq);
    r.parsedMillis = parsedMillis;
    r.time = time;
    r.resourceId = resourceId;
    r.resourceType = resourceType;
    r.resourceName = resourceName;
    r.operationName = operationName;
    r.category = category;
    r.level = level;
    r.resultType = resultType;
    r.resultSignature = resultSignature;
    r.resultDescription = resultDescription;
    r.durationMs = durationMs;
    r.callerIp = callerIp;
    r.correlationId = correlationId;
    r.operationVersion = operationVersion;
    r.properties = properties;
    r.location = location;
    r.machine = machine;
    r.agentLine = agentLine;
    r.arrivalMillis = arrival;
    r.repeat = true;
    return r;
  }

  /** The record as Azure Monitor exports it to Event Hubs and Storage. */
  String renderResourceLog() {
    Json j =
        Json.object()
            .str("time", time)
            .str("resourceId", resourceId)
            .str("operationName", operationName)
            .str("category", category)
            .str("level", level)
            .strIfPresent("resultType", resultType)
            .strIfPresent("resultSignature", resultSignature)
            .strIfPresent("resultDescription", resultDescription)
            .strIfPresent("durationMs", durationMs)
            .strIfPresent("callerIpAddress", callerIp)
            .strIfPresent("correlationId", correlationId)
            .strIfPresent("operationVersion", operationVersion);
    return j.str("properties", properties).str("location", location).end();
  }

  /** The record as a Log Analytics AzureDiagnostics row. */
  String renderLogAnalytics(String tenantId) {
    return Json.object()
        .str("TimeGenerated", time)
        .str("ResourceId", resourceId)
        .str("_ResourceId", resourceId.toLowerCase(Locale.ROOT))
        .str("ResourceProvider", "MICROSOFT.DEVICES")
        .str("ResourceType", resourceType)
        .str("Resource", resourceName.toUpperCase(Locale.ROOT))
        .str("Category", category)
        .str("OperationName", operationName)
        .str("Level", level)
        .str("ResultType", resultType == null ? "" : resultType)
        .str("ResultSignature", resultSignature == null ? "" : resultSignature)
        .str("ResultDescription", resultDescription == null ? "" : resultDescription)
        .strIfPresent("DurationMs", durationMs)
        .strIfPresent("CallerIPAddress", callerIp)
        .strIfPresent("CorrelationId", correlationId)
        .strIfPresent("OperationVersion", operationVersion)
        .str("SourceSystem", "Azure")
        .str("TenantId", tenantId)
        .str("Type", "AzureDiagnostics")
        .str("properties_s", properties)
        .str("location_s", location)
        .end();
  }

  static String format(long nanos, Stamp stamp) {
    long sec = Math.floorDiv(nanos, 1_000_000_000L);
    int nano = (int) Math.floorMod(nanos, 1_000_000_000L);
    LocalDateTime t = LocalDateTime.ofEpochSecond(sec, 0, ZoneOffset.UTC);
    StringBuilder b = new StringBuilder(28);
    b.append(t.getYear()).append('-');
    two(b, t.getMonthValue());
    b.append('-');
    two(b, t.getDayOfMonth());
    b.append('T');
    two(b, t.getHour());
    b.append(':');
    two(b, t.getMinute());
    b.append(':');
    two(b, t.getSecond());
    switch (stamp) {
      case SEVEN_DIGITS -> digits(b.append('.'), nano / 100, 7);
      case MILLIS -> digits(b.append('.'), nano / 1_000_000, 3);
      default -> {}
    }
    return b.append('Z').toString();
  }

  /** The instant a rendered time stands for (what a parser will read back). */
  static long truncated(long nanos, Stamp stamp) {
    return switch (stamp) {
      case SEVEN_DIGITS -> nanos - Math.floorMod(nanos, 100L);
      case MILLIS -> nanos - Math.floorMod(nanos, 1_000_000L);
      case SECONDS -> nanos - Math.floorMod(nanos, 1_000_000_000L);
    };
  }

  private static void digits(StringBuilder b, int v, int width) {
    String s = Integer.toString(v);
    for (int i = s.length(); i < width; i++) {
      b.append('0');
    }
    b.append(s);
  }

  private static void two(StringBuilder b, int v) {
    if (v < 10) {
      b.append('0');
    }
    b.append(v);
  }

  long parsedMillis() {
    return parsedMillis;
  }

  Instant eventTime() {
    return Instant.ofEpochSecond(
        Math.floorDiv(eventNanos, 1_000_000_000L), Math.floorMod(eventNanos, 1_000_000_000L));
  }
}
