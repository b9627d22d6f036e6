package io.linkwatch.ingest.source.file;

import io.linkwatch.ingest.IngestException;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Where a file source stopped, per file: the byte offset and line number after the last unit whose
 * records the broker acknowledged. Written atomically (temporary file, then rename), so that a
 * crash leaves the previous checkpoint, never half of one.
 */
public final class Checkpoint {

  /**
   * The position in one file.
   *
   * @param offset byte offset after the last acknowledged unit
   * @param line line number at that offset (1-based)
   * @param size size of the file when the position was taken
   * @param fileKey identity of the file (inode), to recognise it after a rotation; may be null
   */
  public record Position(long offset, long line, long size, String fileKey) {
    public static final Position START = new Position(0, 1, 0, null);

    public Position(long offset, long line, long size) {
      this(offset, line, size, null);
    }
  }

  private final Path file;
  private final Map<String, Position> positions = new TreeMap<>();

  private Checkpoint(Path file) {
    this.file = file;
  }

  /** A checkpoint that is never saved (--no-checkpoint). */
  public static Checkpoint none() {
    return new Checkpoint(null);
  }

  /** Loads the checkpoint at the path, or an empty one when there is none yet. */
  public static Checkpoint load(Path file) {
    Checkpoint c = new Checkpoint(file);
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (NoSuchFileException e) {
      return c;
    } catch (IOException | IllegalArgumentException e) {
      throw new IngestException(
          "cannot read the checkpoint "
              + file
              + ": "
              + e.getMessage()
              + " (delete it to start over)",
          e);
    }
    for (String name : p.stringPropertyNames()) {
      String[] parts = p.getProperty(name).split(",");
      try {
        c.positions.put(
            name,
            new Position(
                Long.parseLong(parts[0].strip()),
                Long.parseLong(parts[1].strip()),
                parts.length > 2 ? Long.parseLong(parts[2].strip()) : 0,
                parts.length > 3 ? parts[3].strip() : null));
      } catch (RuntimeException e) {
        throw new IngestException(
            "the checkpoint "
                + file
                + " has a bad entry for "
                + name
                + " (delete it to start over)",
            e);
      }
    }
    return c;
  }

  public Path path() {
    return file;
  }

  /** Where to resume the file, or the start. */
  public Position get(Path input) {
    return positions.getOrDefault(key(input), Position.START);
  }

  public void put(Path input, Position position) {
    positions.put(key(input), position);
  }

  /** Saves the positions, replacing the previous checkpoint atomically. */
  public void save() {
    if (file == null) {
      return;
    }
    Properties p = new Properties();
    positions.forEach(
        (k, v) ->
            p.setProperty(
                k,
                v.offset()
                    + ","
                    + v.line()
                    + ","
                    + v.size()
                    + (v.fileKey() == null ? "" : "," + v.fileKey().replace(',', ';'))));
    try {
      Path dir = file.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
      try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
        p.store(
            w, "linkwatch ingest checkpoint: <file>=<byte offset>,<line>,<size seen>[,<file key>]");
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new IngestException("cannot write the checkpoint " + file + ": " + e.getMessage(), e);
    }
  }

  private static String key(Path input) {
    return input.toAbsolutePath().normalize().toString();
  }
}
