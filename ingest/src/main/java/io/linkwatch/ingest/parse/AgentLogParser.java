package io.linkwatch.ingest.parse;

import io.linkwatch.avro.AgentEvent;
import io.linkwatch.avro.DeadLetterReason;
import io.linkwatch.avro.Level;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Parses the lines of the Azure Arc Connected Machine agent's logs ({@code azcmagent.log}, {@code
 * himds.log}), written in logrus' text format: {@code time="2022-09-30T10:04:09Z" level=debug
 * msg="..." Key="value" Status Code=403}. Keys may contain spaces, values are bare words or quoted
 * strings with backslash escapes. Each line becomes an {@link AgentEvent} classified against {@link
 * ArcErrorCatalog}; a line without a time is dead-lettered.
 *
 * <p>Keeps, per machine, the last agent version a line announced ("Agent Version: 1.21...") and
 * stamps it on the lines that follow. Not thread-safe.
 */
public final class AgentLogParser {

  private final int maxLineBytes;
  private final LongSupplier clock;
  private final DeadLetters deadLetters;
  private final EventIds ids = new EventIds();
  private final Map<String, String> agentVersions = new HashMap<>();

  // consecutive identical lines of one log get distinct ids
  private int lastLineHash;
  private String lastLineLog;
  private int repeat;

  public AgentLogParser(int maxLineBytes, int maxDeadLetterRawBytes, LongSupplier clock) {
    this.maxLineBytes = maxLineBytes;
    this.clock = clock;
    this.deadLetters = new DeadLetters(maxDeadLetterRawBytes);
  }

  /**
   * Parses the lines of a payload (a file region, an HTTP body) one by one; blank lines are
   * skipped. For line-positioned origins each line's position is its line number.
   */
  public void parseLines(
      byte[] buf,
      int off,
      int len,
      String machine,
      String logName,
      Origin origin,
      ParseOutput out) {
    int end = off + len;
    int start = off;
    long line = origin.position() == null ? 1 : origin.position();
    while (start < end) {
      int nl = start;
      while (nl < end && buf[nl] != '\n') {
        nl++;
      }
      // a Kafka message keeps its offset as position; files and bodies count lines
      Origin at = origin.positionIsLine() ? origin.atLine(line) : origin;
      parseLine(buf, start, nl - start, machine, logName, at, out);
      line++;
      start = nl + 1;
    }
  }

