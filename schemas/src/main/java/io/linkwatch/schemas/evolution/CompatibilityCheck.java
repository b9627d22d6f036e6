package io.linkwatch.schemas.evolution;

import io.linkwatch.schemas.serde.SchemaHistory;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;

/**
 * Whether a record's current schema can read everything its committed versions wrote (backward
 * compatibility, transitively: against every version, not only the latest). Each problem names the
 * record, the version, the field path and what to do.
 */
public final class CompatibilityCheck {

  /**
   * One reason the current schema cannot read data of an older version.
   *
   * @param record simple name of the record, e.g. {@code Alert}
   * @param version the committed version whose data cannot be read, e.g. {@code v1}
   * @param field dotted path of the field in the current schema, e.g. {@code
   *     provenance.sourceKind}; empty for the record itself
   * @param explanation what is wrong and what to do
   */
  public record Problem(String record, String version, String field, String explanation) {
    @Override
    public String toString() {
      return record
          + (field.isEmpty() ? "" : "." + field)
          + ": cannot read data written with "
          + version
          + ": "
          + explanation;
    }
  }

  private CompatibilityCheck() {}

  /** The problems of {@code current} against each of its committed versions; empty when none. */
  public static List<Problem> check(Schema current, List<SchemaHistory.Version> history) {
    List<Problem> problems = new ArrayList<>();
    for (SchemaHistory.Version old : history) {
      SchemaPairCompatibility result =
          SchemaCompatibility.checkReaderWriterCompatibility(current, old.schema());
      if (result.getType() == SchemaCompatibilityType.COMPATIBLE) {
        continue;
      }
      for (Incompatibility i : result.getResult().getIncompatibilities()) {
        problems.add(
            new Problem(
                current.getName(),
                old.label(),
                fieldPath(current, i.getLocation()),
                explain(i, old.label())));
      }
    }
    return problems;
  }

  private static String explain(Incompatibility i, String version) {
    return switch (i.getType()) {
      case READER_FIELD_MISSING_DEFAULT_VALUE ->
          "the field '"
              + i.getMessage()
              + "' is new and has no default, so "
              + version
              + " records, which lack it, cannot be read; give it a default (e.g. a union with"
              + " null first and \"default\": null)";
      case MISSING_ENUM_SYMBOLS ->
          "the enum "
              + i.getReaderFragment().getName()
              + " no longer has the symbols "
              + i.getMessage()
              + " that "
              + version
              + " records may hold, and has no default symbol; keep the symbols or give the enum a"
              + " \"default\"";
      case TYPE_MISMATCH ->
          "the type changed from "
              + describe(i.getWriterFragment())
              + " to "
              + describe(i.getReaderFragment())
              + ", which Avro cannot convert; add a new field instead and deprecate this one";
      case MISSING_UNION_BRANCH ->
          "the union lost a branch that " + version + " records may hold (" + i.getMessage() + ")";
      case NAME_MISMATCH ->
          "the named type was renamed (" + i.getMessage() + "); add the old name as an alias";
      case FIXED_SIZE_MISMATCH -> "the fixed size changed (" + i.getMessage() + ")";
    };
  }

  private static String describe(Schema s) {
    String logical = s.getLogicalType() == null ? "" : " (" + s.getLogicalType().getName() + ")";
    return switch (s.getType()) {
      case RECORD, ENUM, FIXED -> s.getType().getName() + " " + s.getName();
      case UNION -> "union " + s.getTypes().stream().map(t -> t.getType().getName()).toList();
      default -> s.getType().getName() + logical;
    };
  }

  /**
   * The dotted field path of an incompatibility's location (a JSON-pointer-like path into the
   * reader schema, e.g. {@code /fields/3/type/fields/0/type/symbols}).
   */
  static String fieldPath(Schema reader, String location) {
    List<String> names = new ArrayList<>();
    String[] segments = location == null ? new String[0] : location.split("/");
    Schema schema = reader;
    for (int i = 0; i < segments.length && schema != null; i++) {
      String segment = segments[i];
      switch (segment) {
        case "" -> {
          // leading slash
        }
        case "fields" -> {
          if (i + 1 < segments.length && schema.getType() == Schema.Type.RECORD) {
            Schema.Field field = schema.getFields().get(Integer.parseInt(segments[++i]));
            names.add(field.name());
            schema = field.schema();
          }
        }
        case "type" -> {
          // the field's schema, already selected
        }
        case "items" ->
            schema = schema.getType() == Schema.Type.ARRAY ? schema.getElementType() : null;
        case "values" ->
            schema = schema.getType() == Schema.Type.MAP ? schema.getValueType() : null;
        default -> {
          if (schema.getType() == Schema.Type.UNION
              && segment.chars().allMatch(Character::isDigit)) {
            schema = schema.getTypes().get(Integer.parseInt(segment));
          } else {
            schema = null; // symbols, name, size: the end of the path
          }
        }
      }
    }
    return String.join(".", names);
  }
}
