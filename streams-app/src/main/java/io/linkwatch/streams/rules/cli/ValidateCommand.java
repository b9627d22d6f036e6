package io.linkwatch.streams.rules.cli;

import io.linkwatch.streams.rules.RuleLoader;
import io.linkwatch.streams.rules.RuleProblem;
import io.linkwatch.streams.rules.RuleSet;
import io.linkwatch.streams.rules.RuleValidationException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code linkwatch rules validate <file|dir>}: every problem at once, exit 1 if any. */
@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    description = {
      "Validate rule files without publishing them: every problem, with file, line, rule and"
          + " field. Exit 0 when valid, 1 when not."
    })
final class ValidateCommand implements Callable<Integer> {

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "FILE|DIR",
      description = "A YAML file, or a folder of *.yaml/*.yml files.")
  private Path path;

  @Option(names = "--default-pack", description = "Validate the rule pack shipped with linkwatch.")
  private boolean defaultPack;

  @Spec private CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    RuleSet set = load(path, defaultPack, err);
    if (set == null) {
      return 1;
    }
    out.printf(
        "%d %s in %d %s: valid%n",
        set.rules().size(),
        set.rules().size() == 1 ? "rule" : "rules",
        set.files().size(),
        set.files().size() == 1 ? "file" : "files");
    return 0;
  }

  /** Loads the rules, printing the problems and returning null when there are any. */
  static RuleSet load(Path path, boolean defaultPack, PrintWriter err) throws Exception {
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
