package io.linkwatch.ingest.sim;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns simulated records into what a consumer of the export receives, in the chosen shape: Event
 * Hubs envelopes (records of one resource and category arriving within a few seconds, up to 50, in
 * one {@code {"records":[...]}}), PT1H lines, or Log Analytics rows; Arc agent lines as they are.
 * Paces the output when asked to (simulated speed, records per second).
 */
abstract class RenderingOutput implements FleetSimulator.Output, AutoCloseable {

  private static final int MAX_PER_ENVELOPE = 50;
  private static final long ENVELOPE_WINDOW_MS = 5_000;

  private final SimOptions.Format format;
  private final String tenantId;
  private final Pacer pacer;
  private final Map<String, Envelope> open = new LinkedHashMap<>();
  private long written;

  private static final class Envelope {
    final SimRecord first;
    final StringBuilder json = new StringBuilder(48 * 1024).append("{\"records\":[");
    int count;

    Envelope(SimRecord first) {
      this.first = first;
    }
  }

  RenderingOutput(SimOptions.Format format, String tenantId, Pacer pacer) {
    this.format = format;
    this.tenantId = tenantId;
    this.pacer = pacer;
  }

  /** One unit of Azure export: an envelope, a PT1H line or a Log Analytics row. */
  abstract void writeAzure(SimRecord first, String text) throws Exception;

  /** One agent log line. */
  abstract void writeAgent(SimRecord line) throws Exception;

  /** Units written so far (envelopes, lines, rows, agent lines). */
  long written() {
    return written;
  }

  @Override
  public final void record(SimRecord r) {
    pacer.await(r.arrivalMillis);
    try {
      if (r.isAgent()) {
        writeAgent(r);
        written++;
        return;
      }
      switch (format) {
        case PT1H -> unit(r, r.renderResourceLog());
        case LOGANALYTICS -> unit(r, r.renderLogAnalytics(tenantId));
        case EVENTHUBS -> envelope(r);
      }
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("cannot write simulated records: " + e.getMessage(), e);
    }
  }

  private void unit(SimRecord r, String text) throws Exception {
    writeAzure(r, text);
    written++;
  }

  private void envelope(SimRecord r) throws Exception {
    // close the envelopes that have waited long enough
    List<Envelope> due = new ArrayList<>();
    for (Iterator<Envelope> it = open.values().iterator(); it.hasNext(); ) {
      Envelope e = it.next();
      if (r.arrivalMillis - e.first.arrivalMillis > ENVELOPE_WINDOW_MS) {
        due.add(e);
        it.remove();
      }
    }
    for (Envelope e : due) {
      closeEnvelope(e);
    }
    String key = r.category + '|' + r.resourceId;
    Envelope e = open.computeIfAbsent(key, k -> new Envelope(r));
    if (e.count > 0) {
      e.json.append(',');
    }
    e.json.append(r.renderResourceLog());
    e.count++;
    if (e.count >= MAX_PER_ENVELOPE) {
      open.remove(key);
      closeEnvelope(e);
    }
  }

  private void closeEnvelope(Envelope e) throws Exception {
    writeAzure(e.first, e.json.append("]}").toString());
    written++;
  }

  /** Writes the envelopes still open; subclasses close their own resources after. */
  void flushOpen() {
    try {
      for (Envelope e : open.values()) {
        closeEnvelope(e);
      }
      open.clear();
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("cannot write simulated records: " + e.getMessage(), e);
    }
  }
}
