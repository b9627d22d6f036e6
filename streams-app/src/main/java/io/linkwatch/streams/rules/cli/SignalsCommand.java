package io.linkwatch.streams.rules.cli;

import io.linkwatch.streams.signal.Signal;
import io.linkwatch.streams.signal.SignalCatalog;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code linkwatch rules signals}: the signals a rule can name, with their dimensions. */
@Command(
    name = "signals",
    mixinStandardHelpOptions = true,
    description =
        "List the signals rules can name, what one observation means, what distinct_devices"
            + " counts and the dimensions usable in splitBy and filters.")
final class SignalsCommand implements Callable<Integer> {

  @Spec private CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    for (Signal s : SignalCatalog.all()) {
      out.println(s.name());
      out.println("  " + s.description());
      out.println("  from:       " + s.source());
      out.println("  distinct:   " + s.entity() + "s");
      out.println("  dimensions: " + String.join(", ", s.dimensions()));
      out.println();
    }
    out.printf("%d signals%n", SignalCatalog.all().size());
    return 0;
  }
}
