package io.linkwatch.streams.replay.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.linkwatch.schemas.cli.KafkaUnreachableException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.TypeConversionException;

class ReplayCommandTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @Test
  void shouldDescribeTheRangeRulesAndVerifyInItsHelp() {
    int code = run(new ReplayCommand(), "--help");

    assertThat(code).isZero();
    assertThat(out.toString())
        .contains("--from=TIME", "--to=TIME", "--warmup=DURATION", "--verify", "--rules=FILE|DIR")
        .contains("written to the cluster", "Exit:");
  }

  @Test
  void shouldNameTheAcceptedFormsOfATimeItCannotRead() {
    int code = run(new ReplayCommand(), "--from", "yesterday noon");

    assertThat(code).isEqualTo(2);
    assertThat(err.toString())
        .contains("'yesterday noon' is not a time", "ISO-8601", "duration ago");
  }

  @Test
  void shouldRefuseARangeThatEndsBeforeItStarts() {
    int code = run(new ReplayCommand(), "--from", "1h", "--to", "2h", "-b", "127.0.0.1:1");

    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("--from", "must be before --to");
  }

  @Test
  void shouldReportEveryProblemOfInvalidRulesBeforeAskingTheCluster(@TempDir Path dir)
      throws Exception {
    Path rules = dir.resolve("bad.yaml");
    Files.writeString(rules, "id: bad\nsignal: iothub.nope\ntreshold: 3\n");

    int code =
        run(
            new BacktestCommand(),
            "--rules",
            rules.toString(),
            "--from",
            "1h",
            "-b",
            "127.0.0.1:1");

    assertThat(code).isEqualTo(2);
    assertThat(err.toString())
        .contains("rule problems", "bad.yaml", "treshold", "did you mean 'threshold'", "signal");
  }

  @Test
  void shouldSayWhichClusterDidNotAnswerInsteadOfAStackTrace() {
    CommandLine cli = new CommandLine(new ReplayCommand());
    List<Exception> failures = new ArrayList<>();
    cli.setExecutionExceptionHandler(
        (e, commandLine, parsed) -> {
          failures.add(e);
          return 3;
        });

    int code =
        cli.execute(
            "--from",
            "1h",
            "--default-pack",
            "-q",
            "-b",
            "127.0.0.1:1",
            "--set",
            "kafka.wait.timeout.ms=1500");

    assertThat(code).isEqualTo(3);
    assertThat(failures)
        .singleElement()
        .isInstanceOf(KafkaUnreachableException.class)
        .extracting(Throwable::getMessage)
        .asString()
        .contains("127.0.0.1:1");
  }

  @Test
  void shouldReadTimesAsInstantsDatesOrDurationsAgo() {
    Instant now = Instant.parse("2026-03-02T12:00:00Z");
    TimeConverter times = new TimeConverter(Clock.fixed(now, ZoneOffset.UTC));

    assertThat(times.convert("2026-03-02T10:15:00Z")).isEqualTo("2026-03-02T10:15:00Z");
    assertThat(times.convert("2026-03-02T11:15+01:00")).isEqualTo("2026-03-02T10:15:00Z");
    assertThat(times.convert("2026-03-02T10:15")).isEqualTo("2026-03-02T10:15:00Z");
    assertThat(times.convert("2026-03-01")).isEqualTo("2026-03-01T00:00:00Z");
    assertThat(times.convert("90m")).isEqualTo(now.minus(Duration.ofMinutes(90)));
    assertThat(times.convert("now")).isEqualTo(now);
    assertThatThrownBy(() -> times.convert("soon")).isInstanceOf(TypeConversionException.class);
    // whole seconds: the range is printed as a person would type it
    TimeConverter precise =
        new TimeConverter(Clock.fixed(now.plusNanos(868_122_415), ZoneOffset.UTC));
    assertThat(precise.convert("now")).isEqualTo(now);
    assertThat(precise.convert("1h")).isEqualTo(now.minus(Duration.ofHours(1)));
  }

  private int run(Object command, String... args) {
    CommandLine cli = new CommandLine(command);
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }
}
