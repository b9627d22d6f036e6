package io.linkwatch.schemas.evolution;

import static org.assertj.core.api.Assertions.assertThat;

import io.linkwatch.schemas.evolution.CompatibilityCheck.Problem;
import io.linkwatch.schemas.serde.SchemaHistory;
import java.util.List;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/** An incompatible change is found, and named by record, version and field. */
class CompatibilityCheckTest {

  private static final String V1 =
      """
      {"type": "record", "name": "Reading", "namespace": "t", "fields": [
        {"name": "device", "type": "string"},
        {"name": "count", "type": "int"},
        {"name": "origin", "type": {"type": "record", "name": "Origin", "fields": [
          {"name": "kind", "type": {"type": "enum", "name": "Kind", "symbols": ["FILE", "HTTP", "KAFKA"]}},
          {"name": "position", "type": ["null", "long"], "default": null}
        ]}}
      ]}
      """;

  private static List<SchemaHistory.Version> history(String... versions) {
    List<SchemaHistory.Version> history = new java.util.ArrayList<>();
    for (int i = 0; i < versions.length; i++) {
      history.add(
          new SchemaHistory.Version("Reading/v" + (i + 1) + ".avsc", i + 1, parse(versions[i])));
    }
    return history;
  }

  private static Schema parse(String json) {
    return new Schema.Parser().parse(json);
  }

  @Test
  void shouldAcceptANewOptionalFieldWithADefault() {
    Schema current =
        parse(
            V1.replace(
                "{\"name\": \"count\", \"type\": \"int\"},",
                "{\"name\": \"count\", \"type\": \"int\"}, {\"name\": \"note\", \"type\": [\"null\", \"string\"], \"default\": null},"));

    assertThat(CompatibilityCheck.check(current, history(V1))).isEmpty();
  }

  @Test
  void shouldNameANewFieldWithoutADefault() {
    Schema current =
        parse(
            V1.replace(
                "{\"name\": \"count\", \"type\": \"int\"},",
                "{\"name\": \"count\", \"type\": \"int\"}, {\"name\": \"hub\", \"type\": \"string\"},"));

    List<Problem> problems = CompatibilityCheck.check(current, history(V1));

    assertThat(problems)
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.record()).isEqualTo("Reading");
              assertThat(p.version()).isEqualTo("v1");
              assertThat(p.field()).isEqualTo("hub");
              assertThat(p.toString())
                  .isEqualTo(
                      "Reading.hub: cannot read data written with v1: the field 'hub' is new and has no"
                          + " default, so v1 records, which lack it, cannot be read; give it a default (e.g."
                          + " a union with null first and \"default\": null)");
            });
  }

  @Test
  void shouldNameAnEnumThatLostASymbolWithoutADefault() {
    Schema current = parse(V1.replace("[\"FILE\", \"HTTP\", \"KAFKA\"]", "[\"FILE\", \"KAFKA\"]"));

    List<Problem> problems = CompatibilityCheck.check(current, history(V1));

    assertThat(problems)
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.field()).isEqualTo("origin.kind");
              assertThat(p.explanation()).contains("enum Kind", "[HTTP]", "no default symbol");
            });
  }

  @Test
  void shouldAcceptARemovedEnumSymbolWhenTheEnumHasADefault() {
    String withDefault =
        V1.replace(
            "\"symbols\": [\"FILE\", \"HTTP\", \"KAFKA\"]}",
            "\"symbols\": [\"FILE\", \"HTTP\", \"KAFKA\"], \"default\": \"FILE\"}");
    Schema current = parse(withDefault.replace("\"HTTP\", ", ""));

    assertThat(CompatibilityCheck.check(current, history(withDefault))).isEmpty();
  }

  @Test
  void shouldNameAFieldWhoseTypeChanged() {
    Schema current =
        parse(
            V1.replace(
                "{\"name\": \"count\", \"type\": \"int\"}",
                "{\"name\": \"count\", \"type\": \"string\"}"));

    List<Problem> problems = CompatibilityCheck.check(current, history(V1));

    assertThat(problems)
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.field()).isEqualTo("count");
              assertThat(p.explanation()).contains("from int to string");
            });
  }

  @Test
  void shouldNameANestedFieldInsideAUnion() {
    Schema current = parse(V1.replace("[\"null\", \"long\"]", "[\"null\", \"string\"]"));

    List<Problem> problems = CompatibilityCheck.check(current, history(V1));

    assertThat(problems)
        .isNotEmpty()
        .allSatisfy(p -> assertThat(p.field()).isEqualTo("origin.position"));
  }

  @Test
  void shouldCheckEveryCommittedVersionNotOnlyTheLatest() {
    String v2 = V1.replace("{\"name\": \"count\", \"type\": \"int\"},", "");
    Schema current =
        parse(
            v2.replace(
                "{\"name\": \"device\", \"type\": \"string\"},",
                "{\"name\": \"device\", \"type\": \"string\"}, {\"name\": \"count\", \"type\": \"string\", \"default\": \"\"},"));

    List<Problem> problems = CompatibilityCheck.check(current, history(V1, v2));

    assertThat(problems)
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.version()).isEqualTo("v1");
              assertThat(p.field()).isEqualTo("count");
            });
  }
}
