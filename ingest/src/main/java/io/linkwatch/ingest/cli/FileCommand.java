package io.linkwatch.ingest.cli;

import com.dynatrace.hash4j.hashing.Hashing;
import io.linkwatch.ingest.IngestException;
import io.linkwatch.ingest.config.IngestConfig;
import io.linkwatch.ingest.sink.KafkaEventSink;
import io.linkwatch.ingest.source.Progress;
import io.linkwatch.ingest.source.Summary;
import io.linkwatch.ingest.source.file.Checkpoint;
import io.linkwatch.ingest.source.file.FileSource;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code linkwatch ingest file}: files, folders, the Storage export layout. */
@Command(
    name = "file",
    mixinStandardHelpOptions = true,
    description = {
      "Read Azure resource logs from files and put them on the event topics.",
      "",
      "PATH is a file or a folder (walked in path order, which is time order in the Storage"
          + " export layout insights-logs-<category>/resourceId=/.../y=/m=/d=/h=/m=00/PT1H.json)."
          + " JSON files may hold PT1H lines, NDJSON, {\"records\":[...]} envelopes or a Log"
          + " Analytics array; *.log files are Arc agent logs (azcmagent.log).",
      "",
      "A checkpoint records how far each file was read, so a restart continues without loss."
          + " Records that cannot be parsed go to the dead-letter topic with the reason."
    },
    footer = {
      "",
      "Examples:",
      "  linkwatch ingest file ./PT1H.json",
      "  linkwatch ingest file --follow /mnt/insights-logs-connections",
      "  linkwatch ingest file -b kafka:9092 -c app.properties fleet.jsonl"
    })
final class FileCommand extends SourceCommand {

  @Parameters(paramLabel = "PATH", arity = "1..*", description = "Files or folders to read.")
  List<Path> inputs = new ArrayList<>();

  @Option(
      names = {"-f", "--follow"},
      description = "Keep reading appended data and new files until stopped (Ctrl-C).")
  boolean follow;

  @Option(
      names = "--checkpoint",
      paramLabel = "FILE",
      description =
          "Checkpoint file (default: one per set of inputs under ingest.file.checkpoint.dir).")
  Path checkpointFile;

  @Option(names = "--no-checkpoint", description = "Neither read nor save a checkpoint.")
  boolean noCheckpoint;

  @Option(names = "--from-start", description = "Ignore the checkpoint and read everything again.")
  boolean fromStart;

  @Option(
      names = "--machine",
      paramLabel = "NAME",
      description = "Machine of *.log agent logs (default: the folder they are in, or this host).")
  String machine;

  @Option(
      names = "--exclude",
      paramLabel = "GLOB",
      description = "File names to skip, added to ingest.file.exclude (repeatable).")
  List<String> exclude = new ArrayList<>();

  @Option(
      names = "--progress",
      negatable = true,
      description = "Show a progress bar (default: when on a terminal).")
  Boolean progress;

  @Override
  Map<String, String> commandSettings() {
    return new HashMap<>();
  }

  @Override
  int run(IngestRuntime rt) {
    IngestConfig c = rt.config;
    List<String> excluded = new ArrayList<>(c.getList(IngestConfig.FILE_EXCLUDE));
    excluded.addAll(exclude);
    FileSource.Options options =
        new FileSource.Options(
            inputs,
            follow,
            c.getLong(IngestConfig.FILE_POLL_MS),
            c.flushIntervalMs(),
            c.maxRecordBytes(),
            excluded,
            machine,
            c.parseThreads());
    Checkpoint checkpoint = checkpoint(c);
    PrintWriter out = spec.commandLine().getOut();
    Progress bar =
        progress == null
            ? Progress.auto("ingest", System.err)
            : progress ? Progress.bar("ingest", System.err) : Progress.none();
    try (KafkaEventSink sink = rt.openSink("file", Map.of());
        bar) {
      FileSource source =
          new FileSource(
              options,
              rt.azureParser(),
              rt.agentParser(),
              sink,
              checkpoint,
              bar,
              c.deadLetterMaxRawBytes());
      Summary summary = source.run(this::stopRequested);
      bar.close();
      out.print(summary.describe("file(s)"));
      if (checkpoint.path() != null) {
        out.println("  checkpoint " + checkpoint.path());
      }
      out.flush();
    }
    return 0;
  }

  private Checkpoint checkpoint(IngestConfig c) {
    if (noCheckpoint) {
      return Checkpoint.none();
    }
    Path file = checkpointFile != null ? checkpointFile : defaultCheckpoint(c);
    if (fromStart) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        throw new IngestException(
            "cannot remove the checkpoint " + file + ": " + e.getMessage(), e);
      }
    }
    return Checkpoint.load(file);
  }

  /** One checkpoint per set of inputs: {@code <dir>/<first input name>-<hash>.checkpoint}. */
  Path defaultCheckpoint(IngestConfig c) {
    List<String> names = new ArrayList<>();
    for (Path p : inputs) {
      names.add(p.toAbsolutePath().normalize().toString());
    }
    names.sort(null);
    long hash = Hashing.xxh3_64().hashCharsToLong(String.join("\n", names));
    String first =
        inputs.get(0).toAbsolutePath().normalize().getFileName() == null
            ? "root"
            : inputs.get(0).toAbsolutePath().normalize().getFileName().toString();
    String safe = first.replaceAll("[^A-Za-z0-9._-]", "_");
    return Path.of(c.getString(IngestConfig.FILE_CHECKPOINT_DIR))
        .resolve(safe + "-" + Long.toHexString(hash) + ".checkpoint");
  }
}
