package io.linkwatch.ingest.sim;

import io.linkwatch.avro.SourceKind;
import io.linkwatch.ingest.parse.AgentLogParser;
import io.linkwatch.ingest.parse.AzureLogParser;
import io.linkwatch.ingest.parse.Origin;
import io.linkwatch.ingest.parse.ParseOutput;
import java.nio.charset.StandardCharsets;

/**
 * Feeds the simulation through the ingest parsers straight to the event topics (no raw topic, no
 * file): the same code path as the file and Kafka sources, from the same Azure-shaped text.
 */
final class EventsOutput extends RenderingOutput {

  private final AzureLogParser azure;
  private final AgentLogParser agent;
  private final ParseOutput sink;
  private final String source;
  private long unit;

  EventsOutput(
      SimOptions.Format format,
      String tenantId,
      Pacer pacer,
      AzureLogParser azure,
      AgentLogParser agent,
      ParseOutput sink,
      String source) {
    super(format, tenantId, pacer);
    this.azure = azure;
    this.agent = agent;
    this.sink = sink;
    this.source = source;
  }

  @Override
  void writeAzure(SimRecord first, String text) {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    azure.parseUnit(b, 0, b.length, Origin.line(SourceKind.SIMULATOR, source, ++unit), sink);
  }

  @Override
  void writeAgent(SimRecord line) {
    byte[] b = line.agentLine.getBytes(StandardCharsets.UTF_8);
    agent.parseLine(
        b,
        0,
        b.length,
        line.machine,
        "azcmagent.log",
        Origin.line(SourceKind.SIMULATOR, source, ++unit),
        sink);
  }

  @Override
  public void close() {
    flushOpen();
  }
}
