package io.linkwatch.ingest.parse;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import io.linkwatch.avro.ConnectionEvent;
import io.linkwatch.avro.DeadLetterReason;
import io.linkwatch.avro.DpsCategory;
import io.linkwatch.avro.DpsResultType;
import io.linkwatch.avro.IotHubOperation;
import io.linkwatch.avro.Level;
import io.linkwatch.avro.Provenance;
import io.linkwatch.avro.ProvisioningEvent;
import java.io.IOException;
import java.io.StringWriter;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Parses Azure Monitor resource logs of IoT Hub and the Device Provisioning Service into {@link
 * ConnectionEvent}s and {@link ProvisioningEvent}s, straight from the bytes with Jackson's
 * streaming parser (no tree): the Event Hubs envelope {@code {"records":[...]}}, single records
 * (PT1H.json lines), arrays of records, and the Log Analytics column names ({@code TimeGenerated},
 * {@code properties_s}, {@code _ResourceId}, ...).
 *
 * <p>{@code properties} is decoded whether it is a JSON-encoded string (real exports) or an object
 * (old tutorials), and IoT Hub's {@code authType} inside it likewise. A record that lacks what the
 * pipeline needs, or is not from IoT Hub or DPS, becomes a dead letter on its own, with its raw
 * bytes; a unit that is not valid JSON becomes one dead letter as a whole, and none of its records
 * is emitted (so nothing is both produced and dead-lettered).
 *
 * <p>Not thread-safe: one instance per thread.
 */
public final class AzureLogParser {

  private static final int F_UNKNOWN = 0;
  private static final int F_TIME = 1;
  private static final int F_TIME_GENERATED = 2;
  private static final int F_RESOURCE_ID = 3;
  private static final int F_RESOURCE_ID_LA = 4;
  private static final int F_OPERATION_NAME = 5;
  private static final int F_CATEGORY = 6;
  private static final int F_LEVEL = 7;
  private static final int F_RESULT_TYPE = 8;
  private static final int F_RESULT_SIGNATURE = 9;
  private static final int F_RESULT_DESCRIPTION = 10;
  private static final int F_DURATION = 11;
  private static final int F_CALLER_IP = 12;
  private static final int F_CORRELATION_ID = 13;
  private static final int F_LOCATION = 14;
  private static final int F_PROPERTIES = 15;
  private static final int F_OPERATION_VERSION = 16;
  private static final int F_RESOURCE_NAME = 17;
  private static final int F_RESOURCE_TYPE = 18;
  private static final int F_RESOURCE_PROVIDER = 19;
  private static final int F_METRIC_NAME = 20;
  private static final int F_RECORDS = 21;
  private static final int FIELD_COUNT = 22;

  private static final Map<String, Integer> FIELDS = new HashMap<>();

  static {
    field(F_TIME, "time");
    field(F_TIME_GENERATED, "TimeGenerated");
    field(F_RESOURCE_ID, "resourceId");
    field(F_RESOURCE_ID_LA, "_ResourceId");
    field(F_OPERATION_NAME, "operationName");
    field(F_CATEGORY, "category");
    field(F_LEVEL, "level");
    field(F_RESULT_TYPE, "resultType");
    field(F_RESULT_SIGNATURE, "resultSignature");
    field(F_RESULT_DESCRIPTION, "resultDescription");
    field(F_DURATION, "durationMs");
    field(F_CALLER_IP, "callerIpAddress");
    field(F_CORRELATION_ID, "correlationId");
    field(F_LOCATION, "location");
    field(F_LOCATION, "location_s");
    field(F_PROPERTIES, "properties");
    field(F_PROPERTIES, "properties_s");
    field(F_OPERATION_VERSION, "operationVersion");
    field(F_RESOURCE_NAME, "Resource");
    field(F_RESOURCE_TYPE, "ResourceType");
    field(F_RESOURCE_PROVIDER, "ResourceProvider");
    field(F_METRIC_NAME, "metricName");
    field(F_RECORDS, "records");
  }

  private static void field(int id, String name) {
    FIELDS.put(name, id);
    FIELDS.put(name.toLowerCase(Locale.ROOT), id);
    FIELDS.put(Character.toUpperCase(name.charAt(0)) + name.substring(1), id);
  }

