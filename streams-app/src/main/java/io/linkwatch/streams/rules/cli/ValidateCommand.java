package io.linkwatch.streams.rules.cli;

import io.linkwatch.streams.rules.RuleSet;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
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

  @Mixin private RuleFiles files;

  @Spec private CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    RuleSet set = files.load(err);
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
}
