package io.linkwatch.ingest.sim;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Writes the simulation to files: all Azure records in one file (envelopes, PT1H lines or Log
 * Analytics rows, one per line), or, with the Storage layout, in {@code
 * insights-logs-<category>/resourceId=/SUBSCRIPTIONS/.../y=/m=/d=/h=/m=00/PT1H.json} blobs binned
 * by arrival hour, as diagnostic settings write them; agent logs in {@code
 * <agents>/<machine>/azcmagent.log}.
 */
final class FileOutput extends RenderingOutput {

  private final Path records;
  private final Path storageRoot;
  private final Path agentsDir;
  private final Map<Path, BufferedWriter> writers = new LinkedHashMap<>();
  private long currentHour = Long.MIN_VALUE;

  /**
   * @param records the file of Azure records, or {@code null} with the Storage layout
   * @param storageRoot the folder of the Storage layout, or {@code null}
   * @param agentsDir the folder of the agent logs
   */
  FileOutput(
      SimOptions.Format format,
      String tenantId,
      Pacer pacer,
      Path records,
      Path storageRoot,
      Path agentsDir) {
    super(format, tenantId, pacer);
    this.records = records;
    this.storageRoot = storageRoot;
    this.agentsDir = agentsDir;
  }

  @Override
  void writeAzure(SimRecord first, String text) throws IOException {
    if (storageRoot != null) {
      // blobs are binned by arrival hour and records come in arrival order: an hour that is
      // over is complete, its blobs can be closed
      long hour = Math.floorDiv(first.arrivalMillis, 3_600_000L);
      if (hour != currentHour) {
        closeStorageWriters();
        currentHour = hour;
      }
    }
    Path file = storageRoot == null ? records : blob(first);
    BufferedWriter w = writer(file);
    w.write(text);
    w.write('\n');
  }

  @Override
  void writeAgent(SimRecord line) throws IOException {
    BufferedWriter w = writer(agentsDir.resolve(line.machine).resolve("azcmagent.log"));
    w.write(line.agentLine);
    w.write('\n');
  }

  private Path blob(SimRecord r) {
    LocalDateTime t =
        LocalDateTime.ofEpochSecond(Math.floorDiv(r.arrivalMillis, 1000), 0, ZoneOffset.UTC);
    String rid = r.resourceId.startsWith("/") ? r.resourceId.substring(1) : r.resourceId;
    return storageRoot
        .resolve("insights-logs-" + r.category.toLowerCase(Locale.ROOT))
        .resolve("resourceId=")
        .resolve(rid)
        .resolve(String.format(Locale.ROOT, "y=%04d", t.getYear()))
        .resolve(String.format(Locale.ROOT, "m=%02d", t.getMonthValue()))
        .resolve(String.format(Locale.ROOT, "d=%02d", t.getDayOfMonth()))
        .resolve(String.format(Locale.ROOT, "h=%02d", t.getHour()))
        .resolve("m=00")
        .resolve("PT1H.json");
  }

  private void closeStorageWriters() throws IOException {
    var it = writers.entrySet().iterator();
    while (it.hasNext()) {
      var e = it.next();
      if (e.getKey().startsWith(storageRoot)) {
        e.getValue().close();
        it.remove();
      }
    }
  }

  private BufferedWriter writer(Path file) throws IOException {
    BufferedWriter w = writers.get(file);
    if (w == null) {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      w = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
      writers.put(file, w);
    }
    return w;
  }

  @Override
  public void close() {
    flushOpen();
    IOException first = null;
    for (BufferedWriter w : writers.values()) {
      try {
        w.close();
      } catch (IOException e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw new UncheckedIOException(first);
    }
  }
}
