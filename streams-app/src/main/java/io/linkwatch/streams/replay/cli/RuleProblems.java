package io.linkwatch.streams.replay.cli;

import io.linkwatch.streams.rules.RuleProblem;
import io.linkwatch.streams.rules.RuleValidationException;
import java.io.PrintWriter;

/** Prints every problem of invalid rule files, as {@code linkwatch rules validate} lists them. */
final class RuleProblems {

  /** The exit code of invalid rule files (the same as a wrong option). */
  static final int EXIT = 2;

  private RuleProblems() {}

  /** Prints the problems to {@code err} and returns {@link #EXIT}. */
  static int print(PrintWriter err, RuleValidationException e) {
    int n = e.problems().size();
    err.printf("%d rule %s:%n", n, n == 1 ? "problem" : "problems");
    for (RuleProblem p : e.problems()) {
      err.println("  " + p);
    }
    return EXIT;
  }
}
