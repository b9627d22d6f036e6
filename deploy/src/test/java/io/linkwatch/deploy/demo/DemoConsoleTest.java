package io.linkwatch.deploy.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** What the demo prints: alert blocks above the progress line, revisions left out. */
class DemoConsoleTest {

  private static final String FIRED =
      "18:30:00Z  FIRED      Sev2  Device authentication failures  count = 2 ≥ 2 over 15m\n"
          + "           cause: the SAS token expired\n"
          + "           fix:   renew it\n";
  private static final String REVISED =
      "18:30:00Z  REVISED    Sev2  Device authentication failures  count = 3 ≥ 2 over 15m\n"
          + "           cause: the SAS token expired\n"
          + "           fix:   renew it\n";
  private static final String RESOLVED =
      "18:45:00Z  RESOLVED   Sev2  Device authentication failures  count = 0 over 15m, fires at ≥ 2\n"
          + "           evidence: http://localhost:8088/?alert=x\n";

  @Test
  void shouldPrintFiredAndResolvedButNotRevisions() {
    String shown = DemoConsole.withoutRevisions(FIRED + REVISED + RESOLVED);

    assertThat(shown).isEqualTo(FIRED + RESOLVED);
  }

  @Test
  void shouldRecogniseRevisionsInColour() {
    String coloured = REVISED.replace("REVISED", "\u001b[1mREVISED\u001b[0m");

    assertThat(DemoConsole.withoutRevisions(coloured + RESOLVED)).isEqualTo(RESOLVED);
  }

  @Test
  void shouldKeepTheProgressLineBelowAnAlertOnATerminal() {
    StringWriter out = new StringWriter();
    DemoConsole console = new DemoConsole(new PrintWriter(out), true, false, 1000);
    console.progress("events 10");

    PrintStream alerts = console.blockStream();
    alerts.print(FIRED);
    alerts.flush();

    assertThat(out.toString()).endsWith(FIRED + "events 10").contains("\r\u001b[K" + FIRED);
  }

  @Test
  void shouldPrintProgressAsPlainLinesNowAndThenWhenNotATerminal() {
    StringWriter out = new StringWriter();
    DemoConsole console = new DemoConsole(new PrintWriter(out), false, false, 60_000);

    console.progress("events 10");
    console.progress("events 20");
    console.line("done");

    assertThat(out.toString()).isEqualTo("events 10\ndone\n").doesNotContain("\u001b");
  }
}
