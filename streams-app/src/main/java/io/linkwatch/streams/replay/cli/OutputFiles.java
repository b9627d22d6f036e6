package io.linkwatch.streams.replay.cli;

import io.linkwatch.schemas.json.AvroJson;
import io.linkwatch.streams.replay.Replay;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes what a replay produced as JSON lines, one file per kind ({@code alerts.jsonl}, {@code
 * incidents.jsonl}, {@code aggregates.jsonl}, {@code dead-letters.jsonl}), each line {@code
 * {"key":..., "timestamp":..., "value":{...}}}, as they are produced (nothing is held in memory).
 */
final class OutputFiles implements Replay.Output, AutoCloseable {

  private final Path dir;
  private final Map<String, BufferedWriter> writers = new LinkedHashMap<>();

  OutputFiles(Path dir) throws IOException {
    this.dir = Files.createDirectories(dir);
    for (String kind : new String[] {"alert", "incident", "aggregate", "dead-letter"}) {
      writers.put(
          kind, Files.newBufferedWriter(dir.resolve(kind + "s.jsonl"), StandardCharsets.UTF_8));
    }
  }

  Path dir() {
    return dir;
  }

  @Override
  public void emitted(String kind, String key, Object value, long timestamp) {
    BufferedWriter w = writers.get(kind);
    if (w == null) {
      return;
    }
    try {
      w.write("{\"key\":");
      w.write(key == null ? "null" : Json.quote(key));
      w.write(",\"timestamp\":");
      w.write(Json.quote(java.time.Instant.ofEpochMilli(timestamp).toString()));
      w.write(",\"value\":");
      w.write(AvroJson.toJsonLine(value));
      w.write("}\n");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + dir.resolve(kind + "s.jsonl"), e);
    }
  }

  @Override
  public void close() throws IOException {
    IOException failure = null;
    for (BufferedWriter w : writers.values()) {
      try {
        w.close();
      } catch (IOException e) {
        failure = e;
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