  private final JsonFactory json;
  private final LongSupplier clock;
  private final DeadLetters deadLetters;
  private final int maxUnitBytes;
  private final EventIds ids = new EventIds();
  private final PropertyBag bag = new PropertyBag();
  private final PropertyBag auth = new PropertyBag();
  private final String[] rec = new String[FIELD_COUNT];
  private final Pending pending = new Pending();
  private final JsonUnits units = new JsonUnits();

  // the unit being parsed
  private byte[] unitBuf;
  private int unitOff;
  private int unitLen;
  private Origin origin;
  private long now;
  private int indexBase;
  private String propertiesError;
  private String undecodedProperties;
  private int knownFields;

  private String lastAuthText;
  private final String[] lastAuth = new String[4];

  // one-entry cache: consecutive records almost always come from the same resource
  private String lastResourceId;
  private ResourceRef lastRef;

  /**
   * @param maxUnitBytes a unit (record, line, envelope) larger than this is dead-lettered unread
   * @param maxDeadLetterRawBytes how much of the raw input a dead letter keeps
   * @param clock wall clock, for the ingest time of the provenance
   */
  public AzureLogParser(int maxUnitBytes, int maxDeadLetterRawBytes, LongSupplier clock) {
    this.maxUnitBytes = maxUnitBytes;
    this.clock = clock;
    this.deadLetters = new DeadLetters(maxDeadLetterRawBytes);
    this.json = jsonFactory(maxUnitBytes);
  }

  /** A parser with the same limits, for another thread. */
  public AzureLogParser copy() {
    return new AzureLogParser(maxUnitBytes, deadLetters.maxRawBytes(), clock);
  }

  static JsonFactory jsonFactory(int maxUnitBytes) {
    return new JsonFactoryBuilder()
        .enable(JsonReadFeature.ALLOW_TRAILING_COMMA)
        .streamReadConstraints(
            StreamReadConstraints.builder()
                .maxNestingDepth(64)
                .maxStringLength(Math.max(1024, maxUnitBytes))
                .maxNumberLength(64)
                .build())
        .build();
  }

  /**
   * Parses a payload that may hold several root values: an NDJSON or PT1H body, objects written one
   * after another, a root array of records, or one envelope. Each root value is parsed and
   * dead-lettered on its own. For line-positioned origins the records' positions are their lines.
   */
  public void parsePayload(byte[] buf, int off, int len, Origin origin, ParseOutput out) {
    units.restart(1);
    units.reset(buf, off, off + len, true);
    int index = 0;
    while (units.next() == JsonUnits.Result.UNIT) {
      int start = units.unitStart();
      int end = units.unitEnd();
      Origin at = origin;
      if (origin.positionIsLine()) {
        long base = origin.position() == null ? 1 : origin.position();
        at = origin.atLine(base + units.unitLine() - 1);
      }
      index += parseUnit(buf, start, end - start, at, out, origin.positionIsLine() ? 0 : index);
    }
  }

  /**
   * Parses one unit holding one root value (an envelope, a record or an array of records).
   *
   * @return the number of records the unit held (events and dead letters)
   */
  public int parseUnit(byte[] buf, int off, int len, Origin origin, ParseOutput out) {
    return parseUnit(buf, off, len, origin, out, 0);
  }

