package io.linkwatch.streams.rules.cli;

import io.linkwatch.streams.rules.RuleLoader;
import io.linkwatch.streams.rules.RuleProblem;
import io.linkwatch.streams.rules.RuleSet;
import io.linkwatch.streams.rules.RuleValidationException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Where the rules come from ({@code @Mixin}): a file, a folder, or the default pack. */
final class RuleFiles {

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "FILE|DIR",
      description = "A YAML file, or a folder of *.yaml/*.yml files.")
  private Path path;

  @Option(names = "--default-pack", description = "The rule pack shipped with linkwatch.")
  private boolean defaultPack;

  /** Loads the rules, printing the problems and returning null when there are any. */
  RuleSet load(PrintWriter err) throws IOException {
    if (path == null && !defaultPack) {
      err.println("give a rule file or folder, or --default-pack");
      return null;
    }
    try {
      return defaultPack ? RuleLoader.loadDefaultPack() : RuleLoader.load(path);
    } catch (RuleValidationException e) {
      int n = e.problems().size();
      err.printf("%d %s:%n", n, n == 1 ? "problem" : "problems");
      for (RuleProblem p : e.problems()) {
        err.println("  " + p);
      }
      return null;
    }
  }
}
