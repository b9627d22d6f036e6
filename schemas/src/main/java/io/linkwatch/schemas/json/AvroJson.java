package io.linkwatch.schemas.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.TemporalAccessor;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;

/**
 * Avro records as the JSON an operator or a script expects, not Avro's own JSON encoding: fields in
 * schema order, unions as their plain value (no {@code {"string": ...}} wrapper), enums as their
 * symbol, timestamps as ISO-8601 strings ({@code 2026-01-01T00:00:00Z}), maps as objects. Bytes
 * that are UTF-8 text (raw JSON in a dead letter, say) are written as that text; other bytes as
 * {@code "base64:..."}.
 */
public final class AvroJson {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private AvroJson() {}

  /** The record (or any Avro value) as a JSON tree. */
  public static JsonNode toJson(Object value) {
    Schema schema = value instanceof GenericContainer c ? c.getSchema() : null;
    return toJson(value, schema);
  }

  /** The record as one line of JSON. */
  public static String toJsonLine(Object value) {
    try {
      return MAPPER.writeValueAsString(toJson(value));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON", e);
    }
  }

  private static JsonNode toJson(Object value, Schema schema) {
    if (value == null) {
      return NODES.nullNode();
    }
    if (schema != null && schema.getType() == Schema.Type.UNION) {
      schema = branchOf(value, schema);
    }
    if (value instanceof IndexedRecord record) {
      ObjectNode node = NODES.objectNode();
      for (Schema.Field field : record.getSchema().getFields()) {
        node.set(field.name(), toJson(record.get(field.pos()), field.schema()));
      }
      return node;
    }
    if (value instanceof Instant instant) {
      return NODES.textNode(instant.toString());
    }
    if (value instanceof TemporalAccessor temporal) {
      return NODES.textNode(temporal.toString());
    }
    if (value instanceof CharSequence
        || value instanceof GenericEnumSymbol<?>
        || value instanceof Enum<?>) {
      return NODES.textNode(value.toString());
    }
    if (value instanceof Integer i) {
      return NODES.numberNode(i);
    }
    if (value instanceof Long l) {
      return NODES.numberNode(l);
    }
    if (value instanceof Float f) {
      return NODES.numberNode(f);
    }
    if (value instanceof Double d) {
      return NODES.numberNode(d);
    }
    if (value instanceof BigDecimal d) {
      return NODES.numberNode(d);
    }
    if (value instanceof Boolean b) {
      return NODES.booleanNode(b);
    }
    if (value instanceof ByteBuffer buffer) {
      byte[] bytes = new byte[buffer.remaining()];
      buffer.duplicate().get(bytes);
      return NODES.textNode(bytesAsText(bytes));
    }
    if (value instanceof byte[] bytes) {
      return NODES.textNode(bytesAsText(bytes));
    }
    if (value instanceof GenericFixed fixed) {
      return NODES.textNode(HexFormat.of().formatHex(fixed.bytes()));
    }
    if (value instanceof Map<?, ?> map) {
      Schema values =
          schema != null && schema.getType() == Schema.Type.MAP ? schema.getValueType() : null;
      ObjectNode node = NODES.objectNode();
      map.forEach((k, v) -> node.set(String.valueOf(k), toJson(v, values)));
      return node;
    }
    if (value instanceof Collection<?> items) {
      Schema elements =
          schema != null && schema.getType() == Schema.Type.ARRAY ? schema.getElementType() : null;
      ArrayNode node = NODES.arrayNode();
      items.forEach(item -> node.add(toJson(item, elements)));
      return node;
    }
    return NODES.textNode(value.toString());
  }

  private static Schema branchOf(Object value, Schema union) {
    for (Schema branch : union.getTypes()) {
      if (branch.getType() != Schema.Type.NULL) {
        if (value instanceof IndexedRecord r && branch.getType() == Schema.Type.RECORD) {
          if (r.getSchema().getFullName().equals(branch.getFullName())) {
            return branch;
          }
          continue;
        }
        if (value instanceof Map<?, ?> && branch.getType() == Schema.Type.MAP
            || value instanceof Collection<?> && branch.getType() == Schema.Type.ARRAY) {
          return branch;
        }
      }
    }
    return null;
  }

  /** UTF-8 text as itself; anything else as {@code base64:<data>}. */
  static String bytesAsText(byte[] bytes) {
    try {
      CharBuffer text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes));
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        if (c < 0x20 && c != '\n' && c != '\r' && c != '\t') {
          return "base64:" + Base64.getEncoder().encodeToString(bytes);
        }
      }
      return text.toString();
    } catch (CharacterCodingException e) {
      return "base64:" + Base64.getEncoder().encodeToString(bytes);
    }
  }
}
