package io.linkwatch.ingest.parse;

import static org.assertj.core.api.Assertions.assertThat;

import io.linkwatch.avro.AgentCause;
import io.linkwatch.avro.AgentEvent;
import io.linkwatch.avro.DeadLetterReason;
import io.linkwatch.avro.Level;
import io.linkwatch.avro.SourceKind;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AgentLogParserTest {

  private final AgentLogParser parser = new AgentLogParser(1 << 16, 1 << 12, () -> 0L);

  private Collected parse(String lines) {
    byte[] b = lines.getBytes(StandardCharsets.UTF_8);
    Collected out = new Collected();
    parser.parseLines(
        b,
        0,
        b.length,
        "arc-srv-01",
        "azcmagent.log",
        Origin.line(SourceKind.AGENT_LOG, "/var/opt/azcmagent/log/azcmagent.log", 1),
        out);
    return out;
  }

  private AgentEvent one(String line) {
    Collected out = parse(line);
    assertThat(out.deadLetters).isEmpty();
    assertThat(out.agent).hasSize(1);
    return out.agent.get(0).value();
  }

  @Test
  void shouldReadTheVerbatimAgentLinesWithKeysThatContainSpaces() {
    Collected out =
        parse(
            """
            time="2022-09-30T10:04:09Z" level=debug msg="Agent Version: 1.21.02043.347"
            time="2022-09-30T10:04:09Z" level=debug msg="HIS host name: gbl.his.arc.azure.com, IPv4 address: 51.116.145.136"
            time="2022-09-30T10:04:09Z" level=debug msg="Validating HTTP response. getting a non-200 response (404 Not Found)" Endpoint="http://169.254.169.254/metadata/instance/compute?api-version=2019-06-01"
            time="2022-09-30T10:04:17Z" level=debug msg="ARM Resource Creation Successful"
            time="2022-09-30T10:04:17Z" level=debug msg="Get MSI Certificate" Request URL="https://weu.his.arc.azure.com/machine/11b51d59-0000/identity" Status Code=200
            """);

    assertThat(out.deadLetters).isEmpty();
    assertThat(out.agent).hasSize(5);
    assertThat(out.agent).allSatisfy(k -> assertThat(k.key()).isEqualTo("arc-srv-01"));
    AgentEvent first = out.agent.get(0).value();
    assertThat(first.getTime()).isEqualTo(Instant.parse("2022-09-30T10:04:09Z"));
    assertThat(first.getLevel()).isEqualTo(Level.VERBOSE);
    assertThat(first.getMessage()).isEqualTo("Agent Version: 1.21.02043.347");
    assertThat(first.getCause()).isEqualTo(AgentCause.NONE);
    AgentEvent imds = out.agent.get(2).value();
    assertThat(imds.getFields())
        .containsEntry(
            "Endpoint", "http://169.254.169.254/metadata/instance/compute?api-version=2019-06-01");
    AgentEvent msi = out.agent.get(4).value();
    assertThat(msi.getFields())
        .containsEntry(
            "Request URL", "https://weu.his.arc.azure.com/machine/11b51d59-0000/identity")
        .containsEntry("Status Code", "200");
    assertThat(msi.getAgentVersion()).isEqualTo("1.21.02043.347");
    assertThat(msi.getProvenance().getPosition()).isEqualTo(5L);
    assertThat(out.agent).extracting(k -> k.value().getEventId()).doesNotHaveDuplicates();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          ENDPOINT_UNREACHABLE | login.windows.net | Failed to acquire authorization token device flow: Error occurred while sending request for Device Authorization Code: Post https://login.windows.net/fb84ce97-b875-4d12-b031-ef5e7edf9c8e/oauth2/devicecode?api-version=1.0:  dial tcp 40.126.9.7:443: connect: network is unreachable.
          PROXY_OR_FIREWALL_BLOCKED | login.windows.net | Failed to acquire authorization token device flow: Error occurred while sending request for Device Authorization Code: Post https://login.windows.net/fb84ce97-b875-4d12-b031-ef5e7edf9c8e/oauth2/devicecode?api-version=1.0:  dial tcp 40.126.9.7:443: connect: network is Forbidden
          PROXY_OR_FIREWALL_BLOCKED | login.windows.net | Failed to acquire authorization token from SPN: Failed to execute the refresh request. Error = 'Post https://login.windows.net/fb84ce97-b875-4d12-b031-ef5e7edf9c8e/oauth2/token?api-version=1.0: Forbidden'
          INVALID_CLIENT_SECRET | | Failed to acquire authorization token from SPN: Invalid client secret is provided
          APPLICATION_NOT_FOUND | | Failed to acquire authorization token from SPN: Application with identifier 'xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx' was not found in the directory 'xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant
          MISSING_ROLE_ASSIGNMENT | | Get ARM Resource Response: The client 'username@domain.com' with object id 'xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx' does not have authorization to perform action 'Microsoft.HybridCompute/machines/read' over scope '/subscriptions/xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx/resourcegroups/myResourceGroup/providers/Microsoft.HybridCompute/machines/MSJC01' or the scope is invalid. If access was recently granted, please refresh your credentials.
          RESOURCE_PROVIDER_NOT_REGISTERED | | Failed to AzcmagentConnect ARM resource: The subscription is not registered to use namespace 'Microsoft.HybridCompute'
          PROXY_OR_FIREWALL_BLOCKED | management.azure.com | Failed to AzcmagentConnect ARM resource: Get https://management.azure.com/subscriptions/xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx/resourcegroups/myResourceGroup/providers/Microsoft.HybridCompute/machines/MSJC01?api-version=2019-03-18-preview:  Forbidden
          DNS_RESOLUTION_FAILED | login.windows.net | Failed to acquire authorization token device flow: dial tcp lookup login.windows.net: no such host
          ACCESS_TOKEN_FAILURE | | error connecting machine to Azure: failed to send a heartbeat: [certStore] ClientAssertionCredential authentication failed.
          """)
  void shouldClassifyEveryKnownConnectionErrorOfTheTroubleshootingTable(
      AgentCause cause, String endpoint, String message) {
    String line =
        "time=\"2022-09-30T10:04:09Z\" level=error msg=\""
            + message.replace("\\", "\\\\").replace("\"", "\\\"")
            + "\"";

    AgentEvent e = one(line);

    assertThat(e.getCause()).isEqualTo(cause);
    assertThat(e.getCauseDescription()).isNotBlank();
    assertThat(e.getSolution()).isNotBlank();
    if (endpoint != null) {
      assertThat(e.getEndpoint()).isEqualTo(endpoint);
    }
  }

  @Test
  void shouldUnescapeQuotedValuesAndReadTheStatusCodeAfterThem() {
    AgentEvent e =
        one(
            "time=\"2022-09-30T10:04:09Z\" level=error msg=\"Get ARM Resource Response\""
                + " Error=\"{\\\"error\\\":{\\\"code\\\":\\\"AuthorizationFailed\\\",\\\"message\\\":\\\"The"
                + " client 'x' does not have authorization to perform action"
                + " 'Microsoft.HybridCompute/machines/read'\\\"}}\" Status Code=403");

    assertThat(e.getFields())
        .containsEntry("Status Code", "403")
        .hasEntrySatisfying("Error", v -> assertThat(v).startsWith("{\"error\":{\"code\""));
    assertThat(e.getCause()).isEqualTo(AgentCause.MISSING_ROLE_ASSIGNMENT);
  }

  @Test
  void shouldPickUpTheAzcmErrorCodeAndLeaveUnknownErrorsUnclassified() {
    AgentEvent known =
        one(
            "time=\"2025-03-01T08:00:00Z\" level=error msg=\"AZCM0026: Network Error\""
                + " Endpoint=\"https://gbl.his.arc.azure.com\"");
    AgentEvent unknown =
        one("time=\"2025-03-01T08:00:00Z\" level=fatal msg=\"something nobody has seen before\"");

    assertThat(known.getErrorCode()).isEqualTo("AZCM0026");
    assertThat(known.getCause()).isEqualTo(AgentCause.ENDPOINT_UNREACHABLE);
    assertThat(known.getEndpoint()).isEqualTo("gbl.his.arc.azure.com");
    assertThat(unknown.getCause()).isEqualTo(AgentCause.UNCLASSIFIED);
    assertThat(unknown.getLevel()).isEqualTo(Level.CRITICAL);
  }

  @Test
  void shouldDeadLetterLinesThatAreNotAgentLogLines() {
    Collected out =
        parse(
            """
            level=fatal msg="error connecting machine to Azure: failed to send a heartbeat"
            time="yesterday" level=info msg="x"
            just some text

            time="2022-09-30T10:04:09Z" level=info msg="ok"
            """);

    assertThat(out.agent).hasSize(1);
    assertThat(out.deadLetters).hasSize(3);
    assertThat(out.deadLetter(0).getReasonCode()).isEqualTo(DeadLetterReason.MALFORMED_LINE);
    assertThat(out.deadLetter(0).getReason()).contains("no time=");
    assertThat(out.deadLetter(1).getReasonCode()).isEqualTo(DeadLetterReason.INVALID_VALUE);
    assertThat(out.deadLetter(2).getProvenance().getPosition()).isEqualTo(3L);
    assertThat(Collected.raw(out.deadLetter(2))).isEqualTo("just some text");
    assertThat(out.agent.get(0).value().getProvenance().getPosition()).isEqualTo(5L);
  }

  @Test
  void shouldGiveRepeatedIdenticalLinesDistinctIdsButTheSameIdsOnReread() {
    String lines =
        """
        time="2022-09-30T10:04:09Z" level=error msg="retrying: network is unreachable"
        time="2022-09-30T10:04:09Z" level=error msg="retrying: network is unreachable"
        """;

    Collected first = parse(lines);
    Collected again = new Collected();
    byte[] b = lines.getBytes(StandardCharsets.UTF_8);
    new AgentLogParser(1 << 16, 1 << 12, () -> 0L)
        .parseLines(
            b,
            0,
            b.length,
            "arc-srv-01",
            "azcmagent.log",
            Origin.line(SourceKind.AGENT_LOG, "x", 1),
            again);

    assertThat(first.agent.get(0).value().getEventId())
        .isNotEqualTo(first.agent.get(1).value().getEventId());
    assertThat(again.agent)
        .extracting(k -> k.value().getEventId())
        .containsExactlyElementsOf(first.agent.stream().map(k -> k.value().getEventId()).toList());
  }
}
