package io.linkwatch.streams.rules;

/**
 * One thing wrong with a rule file: where (file, line), which rule and field, and what was given
 * against what is allowed.
 *
 * @param file the file as the user named it
 * @param line 1-based line, or 0 when unknown
 * @param ruleId the rule's id, or {@code null} when the problem is outside a rule or the id itself
 *     is unreadable
 * @param field the field path inside the rule, e.g. {@code dynamic.sensitivity}, or {@code null}
 * @param message what is wrong, with the value given and the allowed values
 */
public record RuleProblem(String file, int line, String ruleId, String field, String message) {

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder(file);
    if (line > 0) {
      out.append(':').append(line);
    }
    out.append(": ");
    if (ruleId != null) {
      out.append("rule '").append(ruleId).append("': ");
    }
    if (field != null) {
      out.append("field '").append(field).append("': ");
    }
    return out.append(message).toString();
  }
}
