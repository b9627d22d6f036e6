package io.linkwatch.ingest.cli;

import com.dynatrace.hash4j.hashing.Hashing;
import io.linkwatch.ingest.IngestException;
import io.linkwatch.ingest.config.IngestConfig;
import io.linkwatch.ingest.sink.KafkaEventSink;
import io.linkwatch.ingest.source.LocalHost;
import io.linkwatch.ingest.source.Progress;
import io.linkwatch.ingest.source.Summary;
import io.linkwatch.ingest.source.agent.AgentLogTail;
import io.linkwatch.ingest.source.file.Checkpoint;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code linkwatch ingest agent-log}: follow an Arc agent log. */
@Command(
    name = "agent-log",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Follow an Azure Arc Connected Machine agent log (azcmagent.log, himds.log) and put each"
          + " line on the agent topic, classified against the known connection errors (proxy or"
          + " firewall, unreachable endpoint, DNS, invalid secret, application not found, missing"
          + " role, resource provider not registered).",
      "",
      "Rotation-safe (rename or copytruncate); a checkpoint lets a restart continue where it"
          + " stopped."
    },
    footer = {
      "",
      "Examples:",
      "  linkwatch ingest agent-log --machine arc-srv-01",
      "  linkwatch ingest agent-log --no-follow /tmp/collected/azcmagent.log --machine web-07"
    })
final class AgentLogCommand extends SourceCommand {

  static final Path DEFAULT_LOG = Path.of("/var/opt/azcmagent/log/azcmagent.log");

  @Parameters(
      paramLabel = "PATH",
      arity = "0..1",
      description = "The log (default: " + "/var/opt/azcmagent/log/azcmagent.log" + ").")
  Path file = DEFAULT_LOG;

  @Option(
      names = "--machine",
      paramLabel = "NAME",
      description = "Machine the log belongs to (ingest.agent.machine; default: this host).")
  String machine;

  @Option(
      names = "--follow",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description = "Keep following the log (default); --no-follow reads it to the end and exits.")
  boolean follow = true;

  @Option(
      names = "--from-end",
      description = "Without a checkpoint, start at the end of the log (ingest.agent.from.end).")
  Boolean fromEnd;

  @Option(names = "--checkpoint", paramLabel = "FILE", description = "Checkpoint file.")
  Path checkpointFile;

  @Option(names = "--no-checkpoint", description = "Neither read nor save a checkpoint.")
  boolean noCheckpoint;

  @Override
  Map<String, String> commandSettings() {
    Map<String, String> s = new HashMap<>();
    s.put(IngestConfig.AGENT_MACHINE, machine);
    s.put(IngestConfig.AGENT_FROM_END, fromEnd == null ? null : fromEnd.toString());
    return s;
  }

  @Override
  int run(IngestRuntime rt) {
    IngestConfig c = rt.config;
    String name = c.getString(IngestConfig.AGENT_MACHINE);
    if (name.isBlank()) {
      name = LocalHost.name();
    }
    AgentLogTail.Options options =
        new AgentLogTail.Options(
            file,
            name,
            follow,
            c.getBoolean(IngestConfig.AGENT_FROM_END),
            c.getLong(IngestConfig.AGENT_POLL_MS),
            c.flushIntervalMs(),
            c.maxRecordBytes());
    Checkpoint checkpoint;
    if (noCheckpoint) {
      checkpoint = Checkpoint.none();
    } else {
      Path cp = checkpointFile;
      if (cp == null) {
        long h = Hashing.xxh3_64().hashCharsToLong(file.toAbsolutePath().normalize().toString());
        cp =
            Path.of(c.getString(IngestConfig.FILE_CHECKPOINT_DIR))
                .resolve(
                    "agent-"
                        + name.replaceAll("[^A-Za-z0-9._-]", "_")
                        + "-"
                        + Long.toHexString(h)
                        + ".checkpoint");
      }
      checkpoint = Checkpoint.load(cp);
    }
    if (!follow && !Files.exists(file)) {
      throw new IngestException("no such file: " + file);
    }
    PrintWriter out = spec.commandLine().getOut();
    try (KafkaEventSink sink = rt.openSink("agent-log", Map.of());
        Progress progress = Progress.log("ingest agent-log", Duration.ofSeconds(60))) {
      Summary summary =
          new AgentLogTail(options, rt.agentParser(), sink, checkpoint, progress)
              .run(this::stopRequested);
      out.print(summary.describe("log(s)"));
      if (checkpoint.path() != null) {
        out.println("  checkpoint " + checkpoint.path());
      }
      out.flush();
    }
    return 0;
  }
}
