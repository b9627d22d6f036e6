package io.linkwatch.schemas.evolution;

import io.linkwatch.schemas.serde.SchemaHistory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;

/**
 * Writes the current schema of each top-level record as its next committed version, {@code
 * src/main/avro-history/<Record>/v<N>.avsc} (self-contained: every named type inline), and lists it
 * in {@code src/main/avro-history/index}. Records whose current schema equals their latest version
 * are left alone. Refuses to snapshot a schema that is not backward compatible.
 *
 * <pre>./mvnw -B -q -pl schemas process-classes exec:java@snapshot-schemas</pre>
 *
 * <p>Arguments: the directory of the current {@code .avsc} files and the history directory.
 */
public final class SnapshotSchemas {

  private SnapshotSchemas() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      throw new IllegalArgumentException(
          "usage: SnapshotSchemas <src/main/avro> <src/main/avro-history>");
    }
    List<String> written = snapshot(Path.of(args[0]), Path.of(args[1]));
    System.out.println(
        written.isEmpty()
            ? "[schemas] every schema equals its latest committed version; nothing to snapshot"
            : "[schemas] wrote " + String.join(", ", written) + " (commit them with the change)");
  }

  static List<String> snapshot(Path avroDir, Path historyDir) throws IOException {
    List<String> problems = new ArrayList<>();
    List<Schema> toWrite = new ArrayList<>();
    List<Integer> numbers = new ArrayList<>();
    for (Schema current : CurrentSchemas.load(avroDir)) {
      List<SchemaHistory.Version> history = versionsOnDisk(historyDir, current.getName());
      CompatibilityCheck.check(current, history).forEach(p -> problems.add(p.toString()));
      if (history.isEmpty() || !history.get(history.size() - 1).schema().equals(current)) {
        toWrite.add(current);
        numbers.add(history.isEmpty() ? 1 : history.get(history.size() - 1).version() + 1);
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalStateException(
          "not snapshotting an incompatible schema:\n  " + String.join("\n  ", problems));
    }
    List<String> written = new ArrayList<>();
    Path index = historyDir.resolve("index");
    if (!Files.exists(index)) {
      Files.createDirectories(historyDir);
      Files.writeString(
          index,
          "# Committed versions of each top-level schema, one path per line (docs/schemas.md).\n",
          StandardCharsets.UTF_8);
    }
    for (int i = 0; i < toWrite.size(); i++) {
      Schema schema = toWrite.get(i);
      String path = schema.getName() + "/v" + numbers.get(i) + ".avsc";
      Path file = historyDir.resolve(path);
      Files.createDirectories(file.getParent());
      Files.writeString(file, schema.toString(true) + "\n", StandardCharsets.UTF_8);
      Files.writeString(index, path + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
      written.add(path);
    }
    return written;
  }

  /** The versions in the source history directory (the classpath copy may be stale here). */
  private static List<SchemaHistory.Version> versionsOnDisk(Path historyDir, String record)
      throws IOException {
    List<SchemaHistory.Version> versions = new ArrayList<>();
    Path index = historyDir.resolve("index");
    if (!Files.exists(index)) {
      return versions;
    }
    for (String line : Files.readAllLines(index, StandardCharsets.UTF_8)) {
      String path = line.strip();
      if (path.startsWith(record + "/")) {
        Schema schema = new Schema.Parser().parse(historyDir.resolve(path).toFile());
        versions.add(new SchemaHistory.Version(path, SchemaHistory.versionNumber(path), schema));
      }
    }
    versions.sort(java.util.Comparator.comparingInt(SchemaHistory.Version::version));
    return versions;
  }
}