  private int parseUnit(
      byte[] buf, int off, int len, Origin origin, ParseOutput out, int indexBase) {
    this.unitBuf = buf;
    this.unitOff = off;
    this.unitLen = len;
    this.origin = origin;
    this.now = clock.getAsLong();
    this.indexBase = indexBase;
    pending.clear();
    if (len > maxUnitBytes) {
      unitDeadLetter(
          DeadLetterReason.TOO_LARGE,
          "input of "
              + len
              + " bytes is larger than ingest.max.record.bytes ("
              + maxUnitBytes
              + "); raise the limit if such records are expected",
          null);
      return pending.flushTo(out);
    }
    try (JsonParser p = json.createParser(buf, off, len)) {
      JsonToken t = p.nextToken();
      if (t == null) {
        if (blankFrom(0)) {
          return 0;
        }
        throw new BadUnit("not JSON: no value found (control characters?)");
      }
      if (t == JsonToken.START_OBJECT) {
        rootObject(p);
      } else if (t == JsonToken.START_ARRAY) {
        recordArray(p, false);
      } else {
        throw new BadUnit(
            "expected a JSON object (a record or {\"records\":[...]}) or an array of records,"
                + " found "
                + describe(t, p));
      }
      JsonToken after = p.nextToken();
      if (after == null && !blankFrom((int) p.currentLocation().getByteOffset())) {
        throw new BadUnit(
            "unexpected data after the end of the JSON value" + at(p.currentLocation()));
      }
      if (after != null) {
        throw new BadUnit(
            "unexpected "
                + describe(after, p)
                + " after the end of the JSON value"
                + at(p.currentTokenLocation()));
      }
    } catch (JsonProcessingException e) {
      pending.clear();
      unitDeadLetter(
          DeadLetterReason.MALFORMED_JSON,
          "not valid JSON: " + e.getOriginalMessage() + at(e.getLocation()),
          e);
    } catch (BadUnit e) {
      pending.clear();
      unitDeadLetter(DeadLetterReason.MALFORMED_JSON, e.getMessage(), null);
    } catch (IOException | RuntimeException e) {
      pending.clear();
      unitDeadLetter(
          DeadLetterReason.PROCESSING_ERROR,
          "unexpected error while parsing (please report it with this dead letter): " + e,
          e);
    }
    return pending.flushTo(out);
  }

