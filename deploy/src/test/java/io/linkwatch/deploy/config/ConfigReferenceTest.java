package io.linkwatch.deploy.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.linkwatch.schemas.config.CommonConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.common.config.ConfigDef;
import org.junit.jupiter.api.Test;

/** docs/configuration.md is generated from the roles' ConfigDefs and kept current. */
class ConfigReferenceTest {

  @Test
  void shouldMatchTheCommittedReference() throws Exception {
    Path committed = Repository.file(ConfigReference.PATH);
    String expected = ConfigReference.markdown();

    assertThat(Files.exists(committed)).as(committed + " exists").isTrue();
    assertThat(Files.readString(committed, StandardCharsets.UTF_8))
        .as(
            ConfigReference.PATH
                + " is stale: a role's settings changed. Regenerate it with"
                + " './linkwatch config reference --output "
                + ConfigReference.PATH
                + "' and commit it")
        .isEqualTo(expected);
  }

  @Test
  void shouldDocumentEveryKeyOfEveryRoleWithItsEnvironmentVariable() {
    String md = ConfigReference.markdown();

    for (String key : CommonConfig.define(new ConfigDef()).names()) {
      assertThat(md).contains("`" + key + "`");
    }
    for (Role role : Role.values()) {
      assertThat(role.ownKeys()).as(role.id() + " declares keys of its own").isNotEmpty();
      for (String key : role.ownKeys()) {
        assertThat(md)
            .contains(
                "`"
                    + key
                    + "`<br>`LINKWATCH_"
                    + key.toUpperCase().replace('.', '_').replace('-', '_'));
      }
    }
  }

  @Test
  void shouldNotDependOnTheMachineItWasGeneratedOn() {
    String md = ConfigReference.markdown();

    assertThat(md).doesNotContain(System.getProperty("user.name") + "/");
    assertThat(md).contains("${java.io.tmpdir}/linkwatch/sink");
  }
}
