package io.linkwatch.schemas.serde;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;

/**
 * The committed earlier versions of each schema, shipped as resources under {@code avro-history/}
 * (from {@code schemas/src/main/avro-history/}). Each version is a self-contained schema; the file
 * {@code avro-history/index} lists them, one path per line.
 */
public final class SchemaHistory {

  private static final String ROOT = "avro-history/";

  private SchemaHistory() {}

  /** All committed versions of the record with this full name, oldest first. */
  public static List<Schema> versionsOf(String fullName) {
    String simpleName = fullName.substring(fullName.lastIndexOf('.') + 1);
    List<Schema> versions = new ArrayList<>();
    for (String path : index()) {
      if (path.startsWith(simpleName + "/")) {
        versions.add(parse(path));
      }
    }
    return versions;
  }

  /** The paths listed in the history index, relative to {@code avro-history/}. */
  public static List<String> index() {
    try (InputStream in = open("index")) {
      if (in == null) {
        return List.of();
      }
      List<String> paths = new ArrayList<>();
      try (BufferedReader reader =
          new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        String line;
        while ((line = reader.readLine()) != null) {
          line = line.strip();
          if (!line.isEmpty() && !line.startsWith("#")) {
            paths.add(line);
          }
        }
      }
      return paths;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the schema history index", e);
    }
  }

  private static Schema parse(String path) {
    try (InputStream in = open(path)) {
      if (in == null) {
        throw new IllegalStateException("schema history index lists a missing file: " + path);
      }
      return new Schema.Parser().parse(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read schema history file " + path, e);
    }
  }

  private static InputStream open(String path) {
    return SchemaHistory.class.getClassLoader().getResourceAsStream(ROOT + path);
  }
}
