package io.linkwatch.streams.rules;

import java.util.List;
import java.util.stream.Collectors;

/** Every problem found in a set of rule files, all at once rather than the first one only. */
public final class RuleValidationException extends Exception {

  private static final long serialVersionUID = 1L;

  private final transient List<RuleProblem> problems;

  public RuleValidationException(List<RuleProblem> problems) {
    super(
        problems.size()
            + (problems.size() == 1 ? " problem" : " problems")
            + " in the rules:\n"
            + problems.stream().map(p -> "  " + p).collect(Collectors.joining("\n")));
    this.problems = List.copyOf(problems);
  }

  public List<RuleProblem> problems() {
    return problems;
  }
}
