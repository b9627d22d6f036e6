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

  /**
   * One committed version of a record's schema.
   *
   * @param path path under {@code avro-history/}, e.g. {@code Alert/v2.avsc}
   * @param version the N of {@code vN.avsc}
   * @param schema the schema, self-contained
   */
  public record Version(String path, int version, Schema schema) {
    /** "v2" */
    public String label() {
      return "v" + version;
    }
  }

  /** All committed versions of the record with this full name, oldest first. */
  public static List<Schema> versionsOf(String fullName) {
    return versions(fullName).stream().map(Version::schema).toList();
  }

  /** All committed versions of the record with this full name, with their numbers, oldest first. */
  public static List<Version> versions(String fullName) {
    String simpleName = fullName.substring(fullName.lastIndexOf('.') + 1);
    List<Version> versions = new ArrayList<>();
    for (String path : index()) {
      if (path.startsWith(simpleName + "/")) {
        versions.add(new Version(path, versionNumber(path), parse(path)));
      }
    }
    versions.sort(java.util.Comparator.comparingInt(Version::version));
    return versions;
  }

  /** The N of {@code <Record>/vN.avsc}. */
  public static int versionNumber(String path) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("/v(\\d+)\\.avsc$").matcher(path);
    if (!m.find()) {
      throw new IllegalStateException(
          "schema history index lists " + path + ", which is not <Record>/v<N>.avsc");
    }
    return Integer.parseInt(m.group(1));
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
