package io.linkwatch.schemas.evolution;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;

/**
 * The current schemas of the top-level records: one per {@code .avsc} directly in {@code
 * src/main/avro} (the shared types in {@code common/} are checked as part of the records that use
 * them), taken from the generated classes so that every named type is resolved.
 */
final class CurrentSchemas {

  private static final ObjectMapper JSON = new ObjectMapper();

  private CurrentSchemas() {}

  static List<Schema> load(Path avroDir) throws IOException {
    List<Path> files;
    try (Stream<Path> list = Files.list(avroDir)) {
      files = list.filter(p -> p.toString().endsWith(".avsc")).sorted().toList();
    }
    List<Schema> schemas = new ArrayList<>();
    for (Path file : files) {
      JsonNode json = JSON.readTree(file.toFile());
      String name = json.path("name").asText();
      String namespace = json.path("namespace").asText("");
      String fullName = name.contains(".") || namespace.isEmpty() ? name : namespace + "." + name;
      Class<?> type;
      try {
        type = Class.forName(fullName, false, CurrentSchemas.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException(
            file + " declares " + fullName + ", but no generated class of that name is compiled",
            e);
      }
      schemas.add(SpecificData.get().getSchema(type));
    }
    return schemas;
  }
}
