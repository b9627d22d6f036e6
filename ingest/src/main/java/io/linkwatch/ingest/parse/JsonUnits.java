package io.linkwatch.ingest.parse;

/**
 * Splits a byte region of JSON text into units, each holding one root value: one line of a PT1H
 * blob or NDJSON body, one (possibly pretty-printed) {@code {"records":[...]}} envelope, one of
 * several objects written one after another with no separator, or one element of an array that
 * opens a line (a Log Analytics export), so that an export of any size is handled one record at a
 * time.
 *
 * <p>The scanner only counts brackets outside strings; it does not validate. Its job is to keep a
 * broken record from swallowing its neighbours: a newline inside a string ends the string, and a
 * line that starts with '{' or '[' at the indentation the open value started at (column 0 for PT1H
 * lines, the element indentation in a pretty-printed array) ends that value, which then fails to
 * parse and is dead-lettered alone. Anything that does not start with '{' or '[' is a unit up to
 * the end of its line.
 *
 * <p>It works incrementally: when the region ends inside a unit and more input may follow, {@link
 * #next} returns {@link Result#NEED_MORE} and the caller rescans from {@link #unitStart()} once
 * more bytes are there.
 */
public final class JsonUnits {

  /** What {@link #next} found. */
  public enum Result {
    /** A unit: {@link #unitStart()}..{@link #unitEnd()}, first line {@link #unitLine()}. */
    UNIT,
    /** The region ends inside a unit and more input may follow: rescan from unitStart. */
    NEED_MORE,
    /** Nothing left but whitespace and separators. */
    END
  }

  private byte[] buf;
  private int pos;
  private int limit;
  private boolean endOfInput;

  private long line = 1;
  private int column;
  private boolean contentOnLine;
  private boolean inRootArray;

  private int unitStart;
  private int unitEnd;
  private long unitLine;
  private int unitColumn;
  private boolean unitFirstOnLine;
  private boolean unitInRootArray;

  /**
   * Points the scanner at a region. Line numbers continue from the previous region; the caller that
   * rescans after {@link Result#NEED_MORE} calls {@link #rewind} first.
   */
  public void reset(byte[] buf, int from, int limit, boolean endOfInput) {
    this.buf = buf;
    this.pos = from;
    this.limit = limit;
    this.endOfInput = endOfInput;
  }

  /** Starts over at line 1 (a new file or body). */
  public void restart(long firstLine) {
    this.line = firstLine;
    this.column = 0;
    this.contentOnLine = false;
    this.inRootArray = false;
  }

  /** Restores the line and array state of the last unit start, before rescanning it. */
  public void rewind() {
    this.line = unitLine;
    this.column = unitColumn;
    this.contentOnLine = !unitFirstOnLine;
    this.inRootArray = unitInRootArray;
  }

  public int unitStart() {
    return unitStart;
  }

  public int unitEnd() {
    return unitEnd;
  }

  public long unitLine() {
    return unitLine;
  }

  /** The current line (the line after the last unit, once the region is exhausted). */
  public long line() {
    return line;
  }

  /** Position after the last unit and the separators that follow it. */
  public int position() {
    return pos;
  }

  public Result next() {
    skipSeparators();
    if (pos >= limit) {
      return Result.END;
    }
    unitStart = pos;
    unitLine = line;
    unitColumn = column;
    unitInRootArray = inRootArray;
    byte first = buf[pos];
    boolean firstOnLine = !contentOnLine;
    unitFirstOnLine = firstOnLine;
    contentOnLine = true;
    if (first == '[' && firstOnLine && !inRootArray && rootArrayOfObjects(pos + 1)) {
      // a root-level array: its elements are the units
      inRootArray = true;
      pos++;
      column++;
      return next();
    }
    if (first == '{' || first == '[') {
      return scanContainer();
    }
    return scanToEndOfLine();
  }

