package io.linkwatch.ingest.parse;

import static org.assertj.core.api.Assertions.assertThat;

import io.linkwatch.avro.ConnectionEvent;
import io.linkwatch.avro.DeadLetter;
import io.linkwatch.avro.DeadLetterReason;
import io.linkwatch.avro.DpsCategory;
import io.linkwatch.avro.DpsResultType;
import io.linkwatch.avro.IotHubOperation;
import io.linkwatch.avro.Level;
import io.linkwatch.avro.ProvisioningEvent;
import io.linkwatch.avro.SourceKind;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AzureLogParserTest {

  private static final long NOW = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
  private static final String HUB_ID =
      "/SUBSCRIPTIONS/00000000-1111-2222-3333-444444444444/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.DEVICES/IOTHUBS/HUB-ONE";
  private static final String DPS_ID =
      "/SUBSCRIPTIONS/00000000-1111-2222-3333-444444444444/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.DEVICES/PROVISIONINGSERVICES/DPS-ONE";

  private final AzureLogParser parser = new AzureLogParser(1 << 20, 1 << 16, () -> NOW);

  private Collected parseSample(String name) {
    byte[] bytes = Samples.bytes("samples/" + name);
    Collected out = new Collected();
    parser.parsePayload(bytes, 0, bytes.length, Origin.line(SourceKind.FILE, name, 1), out);
    return out;
  }

  private Collected parse(String json) {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    Collected out = new Collected();
    parser.parsePayload(bytes, 0, bytes.length, Origin.line(SourceKind.FILE, "test.json", 1), out);
    return out;
  }

  @Test
  void shouldTurnThePublished404104RecordIntoADisconnectOfItsDevice() {
    Collected out = parseSample("iothub-connections-404104-learn-2023.json");

    assertThat(out.deadLetters).isEmpty();
    assertThat(out.connections).hasSize(1);
    assertThat(out.connections.get(0).key()).isEqualTo("iot-training-dm092121/sensor-th-2001");
    ConnectionEvent e = out.connection(0);
    assertThat(e.getHub()).isEqualTo("iot-training-dm092121");
    assertThat(e.getDeviceId()).isEqualTo("sensor-th-2001");
    assertThat(e.getTime()).isEqualTo(Instant.parse("2023-09-21T22:33:34Z"));
    assertThat(e.getCategory()).isEqualTo("Connections");
    assertThat(e.getOperationName()).isEqualTo("deviceDisconnect");
    assertThat(e.getOperation()).isEqualTo(IotHubOperation.DEVICE_DISCONNECT);
    assertThat(e.getResultCode()).isEqualTo(404104);
    assertThat(e.getResultDescription()).isEqualTo("DeviceConnectionClosedRemotely");
    assertThat(e.getStatusCode()).isEqualTo(404);
    assertThat(e.getLevel()).isEqualTo(Level.ERROR);
    assertThat(e.getProtocol()).isEqualTo("Mqtt");
    assertThat(e.getAuthType()).isNull();
    assertThat(e.getMaskedIpAddress()).isEqualTo("24.9.142.XXX");
    assertThat(e.getErrorMessage()).contains("https://aka.ms/iothub404104");
    assertThat(e.getLocation()).isEqualTo("centralus");
    assertThat(e.getResourceId()).endsWith("/IOTHUBS/IOT-TRAINING-DM092121");
    assertThat(e.getEventId()).matches("[0-9a-f]{32}");
    assertThat(e.getProvenance().getSource())
        .isEqualTo("iothub-connections-404104-learn-2023.json");
    assertThat(e.getProvenance().getPosition()).isEqualTo(2L);
    assertThat(e.getProvenance().getRecordIndex()).isNull();
  }

  @Test
  void shouldDecodeAuthTypeNestedAsJsonInsideTheJsonEncodedProperties() {
    Collected out = parseSample("iothub-connections-pair-concatenated.json");

    assertThat(out.deadLetters).isEmpty();
    assertThat(out.connections).hasSize(2);
    ConnectionEvent connect = out.connection(0);
    assertThat(connect.getOperation()).isEqualTo(IotHubOperation.DEVICE_CONNECT);
    assertThat(connect.getAuthScope()).isEqualTo("device");
    assertThat(connect.getAuthType()).isEqualTo("sas");
    assertThat(connect.getAuthIssuer()).isEqualTo("iothub");
    assertThat(connect.getAcceptingIpFilterRule()).isNull();
    assertThat(connect.getSdkVersion()).startsWith(".NET/1.38.0");
    assertThat(connect.getStatusCode()).isNull();
    assertThat(connect.getErrorMessage()).isNull();
    assertThat(connect.getResultCode()).isNull();
    assertThat(connect.getLevel()).isEqualTo(Level.INFORMATIONAL);
    assertThat(connect.getExtra()).isEmpty();
    assertThat(connect.getProvenance().getPosition()).isEqualTo(1L);
    assertThat(out.connection(1).getResultCode()).isEqualTo(404104);
    assertThat(out.connection(1).getProvenance().getPosition()).isEqualTo(10L);
  }

  @Test
  void shouldAcceptPropertiesAndAuthTypeWrittenAsObjects() {
    Collected out = parseSample("iothub-connections-404104-tutorial-2018.json");

    assertThat(out.deadLetters).isEmpty();
    assertThat(out.connections)
        .extracting(Collected.Keyed::key)
        .containsExactly(
            "contosotesthub/Contoso-Test-Device", "contosotesthub/Contoso-Test-Device");
    assertThat(out.connection(0).getAuthType()).isEqualTo("sas");
    assertThat(out.connection(0).getAuthScope()).isEqualTo("device");
    assertThat(out.connection(1).getStatusCode()).isEqualTo(404);
    assertThat(out.connection(1).getResultCode()).isEqualTo(404104);
  }

  @Test
  void shouldKeepRecordsOfOtherIotHubCategoriesAsGenericOperationEvents() {
    Collected out = parseSample("iothub-routes-403004-endpointunhealthy.json");

    assertThat(out.deadLetters).isEmpty();
    assertThat(out.connections.get(0).key()).isEqualTo("anonhub1/-");
    ConnectionEvent e = out.connection(0);
    assertThat(e.getCategory()).isEqualTo("Routes");
    assertThat(e.getOperation()).isEqualTo(IotHubOperation.OTHER);
    assertThat(e.getOperationName()).isEqualTo("endpointUnhealthy");
    assertThat(e.getDeviceId()).isNull();
    assertThat(e.getResultCode()).isEqualTo(403004);
    assertThat(e.getStatusCode()).isEqualTo(403);
    assertThat(e.getExtra())
        .containsEntry("endpointName", "anon-sb-1")
        .containsEntry("details", "DeviceMaximumQueueDepthExceeded")
        .doesNotContainKeys("messageId", "routeName");
  }

  @Test
  void shouldKeepARecordWhosePropertiesAreNotValidJsonWithWhatCouldBeRead() {
    Collected out = parseSample("iothub-c2dcommands-messageexpired-filled.json");

    assertThat(out.deadLetters).isEmpty();
    ConnectionEvent e = out.connection(0);
    assertThat(e.getDeviceId()).isEqualTo("<deviceId>");
    assertThat(e.getCategory()).isEqualTo("C2DCommands");
    assertThat(e.getResultCode()).isNull();
    assertThat(e.getStatusCode()).isNull();
    assertThat(e.getExtra())
        .containsEntry("resultType", "Event status")
        .containsEntry("messageId", "<messageId>")
        .containsKey("propertiesError")
        .hasEntrySatisfying("properties", raw -> assertThat(raw).contains("\"ttl\":<ttl>"));
  }

  @Test
  void shouldReadTheLogAnalyticsRowsOfDpsDeviceOperations() {
    Collected out = parseSample("dps-deviceoperations-attestationattempt-success.json");

    assertThat(out.deadLetters).isEmpty();
    assertThat(out.provisioning.get(0).key()).isEqualTo("myexampledps/my-device-1");
    ProvisioningEvent e = out.provisioning(0);
    assertThat(e.getDpsInstance()).isEqualTo("myexampledps");
    assertThat(e.getCategory()).isEqualTo(DpsCategory.DEVICE_OPERATIONS);
    assertThat(e.getOperationName()).isEqualTo("AttestationAttempt");
    assertThat(e.getOperationVersion()).isEqualTo("March2019");
    assertThat(e.getResultType()).isEqualTo(DpsResultType.SUCCESS);
    assertThat(e.getResultTypeRaw()).isNull();
    assertThat(e.getHttpStatus()).isNull();
    assertThat(e.getLevel()).isEqualTo(Level.INFORMATIONAL);
    assertThat(e.getDurationMs()).isEqualTo(226L);
    assertThat(e.getCallerIpAddress()).isEqualTo("24.18.226.XXX");
    assertThat(e.getCorrelationId()).isEqualTo("68952383-80c0-436f-a2e3-f8ae9a41c69d");
    assertThat(e.getRegistrationId()).isEqualTo("my-device-1");
    assertThat(e.getRecordType()).isEqualTo("Registration");
    assertThat(e.getProtocol()).isEqualTo("Mqtt");
    assertThat(e.getLocation()).isEqualTo("centralus");
    assertThat(e.getTime()).isEqualTo(Instant.parse("2022-04-02T00:05:51Z"));
  }

  @Test
  void shouldReadTheLogAnalyticsRowsOfDpsServiceOperations() {
    Collected out = parseSample("dps-serviceoperations-upsert-success.json");

    ProvisioningEvent e = out.provisioning(0);
    assertThat(e.getCategory()).isEqualTo(DpsCategory.SERVICE_OPERATIONS);
    assertThat(e.getOperationName()).isEqualTo("Upsert");
    assertThat(e.getRecordType()).isEqualTo("IndividualEnrollment");
    assertThat(e.getProtocol()).isEqualTo("Http");
    assertThat(e.getDurationMs()).isEqualTo(98L);
  }

  @Test
  void shouldDeadLetterEachRecordOfAnotherServiceNamingItsResourceTypeAndCategory() {
    Collected out = parseSample("azure-monitor-eventhubs-records-envelope.json");

    assertThat(out.connections).isEmpty();
    assertThat(out.deadLetters).hasSize(2);
    DeadLetter first = out.deadLetter(0);
    assertThat(first.getReasonCode()).isEqualTo(DeadLetterReason.UNSUPPORTED_RECORD);
    assertThat(first.getReason()).contains("MICROSOFT.LOGIC/WORKFLOWS").contains("WorkflowRuntime");
    assertThat(first.getProvenance().getRecordIndex()).isEqualTo(0);
    assertThat(Collected.raw(first))
        .startsWith("{")
        .endsWith("}")
        .contains("08587330013509921957")
        .doesNotContain("08587330012106702630");
    assertThat(out.deadLetters.get(0).key())
        .isEqualTo("azure-monitor-eventhubs-records-envelope.json");
    assertThat(out.deadLetter(1).getProvenance().getRecordIndex()).isEqualTo(1);
    assertThat(Collected.raw(out.deadLetter(1))).contains("08587330012106702630");
  }

  @Test
  void shouldDeadLetterTheReferenceTemplatesBecauseTheirValuesArePlaceholders() {
    for (String template :
        new String[] {
          "iothub-connections-deviceconnect-template.json",
          "iothub-devicetelemetry-error-template.json",
          "iothub-twinqueries-query-template.json"
        }) {
      Collected out = parseSample(template);

      assertThat(out.total()).as(template).isEqualTo(1);
      assertThat(out.deadLetter(0).getReasonCode()).isEqualTo(DeadLetterReason.INVALID_VALUE);
      assertThat(out.deadLetter(0).getReason()).contains("resourceId 'Resource Id'");
    }
  }

  @Test
  void shouldDeadLetterDeviceSideErrorBodiesAsNotResourceLogs() {
    Collected out = parseSample("dps-registration-error-401002.json");

    assertThat(out.deadLetters).hasSize(1);
    assertThat(out.deadLetter(0).getReasonCode()).isEqualTo(DeadLetterReason.UNSUPPORTED_RECORD);
    assertThat(out.deadLetter(0).getReason()).contains("not an Azure resource-log record");
  }

  @Test
  void shouldReadADpsFailureWithItsStatusErrorCodeAndOptionalExtensions() {
    String row =
        "{\"time\":\"2024-05-01T10:00:00.1234567Z\",\"resourceId\":\""
            + DPS_ID
            + "\",\"category\":\"DeviceOperations\",\"operationName\":\"AttestationAttempt\","
            + "\"resultType\":\"ClientError\",\"resultSignature\":\"401\","
            + "\"resultDescription\":\"{\\\"errorCode\\\":401002,\\\"message\\\":\\\"Unauthorized\\\"}\","
            + "\"level\":\"Error\",\"durationMs\":\"12\",\"callerIpAddress\":\"10.1.2.XXX\","
            + "\"properties\":\"{\\\"id\\\":\\\"dev-7\\\",\\\"type\\\":\\\"Registration\\\","
            + "\\\"protocol\\\":\\\"Mqtt\\\",\\\"enrollmentGroupId\\\":\\\"eg-factory-a\\\","
            + "\\\"attestationMechanism\\\":\\\"X509\\\",\\\"sdkVersion\\\":\\\"prov_csharp/1.1.0\\\","
            + "\\\"apiVersion\\\":\\\"2018-04-01\\\",\\\"firmware\\\":\\\"7.1\\\"}\"}";

    Collected out = parse(row);

    ProvisioningEvent e = out.provisioning(0);
    assertThat(out.provisioning.get(0).key()).isEqualTo("dps-one/dev-7");
    assertThat(e.getResultType()).isEqualTo(DpsResultType.CLIENT_ERROR);
    assertThat(e.getHttpStatus()).isEqualTo(401);
    assertThat(e.getErrorCode()).isEqualTo(401002);
    assertThat(e.getLevel()).isEqualTo(Level.ERROR);
    assertThat(e.getEnrollmentGroupId()).isEqualTo("eg-factory-a");
    assertThat(e.getAttestationMechanism()).isEqualTo("X509");
    assertThat(e.getSdkVersion()).isEqualTo("prov_csharp/1.1.0");
    assertThat(e.getApiVersion()).isEqualTo("2018-04-01");
    assertThat(e.getExtra())
        .containsEntry("firmware", "7.1")
        .containsEntry("resultSignature", "401");
    // Avro's timestamp-millis keeps milliseconds
    assertThat(e.getTime()).isEqualTo(Instant.parse("2024-05-01T10:00:00.123Z"));
  }

  @Test
  void shouldReadAnAssignmentWithTheAssignedHubAsAHostName() {
    String row =
        "{\"time\":\"2024-05-01T10:00:00Z\",\"resourceId\":\""
            + DPS_ID
            + "\",\"category\":\"DeviceOperations\",\"operationName\":\"RegisterDevice\","
            + "\"resultType\":\"Success\",\"level\":\"Information\","
            + "\"properties\":\"{\\\"id\\\":\\\"dev-7\\\",\\\"type\\\":\\\"Registration\\\","
            + "\\\"assignedHub\\\":\\\"Hub-Two.azure-devices.net\\\",\\\"deviceId\\\":\\\"dev-7\\\"}\"}";

    ProvisioningEvent e = parse(row).provisioning(0);

    assertThat(e.getAssignedHub()).isEqualTo("hub-two");
    assertThat(e.getDeviceId()).isEqualTo("dev-7");
  }

  @Test
  void shouldGiveTheSameIdToTheSameRecordWhicheverExportCarriedIt() {
    String props =
        "{\\\"deviceId\\\":\\\"d1\\\",\\\"protocol\\\":\\\"Mqtt\\\",\\\"statusCode\\\":\\\"404\\\"}";
    String eventHubs =
        "{\"records\":[{\"time\":\"2024-05-01T10:00:00.1000000Z\",\"resourceId\":\""
            + HUB_ID
            + "\",\"operationName\":\"deviceDisconnect\",\"category\":\"Connections\","
            + "\"level\":\"Error\",\"resultType\":\"404104\",\"properties\":\""
            + props
            + "\",\"location\":\"westeurope\"}]}";
    String pt1hWithOtherKeyOrder =
        "{\"category\":\"Connections\",\"resourceId\":\""
            + HUB_ID
            + "\",\"properties\":\"{\\\"protocol\\\":\\\"Mqtt\\\",\\\"statusCode\\\":\\\"404\\\","
            + "\\\"deviceId\\\":\\\"d1\\\"}\",\"time\":\"2024-05-01T10:00:00.1Z\","
            + "\"operationName\":\"deviceDisconnect\",\"resultType\":\"404104\",\"level\":\"Error\"}";
    String logAnalytics =
        "{\"TimeGenerated\":\"2024-05-01T10:00:00.100Z\",\"_ResourceId\":\""
            + HUB_ID.toLowerCase()
            + "\",\"OperationName\":\"deviceDisconnect\",\"Category\":\"Connections\","
            + "\"Level\":\"Error\",\"ResultType\":\"404104\",\"properties_s\":\""
            + props
            + "\",\"location_s\":\"westeurope\",\"Type\":\"AzureDiagnostics\"}";
    String otherDevice = eventHubs.replace("d1", "d2");

    String id1 = parse(eventHubs).connection(0).getEventId();
    String id2 = parse(pt1hWithOtherKeyOrder).connection(0).getEventId();
    String id3 = parse(logAnalytics).connection(0).getEventId();
    String id4 = parse(otherDevice).connection(0).getEventId();

    assertThat(id1).isEqualTo(id2).isEqualTo(id3);
    assertThat(id4).isNotEqualTo(id1);
  }

  @Test
  void shouldDeadLetterOnlyTheRecordThatLacksWhatThePipelineNeeds() {
    String ok =
        "{\"time\":\"2024-05-01T10:00:00Z\",\"resourceId\":\""
            + HUB_ID
            + "\",\"operationName\":\"deviceConnect\",\"category\":\"Connections\","
            + "\"properties\":\"{\\\"deviceId\\\":\\\"d1\\\"}\"}";
    String noTime = ok.replace("\"time\":\"2024-05-01T10:00:00Z\",", "");
    String noDevice = ok.replace("\\\"deviceId\\\":\\\"d1\\\"", "\\\"protocol\\\":\\\"Amqp\\\"");
    String envelope = "{\"records\":[" + ok + ",\n" + noTime + ",\n" + noDevice + "," + ok + "]}";

    Collected out = parse(envelope);

    assertThat(out.connections).hasSize(2);
    assertThat(out.deadLetters).hasSize(2);
    DeadLetter missingTime = out.deadLetter(0);
    assertThat(missingTime.getReasonCode()).isEqualTo(DeadLetterReason.MISSING_FIELD);
    assertThat(missingTime.getReason()).contains("no time");
    assertThat(missingTime.getProvenance().getRecordIndex()).isEqualTo(1);
    assertThat(missingTime.getProvenance().getPosition()).isEqualTo(2L);
    assertThat(Collected.raw(missingTime)).isEqualTo(noTime);
    assertThat(out.deadLetter(1).getReason()).contains("without properties.deviceId");
    assertThat(Collected.raw(out.deadLetter(1))).isEqualTo(noDevice);
  }

  @Test
  void shouldDeadLetterABrokenEnvelopeWholeAndEmitNoneOfItsRecords() {
    String ok =
        "{\"time\":\"2024-05-01T10:00:00Z\",\"resourceId\":\""
            + HUB_ID
            + "\",\"operationName\":\"deviceConnect\",\"category\":\"Connections\","
            + "\"properties\":\"{\\\"deviceId\\\":\\\"d1\\\"}\"}";
    String broken = "{\"records\":[" + ok + "," + ok.substring(0, 60) + "]}";

    Collected out = parse(broken);

    assertThat(out.connections).isEmpty();
    assertThat(out.deadLetters).hasSize(1);
    assertThat(out.deadLetter(0).getReasonCode()).isEqualTo(DeadLetterReason.MALFORMED_JSON);
    assertThat(out.deadLetter(0).getReason()).contains("not valid JSON").contains("line 1");
    assertThat(Collected.raw(out.deadLetter(0))).isEqualTo(broken);
  }

  @Test
  void shouldDeadLetterOnlyTheBrokenLineOfAPt1hBlob() {
    String ok =
        "{\"time\":\"2024-05-01T10:00:00Z\",\"resourceId\":\""
            + HUB_ID
            + "\",\"operationName\":\"deviceConnect\",\"category\":\"Connections\","
            + "\"properties\":\"{\\\"deviceId\\\":\\\"d1\\\"}\"}";
    String blob = ok + "\n" + ok.substring(0, 70) + "\n" + ok.replace("d1", "d2") + "\n";

    Collected out = parse(blob);

    assertThat(out.connections)
        .extracting(c -> c.value().getDeviceId())
        .containsExactly("d1", "d2");
    assertThat(out.connection(1).getProvenance().getPosition()).isEqualTo(3L);
    assertThat(out.deadLetters).hasSize(1);
    assertThat(out.deadLetter(0).getProvenance().getPosition()).isEqualTo(2L);
    assertThat(Collected.raw(out.deadLetter(0))).isEqualTo(ok.substring(0, 70));
  }

  @Test
  void shouldDeadLetterInputLargerThanTheLimitUnread() {
    AzureLogParser small = new AzureLogParser(100, 50, () -> NOW);
    byte[] big =
        ("{\"records\":[" + "\"x\",".repeat(50) + "\"x\"]}").getBytes(StandardCharsets.UTF_8);
    Collected out = new Collected();

    small.parseUnit(big, 0, big.length, Origin.of(SourceKind.HTTP, "POST /api/v1/records"), out);

    assertThat(out.deadLetters).hasSize(1);
    DeadLetter d = out.deadLetter(0);
    assertThat(d.getReasonCode()).isEqualTo(DeadLetterReason.TOO_LARGE);
    assertThat(d.getReason()).contains("ingest.max.record.bytes").contains("cut to the first 50");
    assertThat(d.getRaw().remaining()).isEqualTo(50);
  }

  @Test
  void shouldReadTheRecordsOfARootArrayOneByOne() {
    String ok =
        "{\"time\":\"2024-05-01T10:00:00Z\",\"resourceId\":\""
            + HUB_ID
            + "\",\"operationName\":\"deviceConnect\",\"category\":\"Connections\","
            + "\"properties\":\"{\\\"deviceId\\\":\\\"d1\\\"}\"}";
    String export =
        "[\n  " + ok + ",\n  {\"time\": \"2024-05\n  " + ok.replace("d1", "d3") + "\n]\n";

    Collected out = parse(export);

    assertThat(out.connections)
        .extracting(c -> c.value().getDeviceId())
        .containsExactly("d1", "d3");
    assertThat(out.deadLetters).hasSize(1);
    assertThat(out.deadLetter(0).getProvenance().getPosition()).isEqualTo(3L);
  }
}
