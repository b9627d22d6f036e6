package io.linkwatch.sink.alert;

import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One label matcher, written as Alertmanager writes them: {@code name=value}, {@code name!=value},
 * {@code name=~regex}, {@code name!~regex}; the value may be double-quoted. Regexes are anchored
 * (they must match the whole value). A label that is absent has the empty value, so {@code hub!=""}
 * means "has a hub".
 *
 * @param name label name
 * @param op the operator
 * @param value the literal or the regex source
 */
public record Matcher(String name, Op op, String value, Pattern pattern) {

  /** The four operators. */
  public enum Op {
    EQUAL("="),
    NOT_EQUAL("!="),
    REGEX("=~"),
    NOT_REGEX("!~");

    private final String symbol;

    Op(String symbol) {
      this.symbol = symbol;
    }

    public String symbol() {
      return symbol;
    }
  }

  public Matcher {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(op, "op");
    Objects.requireNonNull(value, "value");
  }

  /**
   * Parses {@code name<op>value}.
   *
   * @throws IllegalArgumentException with a message that says what is wrong
   */
  public static Matcher parse(String text) {
    String t = text.strip();
    int i = 0;
    while (i < t.length() && (Character.isLetterOrDigit(t.charAt(i)) || t.charAt(i) == '_')) {
      i++;
    }
    String name = t.substring(0, i);
    if (name.isEmpty()) {
      throw new IllegalArgumentException(
          "'" + text + "' must start with a label name, e.g. severity=\"Sev0\"");
    }
    String rest = t.substring(i).stripLeading();
    Op op;
    if (rest.startsWith("=~")) {
      op = Op.REGEX;
    } else if (rest.startsWith("!~")) {
      op = Op.NOT_REGEX;
    } else if (rest.startsWith("!=")) {
      op = Op.NOT_EQUAL;
    } else if (rest.startsWith("=")) {
      op = Op.EQUAL;
    } else {
      throw new IllegalArgumentException(
          "'" + text + "' has no operator after '" + name + "' (expected =, !=, =~ or !~)");
    }
    String value = rest.substring(op.symbol().length()).strip();
    if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
      value = value.substring(1, value.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
    } else if (value.startsWith("\"")) {
      throw new IllegalArgumentException("'" + text + "' has an unterminated quoted value");
    }
    Pattern pattern = null;
    if (op == Op.REGEX || op == Op.NOT_REGEX) {
      try {
        pattern = Pattern.compile(value);
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException(
            "'" + text + "' has an invalid regex: " + e.getDescription(), e);
      }
    }
    return new Matcher(name, op, value, pattern);
  }

  /** Whether the labels satisfy this matcher. */
  public boolean matches(Map<String, String> labels) {
    String actual = labels.getOrDefault(name, "");
    return switch (op) {
      case EQUAL -> actual.equals(value);
      case NOT_EQUAL -> !actual.equals(value);
      case REGEX -> pattern.matcher(actual).matches();
      case NOT_REGEX -> !pattern.matcher(actual).matches();
    };
  }

  /** Whether the labels satisfy every matcher (an empty list matches everything). */
  public static boolean all(Iterable<Matcher> matchers, Map<String, String> labels) {
    for (Matcher m : matchers) {
      if (!m.matches(labels)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return name + op.symbol() + '"' + value.replace("\"", "\\\"") + '"';
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Matcher m && m.name.equals(name) && m.op == op && m.value.equals(value);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, op, value);
  }
}