  /** Parses one line (without its newline); a blank line produces nothing. */
  public void parseLine(
      byte[] buf,
      int off,
      int len,
      String machine,
      String logName,
      Origin origin,
      ParseOutput out) {
    while (len > 0 && (buf[off + len - 1] == '\r' || buf[off + len - 1] == ' ')) {
      len--;
    }
    if (len == 0) {
      return;
    }
    long now = clock.getAsLong();
    if (len > maxLineBytes) {
      reject(
          DeadLetterReason.TOO_LARGE,
          "log line of "
              + len
              + " bytes is longer than ingest.max.record.bytes ("
              + maxLineBytes
              + ")",
          buf,
          off,
          len,
          origin,
          now,
          out);
      return;
    }
    String text = new String(buf, off, len, StandardCharsets.UTF_8);
    Map<String, String> fields = new LinkedHashMap<>();
    String problem = tokenize(text, fields);
    String time = fields.remove("time");
    if (time == null) {
      reject(
          DeadLetterReason.MALFORMED_LINE,
          problem != null
              ? "not a logrus line (" + problem + ")"
              : "line has no time=\"...\" field: not an azcmagent/himds log line",
          buf,
          off,
          len,
          origin,
          now,
          out);
      return;
    }
    long nanos = Timestamps.parseEpochNanos(time);
    if (nanos == Timestamps.INVALID) {
      reject(
          DeadLetterReason.INVALID_VALUE,
          "time=\"" + time + "\" is not an RFC 3339 timestamp",
          buf,
          off,
          len,
          origin,
          now,
          out);
      return;
    }
    String levelText = fields.remove("level");
    Level level = Values.level(levelText);
    String message = fields.remove("msg");
    if (message == null) {
      message = "";
    }
    if (problem != null) {
      fields.put("parseProblem", problem);
    }
    String version = versionIn(message, fields);
    if (version != null) {
      agentVersions.put(machine, version);
    }
    StringBuilder all = new StringBuilder(message);
    for (String v : fields.values()) {
      all.append(' ').append(v);
    }
    ArcErrorCatalog.Classification c =
        ArcErrorCatalog.classify(all.toString(), level == null ? Level.UNKNOWN : level);

    int hash = text.hashCode();
    if (hash == lastLineHash && logName.equals(lastLineLog)) {
      repeat++;
    } else {
      repeat = 0;
      lastLineHash = hash;
      lastLineLog = logName;
    }
    AgentEvent e = new AgentEvent();
    e.setEventId(ids.ofLine(machine, logName, buf, off, len, repeat));
    e.setTime(
        Instant.ofEpochSecond(
            Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L)));
    e.setMachine(machine);
    e.setLevel(level == null ? Level.UNKNOWN : level);
    e.setMessage(message);
    e.setFields(fields.isEmpty() ? Collections.emptyMap() : fields);
    e.setCause(c.cause());
    e.setCauseDescription(c.description());
    e.setSolution(c.solution());
    e.setEndpoint(c.endpoint());
    e.setErrorCode(c.errorCode());
    e.setAgentVersion(agentVersions.get(machine));
    e.setProvenance(origin.provenance(now, 0, null));
    out.agent(machine, e);
  }

  private void reject(
      DeadLetterReason code,
      String reason,
      byte[] buf,
      int off,
      int len,
      Origin origin,
      long now,
      ParseOutput out) {
    out.deadLetter(
        origin.source(),
        deadLetters.create(
            code,
            reason + " [" + origin.describe() + "]",
            null,
            buf,
            off,
            len,
            DeadLetters.CONTENT_TEXT,
            origin.provenance(now, 0, null),
            now));
  }

  /**
   * Splits {@code key=value} pairs; keys run up to '=' and may hold spaces, values are quoted or
   * run up to the next blank. Returns a description of what was wrong, or {@code null}.
   */
  static String tokenize(String s, Map<String, String> into) {
    int n = s.length();
    int i = 0;
    String problem = null;
    while (i < n) {
      while (i < n && s.charAt(i) == ' ') {
        i++;
      }
      if (i >= n) {
        break;
      }
      int eq = s.indexOf('=', i);
      int quote = s.indexOf('"', i);
      if (eq < 0 || (quote >= 0 && quote < eq)) {
        String rest = s.substring(i).strip();
        if (!rest.isEmpty()) {
          into.merge("_", rest, (a, b) -> a + " " + b);
          problem = problem == null ? "text without key=value at column " + (i + 1) : problem;
        }
        break;
      }
      String key = s.substring(i, eq).strip();
      i = eq + 1;
      String value;
      if (i < n && s.charAt(i) == '"') {
        StringBuilder v = new StringBuilder();
        int j = i + 1;
        boolean closed = false;
        while (j < n) {
          char c = s.charAt(j);
          if (c == '\\' && j + 1 < n) {
            char e = s.charAt(j + 1);
            switch (e) {
              case 'n' -> v.append('\n');
              case 't' -> v.append('\t');
              case 'r' -> v.append('\r');
              default -> v.append(e);
            }
            j += 2;
          } else if (c == '"') {
            closed = true;
            j++;
            break;
          } else {
            v.append(c);
            j++;
          }
        }
        if (!closed) {
          problem = problem == null ? "unterminated quoted value of " + key : problem;
        }
        value = v.toString();
        i = j;
      } else {
        int j = i;
        while (j < n && s.charAt(j) != ' ') {
          j++;
        }
        value = s.substring(i, j);
        i = j;
      }
      if (!key.isEmpty()) {
        into.put(key, value);
      }
    }
    return problem;
  }

  private static String versionIn(String message, Map<String, String> fields) {
    String prefix = "Agent Version:";
    if (message.regionMatches(true, 0, prefix, 0, prefix.length())) {
      String v = message.substring(prefix.length()).strip();
      return v.isEmpty() ? null : v;
    }
    for (Map.Entry<String, String> f : fields.entrySet()) {
      if (f.getKey().equalsIgnoreCase("agentVersion")
          || f.getKey().equalsIgnoreCase("Agent Version")) {
        return f.getValue();
      }
    }
    return null;
  }
}
