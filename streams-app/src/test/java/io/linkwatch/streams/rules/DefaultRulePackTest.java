package io.linkwatch.streams.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.linkwatch.avro.AgentCause;
import io.linkwatch.avro.AlertRule;
import io.linkwatch.avro.DimensionHint;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class DefaultRulePackTest {

  @Test
  void shouldLoadAndValidateTheDefaultPack() throws Exception {
    RuleSet pack = RuleLoader.loadDefaultPack();

    assertThat(pack.alertRules())
        .extracting(AlertRule::getId)
        .contains(
            "iothub-auth-failures",
            "iothub-token-renewal-volume",
            "dps-attestation-failure-rate",
            "dps-throttling",
            "iothub-throttling",
            "iothub-hub-outage",
            "dps-assignment-flapping",
            "devices-legacy-sdk-share",
            "arc-agent-connection-failures");
    assertThat(pack.alertRules()).allSatisfy(r -> assertThat(r.getHint()).isNotNull());
  }

  @Test
  void shouldHaveAHintForEveryKnownArcAgentCause() throws Exception {
    AlertRule arc =
        RuleLoader.loadDefaultPack().alertRules().stream()
            .filter(r -> r.getId().equals("arc-agent-connection-failures"))
            .findFirst()
            .orElseThrow();

    List<String> hinted = arc.getHintsByDimension().stream().map(DimensionHint::getValue).toList();
    List<String> causes =
        Arrays.stream(AgentCause.values())
            .map(Enum::name)
            .filter(c -> !c.equals("NONE") && !c.equals("UNCLASSIFIED"))
            .toList();
    assertThat(hinted).containsExactlyInAnyOrderElementsOf(causes);
  }

  @Test
  void shouldMuteDeviceAlertsOfAHubInOutage() throws Exception {
    AlertRule outage =
        RuleLoader.loadDefaultPack().alertRules().stream()
            .filter(r -> r.getId().equals("iothub-hub-outage"))
            .findFirst()
            .orElseThrow();

    assertThat(outage.getInhibits().get(0).getTargetRuleIds())
        .contains("iothub-device-disconnects", "iothub-auth-failures");
    assertThat(outage.getInhibits().get(0).getEqual()).containsExactly("hub");
  }
}
