package io.linkwatch.schemas.evolution;

import static org.assertj.core.api.Assertions.assertThat;

import io.linkwatch.avro.DeadLetter;
import io.linkwatch.schemas.serde.SchemaHistory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The build step over the real schemas and their committed history. */
class CheckSchemasTest {

  private static final Path AVRO = Path.of("src/main/avro");
  private final ByteArrayOutputStream output = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8);

  @Test
  void shouldFindEveryCurrentSchemaCompatibleWithItsCommittedVersions() throws IOException {
    List<String> problems = CheckSchemas.check(AVRO, out);

    assertThat(problems).isEmpty();
    assertThat(output.toString(StandardCharsets.UTF_8))
        .contains("records checked against", "backward compatible");
  }

  @Test
  void shouldHaveCommittedAVersionOfEveryTopLevelSchema() throws IOException {
    for (Schema current : CurrentSchemas.load(AVRO)) {
      assertThat(SchemaHistory.versions(current.getFullName()))
          .as("committed versions of %s", current.getName())
          .isNotEmpty();
    }
  }

  @Test
  void shouldFailTheBuildNamingTheRecordAndTheFieldOfAnIncompatibleChange() {
    // DeadLetter as someone might change it: a new required field, no default
    Schema changed = withNewRequiredField(DeadLetter.getClassSchema(), "receiver");

    List<String> problems = CheckSchemas.check(List.of(changed), SchemaHistory::versions, out);

    assertThat(problems)
        .singleElement()
        .asString()
        .startsWith(
            "DeadLetter.receiver: cannot read data written with v1: the field 'receiver' is new and has no default");
  }

  @Test
  void shouldNoteARecordThatChangedSinceItsLatestVersion() {
    Schema changed = withNewOptionalField(DeadLetter.getClassSchema(), "receiverUrl");

    List<String> problems = CheckSchemas.check(List.of(changed), SchemaHistory::versions, out);

    assertThat(problems).isEmpty();
    assertThat(output.toString(StandardCharsets.UTF_8))
        .contains("DeadLetter changed since v1; snapshot it as v2");
  }

  @Test
  void shouldSnapshotEachSchemaOnceAsItsNextVersion(@TempDir Path history) throws IOException {
    List<String> first = SnapshotSchemas.snapshot(AVRO, history);
    List<String> second = SnapshotSchemas.snapshot(AVRO, history);

    assertThat(first)
        .contains("DeadLetter/v1.avsc", "Alert/v1.avsc")
        .hasSize(CurrentSchemas.load(AVRO).size());
    assertThat(second).isEmpty();
    assertThat(Files.readAllLines(history.resolve("index"))).containsAll(first);
    Schema written = new Schema.Parser().parse(history.resolve("DeadLetter/v1.avsc").toFile());
    assertThat(written).isEqualTo(DeadLetter.getClassSchema());
  }

  private static Schema withNewRequiredField(Schema schema, String name) {
    List<Schema.Field> fields = copy(schema);
    fields.add(new Schema.Field(name, Schema.create(Schema.Type.STRING), "who"));
    return Schema.createRecord(
        schema.getName(), schema.getDoc(), schema.getNamespace(), false, fields);
  }

  private static Schema withNewOptionalField(Schema schema, String name) {
    List<Schema.Field> fields = copy(schema);
    fields.add(
        new Schema.Field(
            name,
            Schema.createUnion(Schema.create(Schema.Type.NULL), Schema.create(Schema.Type.STRING)),
            "where",
            Schema.Field.NULL_DEFAULT_VALUE));
    return Schema.createRecord(
        schema.getName(), schema.getDoc(), schema.getNamespace(), false, fields);
  }

  private static List<Schema.Field> copy(Schema schema) {
    List<Schema.Field> fields = new ArrayList<>();
    schema.getFields().forEach(f -> fields.add(new Schema.Field(f, f.schema())));
    return fields;
  }
}
