package io.linkwatch.schemas.evolution;

import io.linkwatch.schemas.serde.SchemaHistory;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.avro.Schema;

/**
 * The build step (exec-maven-plugin, {@code process-classes} of {@code schemas/}): checks that the
 * current schema of every top-level record is backward compatible with each of its committed
 * versions under {@code src/main/avro-history/}, and fails the build naming the record, the version
 * and the field when one is not. Records without history, or changed since their latest committed
 * version, are reported (not failed): snapshot them with {@link SnapshotSchemas} before the change
 * lands.
 *
 * <p>Arguments: the directory of the current {@code .avsc} files ({@code src/main/avro}).
 */
public final class CheckSchemas {

  private CheckSchemas() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: CheckSchemas <src/main/avro>");
    }
    List<String> problems = check(Path.of(args[0]), System.out);
    if (!problems.isEmpty()) {
      // exec:java runs in the Maven JVM: fail with an exception, never System.exit
      throw new IllegalStateException(
          "incompatible schema change (new code could not read data already written):\n  "
              + String.join("\n  ", problems)
              + "\nSee docs/schemas.md.");
    }
  }

  /** Checks every top-level record; prints a summary and the notes; returns the problems. */
  static List<String> check(Path avroDir, PrintStream out) throws IOException {
    return check(CurrentSchemas.load(avroDir), SchemaHistory::versions, out);
  }

  /**
   * Checks the given current schemas against their histories.
   *
   * @param histories committed versions by full record name
   */
  static List<String> check(
      List<Schema> records,
      Function<String, List<SchemaHistory.Version>> histories,
      PrintStream out) {
    List<String> problems = new ArrayList<>();
    int versions = 0;
    for (Schema current : records) {
      List<SchemaHistory.Version> history = histories.apply(current.getFullName());
      versions += history.size();
      if (history.isEmpty()) {
        out.println(
            "[schemas] note: "
                + current.getName()
                + " has no committed version yet; snapshot it (docs/schemas.md)");
        continue;
      }
      CompatibilityCheck.check(current, history).forEach(p -> problems.add(p.toString()));
      SchemaHistory.Version latest = history.get(history.size() - 1);
      if (!latest.schema().equals(current)) {
        out.println(
            "[schemas] note: "
                + current.getName()
                + " changed since "
                + latest.label()
                + "; snapshot it as v"
                + (latest.version() + 1)
                + " before the change lands (docs/schemas.md)");
      }
    }
    out.println(
        "[schemas] "
            + records.size()
            + " records checked against "
            + versions
            + " committed versions: "
            + (problems.isEmpty() ? "backward compatible" : problems.size() + " problem(s)"));
    return problems;
  }
}