  /** Whether the unit holds only blanks from the given offset on. */
  private boolean blankFrom(int from) {
    for (int i = Math.max(0, from); i < unitLen; i++) {
      byte b = unitBuf[unitOff + i];
      if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
        return false;
      }
    }
    return true;
  }

  private void rootObject(JsonParser p) throws IOException {
    startRecord();
    boolean envelope = readFields(p, true);
    if (!envelope) {
      finishRecord(0, null, 0, unitLen);
    }
  }

  private void recordArray(JsonParser p, boolean inEnvelope) throws IOException {
    int index = 0;
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      JsonLocation start = p.currentTokenLocation();
      int from = (int) start.getByteOffset();
      int lineOffset = start.getLineNr() - 1;
      Integer recordIndex = indexBase + index;
      if (t == JsonToken.START_OBJECT) {
        startRecord();
        readFields(p, false);
        int to = (int) p.currentLocation().getByteOffset();
        finishRecord(lineOffset, recordIndex, from, to);
      } else {
        p.skipChildren();
        int to = (int) p.currentLocation().getByteOffset();
        reject(
            DeadLetterReason.INVALID_VALUE,
            (inEnvelope ? "records[" : "[")
                + index
                + "] is "
                + describe(t, p)
                + ", expected a record object",
            lineOffset,
            recordIndex,
            from,
            to);
      }
      index++;
    }
  }

  /** Reads the fields of an object into {@link #rec}; true when it was a records envelope. */
  private boolean readFields(JsonParser p, boolean root) throws IOException {
    boolean envelope = false;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken t = p.nextToken();
      Integer id = FIELDS.get(name);
      if (id == null) {
        id = FIELDS.getOrDefault(name.toLowerCase(Locale.ROOT), F_UNKNOWN);
      }
      switch (id) {
        case F_RECORDS -> {
          if (root && t == JsonToken.START_ARRAY) {
            recordArray(p, true);
            envelope = true;
          } else {
            p.skipChildren();
          }
        }
        case F_PROPERTIES -> properties(p, t);
        case F_UNKNOWN -> unknownField(name, p, t);
        default -> rec[id] = scalar(p, t);
      }
      if (id != F_UNKNOWN) {
        knownFields++;
      }
    }
    return envelope;
  }

  private void unknownField(String name, JsonParser p, JsonToken t) throws IOException {
    if (t.isStructStart()) {
      p.skipChildren();
      return;
    }
    // Log Analytics flattens some properties into typed columns: deviceId_s, statusCode_d
    int n = name.length();
    if (n > 2 && name.charAt(n - 2) == '_' && "sdbg".indexOf(name.charAt(n - 1)) >= 0) {
      bag.putIfAbsent(name.substring(0, n - 2), scalar(p, t));
    }
  }

  private void properties(JsonParser p, JsonToken t) throws IOException {
    if (t == JsonToken.VALUE_STRING) {
      // parse the decoded characters where they are, without making a String of them
      decodeProperties(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
    } else if (t == JsonToken.START_OBJECT) {
      readPairs(p, bag);
    } else if (t != JsonToken.VALUE_NULL) {
      propertiesError =
          "properties is " + describe(t, p) + ", expected a JSON object or a JSON-encoded string";
      p.skipChildren();
    }
  }

  private void decodeProperties(char[] text, int off, int len) {
    if (isBlank(text, off, len)) {
      return;
    }
    try (JsonParser q = json.createParser(text, off, len)) {
      JsonToken t = q.nextToken();
      if (t != JsonToken.START_OBJECT) {
        throw new BadUnit("not a JSON object");
      }
      readPairs(q, bag);
      if (q.nextToken() != null) {
        throw new BadUnit("unexpected data after the object");
      }
    } catch (JsonProcessingException e) {
      // the pairs before the error are kept (they usually hold the deviceId)
      propertiesError = "properties is not valid JSON: " + e.getOriginalMessage();
      undecodedProperties = new String(text, off, len);
    } catch (BadUnit e) {
      propertiesError = "properties is " + e.getMessage();
      undecodedProperties = new String(text, off, len);
    } catch (IOException e) {
      propertiesError = "properties cannot be read: " + e.getMessage();
      undecodedProperties = new String(text, off, len);
    }
  }

  private static boolean isBlank(char[] text, int off, int len) {
    for (int i = off; i < off + len; i++) {
      if (!Character.isWhitespace(text[i])) {
        return false;
      }
    }
    return true;
  }

  private void readPairs(JsonParser p, PropertyBag into) throws IOException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String key = p.currentName();
      JsonToken t = p.nextToken();
      into.put(key, scalar(p, t));
    }
  }

  /** A value as text: strings as they are, numbers and booleans as written, structures as JSON. */
  private String scalar(JsonParser p, JsonToken t) throws IOException {
    return switch (t) {
      case VALUE_STRING, VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> p.getText();
      case VALUE_TRUE -> "true";
      case VALUE_FALSE -> "false";
      case VALUE_NULL -> null;
      case START_OBJECT, START_ARRAY -> jsonText(p);
      default -> p.getText();
    };
  }

  private String jsonText(JsonParser p) throws IOException {
    StringWriter w = new StringWriter();
    try (JsonGenerator g = json.createGenerator(w)) {
      g.copyCurrentStructure(p);
    }
    return w.toString();
  }

  private void startRecord() {
    java.util.Arrays.fill(rec, null);
    bag.clear();
    propertiesError = null;
    undecodedProperties = null;
    knownFields = 0;
  }

  private void finishRecord(int lineOffset, Integer recordIndex, int from, int to) {
    String resourceId = rec[F_RESOURCE_ID] != null ? rec[F_RESOURCE_ID] : rec[F_RESOURCE_ID_LA];
    ResourceRef ref = resource(resourceId);
    if (ref == null) {
      ref =
          ResourceRef.fromColumns(
              rec[F_RESOURCE_PROVIDER], rec[F_RESOURCE_TYPE], rec[F_RESOURCE_NAME]);
    }
    if (ref == null) {
      if (knownFields == 0) {
        reject(
            DeadLetterReason.UNSUPPORTED_RECORD,
            "not an Azure resource-log record: it has none of time, resourceId, category,"
                + " operationName, properties (a device-side error body or another service's"
                + " JSON?)",
            lineOffset,
            recordIndex,
            from,
            to);
      } else if (rec[F_METRIC_NAME] != null && rec[F_CATEGORY] == null) {
        reject(
            DeadLetterReason.UNSUPPORTED_RECORD,
            "an exported platform metric (metricName="
                + rec[F_METRIC_NAME]
                + "), not a resource log; linkwatch reads the IoT Hub and DPS resource logs",
            lineOffset,
            recordIndex,
            from,
            to);
      } else if (resourceId == null) {
        reject(
            DeadLetterReason.MISSING_FIELD,
            "record has no resourceId (nor _ResourceId): cannot tell which IoT hub or DPS it is"
                + " from",
            lineOffset,
            recordIndex,
            from,
            to);
      } else {
        reject(
            DeadLetterReason.INVALID_VALUE,
            "resourceId '"
                + cut(resourceId)
                + "' is not an Azure resource id"
                + " (/SUBSCRIPTIONS/<id>/RESOURCEGROUPS/<group>/PROVIDERS/<namespace>/<type>/<name>)",
            lineOffset,
            recordIndex,
            from,
            to);
      }
      return;
    }
    if (!ref.isIotHub() && !ref.isDps()) {
      reject(
          DeadLetterReason.UNSUPPORTED_RECORD,
          "record of resource type "
              + ref.type()
              + " (category "
              + rec[F_CATEGORY]
              + ", operation "
              + rec[F_OPERATION_NAME]
              + "): linkwatch reads only Microsoft.Devices/IotHubs and"
              + " Microsoft.Devices/ProvisioningServices logs",
          lineOffset,
          recordIndex,
          from,
          to);
      return;
    }
    String timeText = rec[F_TIME] != null ? rec[F_TIME] : rec[F_TIME_GENERATED];
    if (timeText == null) {
      reject(
          DeadLetterReason.MISSING_FIELD,
          "record has no time (nor TimeGenerated)",
          lineOffset,
          recordIndex,
          from,
          to);
      return;
    }
    long timeNanos = Timestamps.parseEpochNanos(timeText);
    if (timeNanos == Timestamps.INVALID) {
      reject(
          DeadLetterReason.INVALID_VALUE,
          "time '"
              + cut(timeText)
              + "' is not an ISO-8601 timestamp (e.g. 2024-05-01T10:00:00.1234567Z)",
          lineOffset,
          recordIndex,
          from,
          to);
      return;
    }
    if (isBlank(rec[F_CATEGORY])) {
      reject(
          DeadLetterReason.MISSING_FIELD,
          "record has no category",
          lineOffset,
          recordIndex,
          from,
          to);
      return;
    }
    if (isBlank(rec[F_OPERATION_NAME])) {
      reject(
          DeadLetterReason.MISSING_FIELD,
          "record has no operationName",
          lineOffset,
          recordIndex,
          from,
          to);
      return;
    }
    Provenance provenance = origin.provenance(now, lineOffset, recordIndex);
    if (ref.isIotHub()) {
      connection(ref, resourceId, timeNanos, provenance, lineOffset, recordIndex, from, to);
    } else {
      provisioning(ref, resourceId, timeNanos, provenance);
    }
  }

  private void connection(
      ResourceRef ref,
      String resourceId,
      long timeNanos,
      Provenance provenance,
      int lineOffset,
      Integer recordIndex,
      int from,
      int to) {
    String category = rec[F_CATEGORY].strip();
    String operationName = rec[F_OPERATION_NAME].strip();
    String deviceId = bag.take("deviceId");
    if (deviceId == null && category.equalsIgnoreCase("Connections")) {
      reject(
          DeadLetterReason.MISSING_FIELD,
          "Connections record without properties.deviceId"
              + (propertiesError == null ? "" : " (" + propertiesError + ")"),
          lineOffset,
          recordIndex,
          from,
          to);
      return;
    }
    String eventId = eventId('H', resourceId, timeNanos, category, operationName);
    Map<String, String> extra = null;
    ConnectionEvent e = new ConnectionEvent();
    e.setEventId(eventId);
    e.setTime(instant(timeNanos));
    e.setHub(ref.name());
    e.setDeviceId(deviceId);
    e.setModuleId(bag.take("moduleId"));
    e.setCategory(category);
    e.setOperationName(operationName);
    e.setOperation(operation(operationName));
    String resultType = Values.emptyToNull(rec[F_RESULT_TYPE]);
    Integer resultCode = Values.intOrNull(resultType);
    if (resultCode != null && resultCode == 0) {
      resultCode = null;
    } else if (resultCode == null && resultType != null) {
      extra = put(extra, "resultType", resultType);
    }
    e.setResultCode(resultCode);
    e.setResultDescription(Values.emptyToNull(rec[F_RESULT_DESCRIPTION]));
    String status = bag.take("statusCode");
    Integer statusCode = Values.intOrNull(status);
    if (statusCode == null && status != null) {
      extra = put(extra, "statusCode", status);
    }
    e.setStatusCode(statusCode);
    e.setErrorMessage(bag.take("errorMessage"));
    Level level = Values.level(rec[F_LEVEL]);
    if (level == null) {
      level =
          resultCode != null || (statusCode != null && statusCode >= 400)
              ? Level.ERROR
              : Level.INFORMATIONAL;
    }
    e.setLevel(level);
    e.setProtocol(bag.take("protocol"));
    String authType = bag.take("authType");
    if (authType != null) {
      if (!decodeAuth(authType, e)) {
        extra = put(extra, "authType", authType);
      }
    }
    e.setMaskedIpAddress(bag.take("maskedIpAddress", "ipAddress"));
    e.setSdkVersion(bag.take("sdkVersion"));
    String duration = Values.emptyToNull(rec[F_DURATION]);
    Long durationMs = Values.durationOrNull(duration);
    if (durationMs == null && duration != null) {
      extra = put(extra, "durationMs", duration);
    }
    e.setDurationMs(durationMs);
    e.setCorrelationId(Values.emptyToNull(rec[F_CORRELATION_ID]));
    e.setLocation(Values.emptyToNull(rec[F_LOCATION]));
    e.setResourceId(resourceId);
    extra = withCommonExtras(extra);
    e.setExtra(extra == null ? Collections.emptyMap() : extra);
    e.setProvenance(provenance);
    pending.connection(ref.name() + '/' + (deviceId == null ? "-" : deviceId), e);
  }

  private boolean decodeAuth(String text, ConnectionEvent e) {
    // a fleet has a handful of distinct authType values: decode each once
    if (text.equals(lastAuthText)) {
      e.setAuthScope(lastAuth[0]);
      e.setAuthType(lastAuth[1]);
      e.setAuthIssuer(lastAuth[2]);
      e.setAcceptingIpFilterRule(lastAuth[3]);
      return true;
    }
    auth.clear();
    try (JsonParser q = json.createParser(text)) {
      if (q.nextToken() != JsonToken.START_OBJECT) {
        return false;
      }
      readPairs(q, auth);
    } catch (IOException ex) {
      return false;
    }
    lastAuth[0] = auth.take("scope");
    lastAuth[1] = auth.take("type");
    lastAuth[2] = auth.take("issuer");
    lastAuth[3] = auth.take("acceptingIpFilterRule");
    lastAuthText = text;
    e.setAuthScope(lastAuth[0]);
    e.setAuthType(lastAuth[1]);
    e.setAuthIssuer(lastAuth[2]);
    e.setAcceptingIpFilterRule(lastAuth[3]);
    return true;
  }

  private void provisioning(
      ResourceRef ref, String resourceId, long timeNanos, Provenance provenance) {
    String category = rec[F_CATEGORY].strip();
    String operationName = rec[F_OPERATION_NAME].strip();
    String eventId = eventId('D', resourceId, timeNanos, category, operationName);
    ProvisioningEvent e = new ProvisioningEvent();
    e.setEventId(eventId);
    e.setTime(instant(timeNanos));
    e.setDpsInstance(ref.name());
    e.setCategory(dpsCategory(category));
    e.setOperationName(operationName);
    e.setOperationVersion(Values.emptyToNull(rec[F_OPERATION_VERSION]));
    String description = Values.emptyToNull(rec[F_RESULT_DESCRIPTION]);
    e.setResultDescription(description);
    Integer httpStatus = Values.httpStatusIn(rec[F_RESULT_SIGNATURE]);
    String status = bag.take("statusCode", "httpStatus");
    if (httpStatus == null) {
      httpStatus = Values.httpStatusIn(status);
    }
    Integer errorCode = Values.intOrNull(bag.take("errorCode"));
    if (errorCode == null) {
      errorCode = Values.errorCodeIn(description);
    }
    if (httpStatus == null && errorCode != null && errorCode >= 100_000 && errorCode < 600_000) {
      httpStatus = errorCode / 1000;
    }
    e.setHttpStatus(httpStatus);
    e.setErrorCode(errorCode);
    Level level = Values.level(rec[F_LEVEL]);
    String resultTypeText = Values.emptyToNull(rec[F_RESULT_TYPE]);
    DpsResultType resultType = dpsResult(resultTypeText, httpStatus, level);
    e.setResultType(resultType);
    e.setResultTypeRaw(
        resultType == DpsResultType.OTHER || resultTypeText == null ? resultTypeText : null);
    if (level == null) {
      level = resultType == DpsResultType.SUCCESS ? Level.INFORMATIONAL : Level.ERROR;
    }
    e.setLevel(level);
    String duration = Values.emptyToNull(rec[F_DURATION]);
    e.setDurationMs(Values.durationOrNull(duration));
    e.setCallerIpAddress(Values.emptyToNull(rec[F_CALLER_IP]));
    e.setCorrelationId(Values.emptyToNull(rec[F_CORRELATION_ID]));
    String registrationId = bag.take("id", "registrationId");
    e.setRegistrationId(registrationId);
    String recordType = bag.take("type");
    e.setRecordType(recordType);
    String group = bag.take("enrollmentGroupId", "enrollmentGroup", "groupId");
    if (group == null && "EnrollmentGroup".equalsIgnoreCase(recordType)) {
      group = registrationId;
    }
    e.setEnrollmentGroupId(group);
    e.setAttestationMechanism(
        bag.take("attestationMechanism", "attestationType", "attestation", "mechanism"));
    e.setProtocol(bag.take("protocol"));
    e.setAssignedHub(hubName(bag.take("assignedHub", "assignedHubName", "iotHubHostName")));
    e.setDeviceId(bag.take("deviceId"));
    e.setSdkVersion(bag.take("sdkVersion", "userAgent"));
    e.setApiVersion(bag.take("apiVersion", "api-version"));
    e.setLocation(Values.emptyToNull(rec[F_LOCATION]));
    e.setResourceId(resourceId);
    Map<String, String> extra = null;
    if (duration != null && e.getDurationMs() == null) {
      extra = put(extra, "durationMs", duration);
    }
    extra = withCommonExtras(extra);
    e.setExtra(extra == null ? Collections.emptyMap() : extra);
    e.setProvenance(provenance);
    pending.provisioning(ref.name() + '/' + (registrationId == null ? "-" : registrationId), e);
  }

  private String eventId(
      char service, String resourceId, long timeNanos, String category, String operationName) {
    return ids.ofRecord(
        service,
        resourceId,
        timeNanos,
        category,
        operationName,
        rec[F_RESULT_TYPE],
        rec[F_RESULT_SIGNATURE],
        rec[F_CORRELATION_ID],
        bag,
        undecodedProperties);
  }

  private Map<String, String> withCommonExtras(Map<String, String> extra) {
    if (bag.size() > 0) {
      extra = bag.leftovers(extra == null ? new LinkedHashMap<>() : extra);
    }
    if (rec[F_OPERATION_VERSION] != null && rec[F_OPERATION_VERSION].length() > 0) {
      extra = put(extra, "operationVersion", rec[F_OPERATION_VERSION]);
    }
    if (rec[F_RESULT_SIGNATURE] != null && !rec[F_RESULT_SIGNATURE].isBlank()) {
      extra = put(extra, "resultSignature", rec[F_RESULT_SIGNATURE]);
    }
    if (propertiesError != null) {
      extra = put(extra, "propertiesError", propertiesError);
    }
    if (undecodedProperties != null) {
      extra = put(extra, "properties", undecodedProperties);
    }
    return extra == null || extra.isEmpty() ? null : extra;
  }

  private static Map<String, String> put(Map<String, String> m, String k, String v) {
    Map<String, String> map = m == null ? new LinkedHashMap<>() : m;
    map.putIfAbsent(k, v);
    return map;
  }

  private ResourceRef resource(String resourceId) {
    if (resourceId == null) {
      return null;
    }
    if (resourceId.equals(lastResourceId)) {
      return lastRef;
    }
    ResourceRef ref = ResourceRef.parse(resourceId);
    lastResourceId = resourceId;
    lastRef = ref;
    return ref;
  }

  /** "hub-1.azure-devices.net", a hub resource id, or "HUB-1" all give "hub-1". */
  static String hubName(String value) {
    if (value == null) {
      return null;
    }
    ResourceRef ref = ResourceRef.parse(value);
    if (ref != null) {
      return ref.name();
    }
    String v = value.strip().toLowerCase(Locale.ROOT);
    int dot = v.indexOf('.');
    return dot > 0 ? v.substring(0, dot) : v;
  }

  private static IotHubOperation operation(String operationName) {
    if (operationName.equalsIgnoreCase("deviceConnect")) {
      return IotHubOperation.DEVICE_CONNECT;
    }
    if (operationName.equalsIgnoreCase("deviceDisconnect")) {
      return IotHubOperation.DEVICE_DISCONNECT;
    }
    return IotHubOperation.OTHER;
  }

  private static DpsCategory dpsCategory(String category) {
    if (category.equalsIgnoreCase("DeviceOperations")) {
      return DpsCategory.DEVICE_OPERATIONS;
    }
    if (category.equalsIgnoreCase("ServiceOperations")) {
      return DpsCategory.SERVICE_OPERATIONS;
    }
    return DpsCategory.OTHER;
  }

  /**
   * DPS's ResultType: Success, Failure, ClientError. When it is absent the HTTP status (then the
   * level) decides: 5xx failure, 4xx client error, otherwise success unless the level is Error.
   */
  private static DpsResultType dpsResult(String text, Integer httpStatus, Level level) {
    if (text != null) {
      String v = text.strip();
      if (v.equalsIgnoreCase("Success") || v.equalsIgnoreCase("Succeeded")) {
        return DpsResultType.SUCCESS;
      }
      if (v.equalsIgnoreCase("Failure") || v.equalsIgnoreCase("Failed")) {
        return DpsResultType.FAILURE;
      }
      if (v.equalsIgnoreCase("ClientError")) {
        return DpsResultType.CLIENT_ERROR;
      }
      return DpsResultType.OTHER;
    }
    if (httpStatus != null && httpStatus >= 500) {
      return DpsResultType.FAILURE;
    }
    if (httpStatus != null && httpStatus >= 400) {
      return DpsResultType.CLIENT_ERROR;
    }
    return level == Level.ERROR || level == Level.CRITICAL
        ? DpsResultType.FAILURE
        : DpsResultType.SUCCESS;
  }

  private void reject(
      DeadLetterReason code, String reason, int lineOffset, Integer recordIndex, int from, int to) {
    int start = Math.max(0, Math.min(from, unitLen));
    int end = Math.max(start, Math.min(to, unitLen));
    Provenance provenance = origin.provenance(now, lineOffset, recordIndex);
    pending.deadLetter(
        origin.source(),
        deadLetters.create(
            code,
            reason + " [" + where(lineOffset, recordIndex) + "]",
            null,
            unitBuf,
            unitOff + start,
            end - start,
            DeadLetters.CONTENT_JSON,
            provenance,
            now));
  }

  private void unitDeadLetter(DeadLetterReason code, String reason, Throwable cause) {
    pending.deadLetter(
        origin.source(),
        deadLetters.create(
            code,
            reason + " [" + origin.describe() + "]",
            cause,
            unitBuf,
            unitOff,
            unitLen,
            DeadLetters.CONTENT_JSON,
            origin.provenance(now, 0, null),
            now));
  }

  private String where(int lineOffset, Integer recordIndex) {
    Origin at = origin;
    if (origin.position() != null && origin.positionIsLine() && lineOffset > 0) {
      at = origin.atLine(origin.position() + lineOffset);
    }
    return recordIndex == null ? at.describe() : at.describe() + " record " + recordIndex;
  }

  private String at(JsonLocation loc) {
    if (loc == null) {
      return "";
    }
    long line = loc.getLineNr();
    if (origin.position() != null && origin.positionIsLine()) {
      line += origin.position() - 1;
      return " (line " + line + ", column " + loc.getColumnNr() + ")";
    }
    return " (line " + line + " of the message, column " + loc.getColumnNr() + ")";
  }

  private static String describe(JsonToken t, JsonParser p) {
    return switch (t) {
      case START_OBJECT -> "an object";
      case START_ARRAY -> "an array";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      default -> "'" + t.asString() + "'";
    };
  }

  private static Instant instant(long epochNanos) {
    return Instant.ofEpochSecond(
        Math.floorDiv(epochNanos, 1_000_000_000L), Math.floorMod(epochNanos, 1_000_000_000L));
  }

  private static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }

  private static String cut(String s) {
    return s.length() <= 120 ? s : s.substring(0, 120) + "...";
  }

  /** A unit that parses as JSON but is not the shape of a log payload. */
  private static final class BadUnit extends RuntimeException {
    BadUnit(String message) {
      super(message, null, false, false);
    }
  }
}
