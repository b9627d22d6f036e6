package io.linkwatch.ingest.cli;

import io.linkwatch.ingest.IngestException;
import io.linkwatch.ingest.config.IngestConfig;
import io.linkwatch.ingest.sink.KafkaEventSink;
import io.linkwatch.ingest.source.Summary;
import io.linkwatch.ingest.source.http.HttpSource;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code linkwatch ingest http}: receive records over HTTP. */
@Command(
    name = "http",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Receive Azure logs over HTTP (what Fluent Bit, Vector or a Logic App can send) and put them"
          + " on the event topics.",
      "",
      "POST /api/v1/records: a {\"records\":[...]} envelope, one record, an array, or NDJSON"
          + " (Content-Encoding: gzip accepted). POST /api/v1/agent-logs?machine=NAME: Arc agent"
          + " log lines. GET /healthz.",
      "",
      "A request is answered once its records are stored: 200 with the counts (and the reasons"
          + " of the records dead-lettered), 400 when nothing could be read, 401 without the"
          + " bearer token, 413 over the size limit, 429 or 503 with Retry-After when the"
          + " broker cannot keep up."
    },
    footer = {
      "",
      "Examples:",
      "  linkwatch ingest http --port 7080 --token-file /run/secrets/ingest-token",
      "  curl -H 'Authorization: Bearer ...' --data-binary @PT1H.json localhost:7080/api/v1/records"
    })
final class HttpCommand extends SourceCommand {

  @Option(names = "--port", paramLabel = "PORT", description = "Port (ingest.http.port).")
  Integer port;

  @Option(names = "--bind", paramLabel = "ADDRESS", description = "Address (ingest.http.bind).")
  String bind;

  @Option(
      names = "--token-file",
      paramLabel = "FILE",
      description =
          "File holding the bearer token requests must carry (else ingest.http.token, e.g. from"
              + " LINKWATCH_INGEST_HTTP_TOKEN).")
  Path tokenFile;

  @Override
  Map<String, String> commandSettings() {
    Map<String, String> s = new HashMap<>();
    s.put(IngestConfig.HTTP_PORT, port == null ? null : port.toString());
    s.put(IngestConfig.HTTP_BIND, bind);
    if (tokenFile != null) {
      try {
        s.put(IngestConfig.HTTP_TOKEN, Files.readString(tokenFile, StandardCharsets.UTF_8).strip());
      } catch (IOException e) {
        throw new IllegalArgumentException(
            "cannot read --token-file " + tokenFile + ": " + e.getMessage());
      }
    }
    return s;
  }

  @Override
  int run(IngestRuntime rt) throws InterruptedException {
    IngestConfig c = rt.config;
    HttpSource.Options options =
        new HttpSource.Options(
            c.getString(IngestConfig.HTTP_BIND),
            c.getInt(IngestConfig.HTTP_PORT),
            c.httpToken(),
            c.getInt(IngestConfig.HTTP_MAX_BODY_BYTES),
            c.getLong(IngestConfig.HTTP_MAX_INFLIGHT_BYTES),
            c.getLong(IngestConfig.HTTP_ACK_TIMEOUT_MS),
            c.getInt(IngestConfig.HTTP_THREADS),
            c.getInt(IngestConfig.HTTP_RETRY_AFTER_SECONDS));
    long started = System.nanoTime();
    PrintWriter out = spec.commandLine().getOut();
    try (KafkaEventSink sink = rt.openSink("http", Map.of())) {
      HttpSource source =
          new HttpSource(options, sink, rt::azureParser, rt::agentParser, rt.registry);
      try {
        source.start();
      } catch (IOException e) {
        throw new IngestException(
            "cannot listen on " + options.bind() + ":" + options.port() + ": " + e.getMessage(), e);
      }
      out.println(
          "listening on http://" + options.bind() + ":" + source.port() + HttpSource.RECORDS_PATH);
      out.flush();
      try (source) {
        while (!stopRequested()) {
          Thread.sleep(200);
        }
      }
      sink.flush();
      out.print(
          Summary.of(
                  source.requests(),
                  source.bytes(),
                  sink.metrics(),
                  Duration.ofNanos(System.nanoTime() - started))
              .describe("request(s)"));
      out.flush();
    }
    return 0;
  }
}
