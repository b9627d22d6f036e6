package io.linkwatch.streams.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Opens a report in headless Chromium (installed by {@code .ci/run}): the page must render its
 * charts and text, with nothing fetched from the network. Keeps a screenshot under {@code target/}.
 */
final class BrowserCheck {

  private BrowserCheck() {}

  static void assertRenders(Path html, String expectedText, Path work) throws Exception {
    String chromium = chromium();
    assumeTrue(chromium != null, "headless Chromium is not installed (apt-get install chromium)");
    Path profile = Files.createDirectories(work.resolve("chromium-profile"));
    List<String> common =
        List.of(
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--user-data-dir=" + profile,
            "--window-size=1100,1600");
    String dom = run(common, "--dump-dom", html.toUri().toString());
    assertThat(dom).contains(expectedText).contains("<svg").contains("class=\"marker fired\"");
    Path shot = Path.of("target", "backtest-report.png").toAbsolutePath();
    run(common, "--screenshot=" + shot, html.toUri().toString());
    assertThat(Files.size(shot)).as("screenshot %s", shot).isGreaterThan(10_000);
  }

  private static String run(List<String> common, String... args) throws Exception {
    List<String> cmd = new java.util.ArrayList<>(common);
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("headless Chromium did not finish within 60 s: " + cmd);
    }
    assertThat(p.exitValue()).as("exit code of %s", cmd).isZero();
    return new String(out, StandardCharsets.UTF_8);
  }

  private static String chromium() throws IOException {
    for (String candidate : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser")) {
      if (Files.isExecutable(Path.of(candidate))) {
        return candidate;
      }
    }
    return null;
  }
}