  private Result scanContainer() {
    int depth = 0;
    boolean inString = false;
    boolean escape = false;
    // the last byte outside strings that was not blank: a value on a new line is a continuation
    // only after ',', '[' or ':'
    byte lastSignificant = 0;
    long l = line;
    int i = pos;
    int lastNewline = -1;
    while (i < limit) {
      byte b = buf[i];
      if (inString && !escape) {
        // most bytes are inside strings: skip to the next one that matters
        while (b != '"' && b != '\\' && b != '\n' && ++i < limit) {
          b = buf[i];
        }
        if (i >= limit) {
          break;
        }
      }
      if (inString) {
        if (b == '\n') {
          // JSON strings hold no raw newline: this one was cut short
          inString = false;
          escape = false;
          l++;
          lastNewline = i;
          lastSignificant = 0;
          if (depth > 0 && startsNewValue(i + 1)) {
            return unit(i, l, true, lastNewline);
          }
        } else if (escape) {
          escape = false;
        } else if (b == '\\') {
          escape = true;
        } else if (b == '"') {
          inString = false;
          lastSignificant = b;
        }
      } else if (b == '"') {
        inString = true;
      } else if (b == '{' || b == '[') {
        depth++;
        lastSignificant = b;
      } else if (b == '}' || b == ']') {
        depth--;
        lastSignificant = b;
        if (depth == 0) {
          return unit(i + 1, l, false, lastNewline);
        }
      } else if (b == '\n') {
        l++;
        lastNewline = i;
        if (depth > 0
            && lastSignificant != ','
            && lastSignificant != '['
            && lastSignificant != ':'
            && startsNewValue(i + 1)) {
          return unit(i, l, true, lastNewline);
        }
      } else if (b != ' ' && b != '\t' && b != '\r') {
        lastSignificant = b;
      }
      i++;
    }
    if (!endOfInput) {
      return Result.NEED_MORE;
    }
    return unit(limit, l, false, lastNewline);
  }

  private Result scanToEndOfLine() {
    int i = pos;
    while (i < limit && buf[i] != '\n') {
      i++;
    }
    if (i >= limit && !endOfInput) {
      return Result.NEED_MORE;
    }
    if (inRootArray && i > pos) {
      // inside a root array a scalar element ends at the next separator
      int j = pos;
      while (j < i && buf[j] != ',' && buf[j] != ']') {
        j++;
      }
      if (j > pos) {
        i = j;
      }
    }
    column += i - pos;
    pos = i;
    unitEnd = trimEnd(unitStart, i);
    return Result.UNIT;
  }

  private Result unit(int end, long lineAfter, boolean brokenAtNewline, int lastNewline) {
    unitEnd = brokenAtNewline ? trimEnd(unitStart, end) : end;
    pos = end;
    line = lineAfter;
    if (brokenAtNewline) {
      // the newline that ended it has been counted; the next unit starts after it
      pos = end + 1;
      column = 0;
      contentOnLine = false;
    } else if (lastNewline >= 0) {
      column = end - lastNewline - 1;
    } else {
      column += end - unitStart;
    }
    return Result.UNIT;
  }

  /**
   * True when the line that starts at i opens a value at the indentation of the current unit
   * (exactly {@link #unitColumn} blanks, then '{' or '[') or in column 0.
   */
  private boolean startsNewValue(int i) {
    int k = i;
    int end = i + unitColumn;
    while (k < end && k < limit && (buf[k] == ' ' || buf[k] == '\t')) {
      k++;
    }
    if (k == end && k < limit && (buf[k] == '{' || buf[k] == '[')) {
      return true;
    }
    // column 0 always opens a root value (a PT1H line after a broken array element)
    return unitColumn > 0 && i < limit && (buf[i] == '{' || buf[i] == '[');
  }

  private void skipSeparators() {
    while (pos < limit) {
      byte b = buf[pos];
      if (b == '\n') {
        line++;
        column = 0;
        contentOnLine = false;
        pos++;
      } else if (b == ' ' || b == '\t' || b == '\r') {
        pos++;
        column++;
      } else if (inRootArray && b == ',') {
        pos++;
        column++;
      } else if (inRootArray && b == ']') {
        inRootArray = false;
        pos++;
        column++;
      } else if (b == (byte) 0xEF
          && pos + 2 < limit
          && buf[pos + 1] == (byte) 0xBB
          && buf[pos + 2] == (byte) 0xBF) {
        pos += 3; // UTF-8 byte order mark
      } else {
        return;
      }
    }
  }

  /** Whether the array that starts before i holds objects (or is empty): '[' then '{' or ']'. */
  private boolean rootArrayOfObjects(int i) {
    while (i < limit) {
      byte b = buf[i];
      if (b == ' ' || b == '\t' || b == '\r' || b == '\n') {
        i++;
        continue;
      }
      return b == '{' || b == ']';
    }
    // cannot tell yet; treat it as a plain value (a short array at the end of a region)
    return false;
  }

  private int trimEnd(int from, int end) {
    while (end > from && (buf[end - 1] == '\r' || buf[end - 1] == ' ' || buf[end - 1] == '\t')) {
      end--;
    }
    return end;
  }
}
